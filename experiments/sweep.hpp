#pragma once
// Sweeps (`tailrec run --multirun`): Hydra's sweep grammar expanded into jobs, each job a normal
// run in <sweep dir>/<n>/, indexed by multirun.yaml (the job list, written before any job starts)
// and sweep.jsonl (one line per job: overrides, status, metrics; rewritten atomically as jobs end).
// A job is complete when its folder holds metrics.json (framework/run/run_folder.hpp), so an
// interrupted sweep resumes by running only the jobs without one.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
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
  // The job's anonymisation salt (run.anonymize_salt as composed), kept out of `overrides` and
  // `swept` (where every copy of it reads <redacted salt N>, see redact_salts) and out of every file of
  // the sweep but <sweep>/private/<n>.salt; plan_job appends it as run.anonymize_salt=... .
  std::string salt;
  bool salt_in_private = false;  // read from multirun.yaml: the salt is in private/<n>.salt, not yet read
  // A hash of the job's composed config (job_config_hash); empty in a sweep written before it.
  std::string config_hash;
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

// Replaces each job's salt, wherever it appears in its overrides and swept values, with
// "<redacted salt N>" (N numbers the distinct salts, so jobs that differ only by their salt stay
// distinct), and moves it to job.salt. Redaction is by value, so every spelling of the override
// (run.anonymize_salt=X, +run.anonymize_salt=X, run={anonymize_salt: X, ...}) is covered.
// `salts[i]` is job i's composed salt (empty: none).
void redact_salts(std::vector<SweepJob>& jobs, const std::vector<std::string>& salts);
// `text` with every salt of `jobs` replaced by its placeholder (longest first).
std::string redact_salts(std::string text, const std::vector<SweepJob>& jobs);
// The hash a resume compares: the composed config without what may differ between two runs of
// the same job (run.dir, the salt, the sweep.* and launcher settings). 16 hex digits.
std::string job_config_hash(const Config& config);

// <sweep>/private/<n>.salt: written 0600 in a 0700 folder, neither created through a symlink;
// read back (refusing a symlink) on resume. Both fail naming the path.
void write_job_salt(const std::filesystem::path& sweep_dir, const SweepJob& job);
std::string read_job_salt(const std::filesystem::path& sweep_dir, int index);
std::filesystem::path job_salt_path(const std::filesystem::path& sweep_dir, int index);

// Creates `dir` and its parents (a sweep, tune or --keep folder): a file in the way, or any other
// failure, is a one-line error naming the path, the cause and `key`, the setting that chose it.
void create_folder(const std::filesystem::path& dir, std::string_view what, std::string_view key);

// The status of a job folder: "COMPLETED" (metrics.json present), "FAILED" (error.txt present,
// written by the launcher with the error), "RUNNING"/"PENDING" otherwise (no folder: PENDING).
std::string job_status(const std::filesystem::path& job_dir);

// multirun.yaml: the command line, settings and the job list; written once, before any job starts.
// Job folders are recorded relative to the sweep folder (`dir: "3"`, run.dir left out of the
// overrides), so a moved or copied sweep resumes in its new place; every salt is redacted. Reading
// adds run.dir=<sweep_dir>/<dir> back; an older file's absolute run.dir=<old sweep>/<n> is read as
// <sweep_dir>/<n>, never as the old path.
void write_multirun_yaml(const std::filesystem::path& sweep_dir, const std::vector<std::string>& command_line,
                         const std::vector<std::filesystem::path>& config_dirs, const SweepSettings& settings,
                         const std::vector<SweepJob>& jobs);
struct MultirunFile {
  std::vector<std::string> command_line;
  std::vector<std::filesystem::path> config_dirs;
  std::vector<SweepJob> jobs;
};
// The salts themselves are not read here (read_job_salt), only salt_in_private set.
MultirunFile read_multirun_yaml(const std::filesystem::path& sweep_dir);

// Rewrites sweep.jsonl from the job folders: one JSON object per job, in job order:
// {"job": n, "dir": "n", "overrides": [...], "swept": [...], "status": "...", "error": "...",
// (overrides without run.dir, salts redacted)
//  "metrics": {label: {metric: value}}, "wall_seconds": s}.
void write_sweep_index(const std::filesystem::path& sweep_dir, const std::vector<SweepJob>& jobs);
// One job's line of sweep.jsonl, read from its folder; and the file from lines already read (a
// running sweep refreshes only the line of the job that ended).
nlohmann::json sweep_index_line(const std::filesystem::path& sweep_dir, const SweepJob& job);
void write_sweep_index(const std::filesystem::path& sweep_dir, const std::vector<nlohmann::json>& lines);

}  // namespace tailrec
