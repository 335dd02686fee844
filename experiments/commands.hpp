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

// `tailrec model fetch REPO_ID`: see experiments/hub_download.hpp.
struct ModelFetchCommand {
  std::string repo_id;
  std::string revision = "main";
  std::string dir;  // empty: default_model_dir(repo_id, revision)
};

// `tailrec model embed`: one text per input line, one TSV line per input line out.
struct ModelEmbedCommand {
  std::string model_dir;
  std::string input;
  std::string output;
  std::string pooling;          // empty: the checkpoint's default
  bool normalize = false;       // --normalize
  bool no_normalize = false;    // --no-normalize; neither: the checkpoint's default
  int max_length = 0;           // 0: the checkpoint's limit
  int batch_size = 32;
  std::string device = "cpu";   // cpu | cuda
  std::string precision = "fp32";
  int threads = 1;
};

int model_fetch_command(const ModelFetchCommand& command);
int model_info_command(const std::string& model_dir);
int model_embed_command(const ModelEmbedCommand& command);

}  // namespace tailrec
