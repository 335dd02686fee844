#pragma once
// The subcommands of the `tailrec` program. Each returns the process exit code and throws
// tailrec::Error for user errors (printed by main).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace tailrec {

struct RunCommand {
  std::vector<std::string> overrides;
  std::vector<std::filesystem::path> config_dirs;  // searched before the built-in configs/
  bool print_config = false;
  bool multirun = false;   // --multirun: sweep the overrides (experiments/sweep.hpp)
  std::string resume;      // --resume DIR: run a sweep's unfinished jobs
  bool resume_changed = false;  // --resume-changed: resume even though the jobs' config composes differently now
};

// The config search path: --config-dir folders first, then <home>/configs.
std::vector<std::filesystem::path> config_search_path(const std::vector<std::filesystem::path>& config_dirs);

// `tailrec tune`: search parameters on the validation carve-out, then one test run of the best.
struct TuneCommand {
  std::vector<std::string> overrides;   // fixed and swept (sweep grammar; interval(a,b) for random search)
  std::vector<std::filesystem::path> config_dirs;
  std::string metric = "ndcg@10";       // picks the best (rmse/mae: lowest, else highest)
  std::string algorithm;                // label whose metric counts; empty: the only algorithm
  std::string search = "grid";          // grid | random
  int trials = 0;                       // random: how many settings
  uint64_t seed = 0;                    // random: the draw's seed
  int jobs = 1;                         // trials at once
  std::string out;                      // the tune folder; empty: results/tune/<date>/<time>
};
int tune_command(const TuneCommand& command);

int run_command(const RunCommand& command);
int multirun_command(const RunCommand& command);
int list_command(const std::string& what);
int data_command(const std::string& action, const std::string& name, const std::string& dir);
// `tailrec data synth ml20m_like`: a deterministic synthetic dataset (datasets/synthetic_movielens.hpp)
// written to `out` (empty: <dir or the default data directory>/<name>).
struct DataSynthCommand {
  std::string name;
  std::string out;
  std::string dir;
  uint64_t seed = 0;
  double scale = 1.0;
};
int data_synth_command(const DataSynthCommand& command);

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

// `tailrec report RUN_OR_SWEEP_DIRS...`: tables, plots and provenance from stored run folders
// (experiments/report_*.hpp, docs/reports.md).
struct ReportCommand {
  std::vector<std::string> inputs;      // run folders, sweep folders, or folders holding them
  std::vector<std::string> formats;     // md, csv, latex, html; empty: all
  std::string out;                      // empty: <first input>/report
  std::string test = "wilcoxon";        // wilcoxon | t
  std::string x_metric, y_metric;       // trade-off plot axes; empty: aplt@K and ndcg@K
  std::string bucket_metric;            // user-activity plot; empty: the y metric
  int buckets = 5;
  double alpha = 0.05;
  bool no_plots = false;
  std::string reproduction;             // --reproduction FILE.md: published numbers beside ours
  std::string published_dir;            // empty: <home>/results/published
};
int report_command(const ReportCommand& command);
// Adds the `report` subcommand (its options fill `command`) to the program's parser.
CLI::App* add_report_subcommand(CLI::App& app, ReportCommand& command);

// `tailrec check`: rerun the baselines (results/baselines/*.yaml, experiments/quality_gate.hpp) and
// fail when a metric moved beyond tolerance or the protocol changed (docs/check.md).
struct CheckCommand {
  std::vector<std::string> baselines;    // --baseline FILE...; empty: every <home>/results/baselines/*.yaml
  std::vector<std::string> overrides;    // appended to every run (refused with --update)
  std::vector<std::string> config_dirs;  // searched before the built-in configs/
  bool update = false;                   // rewrite the measured part of each baseline
  bool verbose = false;                  // every metric row, not only the failing ones
  int jobs = 1;                          // runs at once
  std::string keep;                      // keep the run folders here; empty: a temporary folder
  std::string init;                      // --init FILE: create a baseline from `overrides`
  int seeds = 3;                         // --init: seeds run.seed .. run.seed + seeds - 1
  std::string description;               // --init
};
int check_command(const CheckCommand& command);
CLI::App* add_check_subcommand(CLI::App& app, CheckCommand& command);

}  // namespace tailrec
