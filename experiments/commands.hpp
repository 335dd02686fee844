#pragma once
// The subcommands of the `tailrec` program. Each returns the process exit code and throws
// tailrec::Error for user errors (printed by main).
#include <filesystem>
#include <string>
#include <vector>

namespace tailrec {

struct RunCommand {
  std::vector<std::string> overrides;
  std::vector<std::filesystem::path> config_dirs;  // searched before the built-in configs/
  bool print_config = false;
};

// The config search path: --config-dir folders first, then <home>/configs.
std::vector<std::filesystem::path> config_search_path(const std::vector<std::filesystem::path>& config_dirs);

int run_command(const RunCommand& command);
int list_command(const std::string& what);
int data_command(const std::string& action, const std::string& name, const std::string& dir);

}  // namespace tailrec
