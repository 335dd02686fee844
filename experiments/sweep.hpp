#pragma once
// Sweeps (`tailrec run --multirun`): Hydra's sweep grammar expanded into jobs, each job a normal
// run in <sweep dir>/<n>/, indexed by multirun.yaml (the job list, written before any job starts)
// and sweep.jsonl (one line per job: overrides, status, metrics; rewritten atomically as jobs end).
// A job is complete when its folder holds metrics.json (framework/run/run_folder.hpp), so an
// interrupted sweep resumes by running only the jobs without one.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tailrec {

class Config;
class Params;

// One job: its folder number and the overrides that compose its config. `overrides` are the fixed
// overrides of the command line with each swept one replaced by one value, then run.seed (with
// sweep.seeds) and run.dir=<sweep dir>/<index> appended. `swept` are the varying ones only
// ("algorithms.user_knn.k=20", "run.seed=43"), in command-line order.
struct SweepJob {
  int index = 0;
  std::vector<std::string> overrides;
  std::vector<std::string> swept;
};

// The launcher and sweep settings (config keys sweep.* and launcher.*, see configs/launcher/).
// launcher=slurm's settings; their defaults are the schema's (framework/run/settings.hpp).
struct SlurmSettings {
  std::string partition;           // empty: the cluster's default
  std::string time;                // per job
  int cpus_per_task = 0;
  std::string mem;                 // e.g. "4G"; empty: the cluster's default
  std::string gres;                // e.g. "gpu:1"; empty: none
  int max_parallel = 0;            // array throttle (%N); 0: no limit
  std::vector<std::string> extra;  // further #SBATCH lines, e.g. "--account=abc"
  bool wait = false;               // wait for the array to end, then index the results
  std::string sbatch;              // the sbatch program

  // From resolved launcher.slurm parameters.
  static SlurmSettings from(const Params& params);
  // The schema's defaults.
  static SlurmSettings defaults();
};
struct SweepSettings {
  std::filesystem::path dir;             // the sweep root
  std::vector<uint64_t> seeds;           // empty: no seed repetition
  std::string launcher;                  // local | slurm
  int jobs = 1;                          // local: jobs at once (launcher.local.jobs)
  SlurmSettings slurm;
};
// Reads sweep.* and launcher.* from a composed config (strict: unknown keys are errors) and marks
// them read. Without sweep.dir the root is <results_root>/multirun/<date>/<time>.
SweepSettings read_sweep_settings(const Config& config);

// True when a command-line override sweeps: `key=a,b,c` (top-level commas outside brackets and
// quotes), `key=range(start,stop[,step])`, `key=choice(a,b,...)`, or `group=opt1,opt2`.
bool is_sweep_override(const std::string& text);
// The values one override sweeps, each as override text ("k=10", "k=20"); a plain override gives
// itself. range() follows Python's range (floats allowed); errors name the override.
std::vector<std::string> expand_override(const std::string& text);
// The cartesian product of the overrides in command-line order (the last varies fastest), each
// combination repeated over `seeds` (appending run.seed=S), numbered from 0, with run.dir set.
std::vector<SweepJob> expand_sweep(const std::vector<std::string>& overrides, const std::vector<uint64_t>& seeds,
                                   const std::filesystem::path& sweep_dir);

// The status of a job folder: "COMPLETED" (metrics.json present), "FAILED" (error.txt present,
// written by the launcher with the error), "RUNNING"/"PENDING" otherwise (no folder: PENDING).
std::string job_status(const std::filesystem::path& job_dir);

// multirun.yaml: the command line, settings and the job list; written once, before any job starts.
void write_multirun_yaml(const std::filesystem::path& sweep_dir, const std::vector<std::string>& command_line,
                         const std::vector<std::filesystem::path>& config_dirs, const SweepSettings& settings,
                         const std::vector<SweepJob>& jobs);
struct MultirunFile {
  std::vector<std::string> command_line;
  std::vector<std::filesystem::path> config_dirs;
  std::vector<SweepJob> jobs;
};
MultirunFile read_multirun_yaml(const std::filesystem::path& sweep_dir);

// Rewrites sweep.jsonl from the job folders: one JSON object per job, in job order:
// {"job": n, "dir": "n", "overrides": [...], "swept": [...], "status": "...", "error": "...",
//  "metrics": {label: {metric: value}}, "wall_seconds": s}.
void write_sweep_index(const std::filesystem::path& sweep_dir, const std::vector<SweepJob>& jobs);
// One job's line of sweep.jsonl, read from its folder; and the file from lines already read (a
// running sweep refreshes only the line of the job that ended).
nlohmann::json sweep_index_line(const std::filesystem::path& sweep_dir, const SweepJob& job);
void write_sweep_index(const std::filesystem::path& sweep_dir, const std::vector<nlohmann::json>& lines);

}  // namespace tailrec
