// tailrec: the command-line program. Parses the command line with CLI11 and hands each
// subcommand to experiments/*_command.cpp. User errors print one message and exit 1.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "experiments/commands.hpp"
#include "framework/error.hpp"

namespace {

const char* kDescription = R"(tailrec: recommender-system experiments for the long tail.

Describe an experiment in YAML (configs/), run it, get a run folder with metrics.json,
metrics.csv, per-user metrics, recommendations.tsv and run.log.)";

const char* kRunHelp = R"(Override grammar (Hydra-like):
  group=option         choose a config group option, e.g. dataset=ml100k split=leave_one_out
  key.path=value       change an existing key, e.g. metrics.k=[5,10,20] run.seed=7
  +new.key=value       add a key that is not in the config
  ~key.path            delete a key
  experiment=NAME      apply configs/experiment/NAME.yaml (it may change group choices)
Values are YAML scalars or flow lists: 10, 0.5, true, null, name, [a,b], "quoted text".

Examples:
  tailrec run
  tailrec run algorithms=[most_popular,random] metrics=all
  tailrec run dataset=ml100k dataset.data_dir=../shared/datasets algorithms=[most_popular,random]
  tailrec run split=leave_one_out protocol=sampled protocol.negatives=99
  TAILREC_ML1M_NCF=/data/ml-1m/ncf tailrec run experiment=ncf_ml1m
  tailrec run --cfg dataset=ml100k        print the composed config and exit
  tailrec run --config-dir ~/my-configs experiment=mine
The run folder defaults to results/<experiment>/<date>/<time>/ (run.dir=PATH to choose);
the last line printed is its path.)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kDescription, "tailrec"};
  app.require_subcommand(1);
  app.footer("Run 'tailrec COMMAND --help' for a command's options.");

  tailrec::RunCommand run;
  std::vector<std::string> config_dirs;
  auto* run_cmd = app.add_subcommand("run", "Run an experiment (compose config, load data, fit, evaluate, write a run folder)");
  run_cmd->add_option("overrides", run.overrides, "Overrides: group=option, key=value, +key=value, ~key");
  run_cmd->add_flag("--cfg", run.print_config, "Print the composed config and exit");
  run_cmd->add_option("--config-dir", config_dirs, "Extra config folder, searched before the built-in configs/ (repeatable)")
      ->allow_extra_args(false);
  run_cmd->footer(kRunHelp);
  run_cmd->positionals_at_end(false);

  std::string list_what;
  auto* list_cmd = app.add_subcommand("list", "List registered algorithms, metrics, splits, protocols or datasets with their parameters");
  list_cmd->add_option("kind", list_what, "algorithms | metrics | splits | protocols | datasets")->required();

  std::string data_action, data_name, data_dir;
  auto* data_cmd = app.add_subcommand("data", "Known datasets: list, fetch (download + sha256 check) or verify a local copy");
  data_cmd->add_option("action", data_action, "list | fetch | verify")->required();
  data_cmd->add_option("name", data_name, "dataset name (see 'tailrec data list')");
  data_cmd->add_option("--dir", data_dir, "data directory (default: $TAILREC_DATA_DIR or ~/.cache/tailrec/data)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (*run_cmd) {
      for (const auto& d : config_dirs) run.config_dirs.emplace_back(d);
      return tailrec::run_command(run);
    }
    if (*list_cmd) return tailrec::list_command(list_what);
    if (*data_cmd) return tailrec::data_command(data_action, data_name, data_dir);
  } catch (const tailrec::Error& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}
