#include <iostream>

#include "experiments/commands.hpp"
#include "experiments/register_all.hpp"
#include "experiments/sweep.hpp"
#include "framework/config/config.hpp"
#include "framework/run/runner.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

std::vector<std::filesystem::path> config_search_path(const std::vector<std::filesystem::path>& config_dirs) {
  std::vector<std::filesystem::path> path;
  for (const auto& dir : config_dirs) {
    if (!std::filesystem::is_directory(dir)) fail("--config-dir {}: no such folder", dir.string());
    path.push_back(dir);
  }
  path.push_back(tailrec_home() / "configs");
  return path;
}

int run_command(const RunCommand& command) {
  if (command.resume_changed && command.resume.empty())
    fail("--resume-changed goes with --resume DIR: it lets a sweep whose config changed resume");
  if (command.multirun || !command.resume.empty()) {
    if (command.print_config) fail("--cfg prints one config; drop --multirun (or pick one value of each swept key)");
    return multirun_command(command);
  }
  for (const auto& o : command.overrides)
    if (is_sweep_override(o))
      fail("override '{}' sweeps several values; add --multirun to run one job per value (or quote a list: "
           "key=[a,b])", o);
  const auto search = config_search_path(command.config_dirs);
  Config config = compose({search, command.overrides, "config"});
  if (command.print_config) {
    // Validate first, so --cfg never shows a config that would not run.
    const auto plan = plan_experiment(config, registries(), search);
    std::cout << plan.config_yaml;
    return 0;
  }
  read_sweep_settings(config);  // strict about sweep.* and launcher.* even when not sweeping
  auto plan = plan_experiment(config, registries(), search);
  Logger log;
  const auto outcome = run_experiment(plan, registries(), log);
  std::cout << "\n" << outcome.table << "\n" << outcome.folder.string() << std::endl;
  return 0;
}

}  // namespace tailrec
