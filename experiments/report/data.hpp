#pragma once
// `tailrec report`, part 1: finding and loading stored run folders and grouping them. A report is
// computed only from what runs wrote (metrics.json, per_user_metrics.tsv.gz, item_exposure.tsv.gz,
// user_activity.tsv.gz, replay_rounds.tsv, replay_state.tsv, overrides.yaml, a sweep's multirun.yaml),
// never from typed numbers.
//
// Grouping: runs whose data, split recipe (all but its seed and its replicate parameter, e.g. the
// fold of split=kfold), protocol and metric settings agree share a *context* (one table). Inside a
// context one row is a *setting*: an algorithm label plus the run's swept overrides other than
// run.seed, run.dir and the replicate parameter; its runs differ only by replicate (seed, fold).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/metrics/metric_range.hpp"

namespace tailrec {

// per_user_metrics.tsv.gz of one algorithm label: users and one column per metric (NaN: undefined).
struct PerUserColumns {
  std::vector<std::string> users;
  std::map<std::string, std::vector<double>> columns;  // metric -> value per user (same order)
};

// item_exposure.tsv.gz, rows in popularity-rank order (rank 1 first).
struct ExposureTable {
  std::vector<int64_t> train_users;                       // per item
  std::map<std::string, std::vector<int64_t>> counts;     // label -> times in top-k lists, per item
};

// replay_rounds.tsv (protocol=replay, docs/replay.md): one row per algorithm and round. NaN: an
// empty (undefined) cell, e.g. the hit rate of a round in which no user could be evaluated.
struct ReplayRoundRow {
  int64_t round = 0, start = 0, end = 0;  // start, end: unix seconds of the round's first and last interaction
  int64_t interactions = 0, active_users = 0, cold_users = 0, evaluated_users = 0;
  int64_t hits = 0, users_with_hit = 0, tail_hits = 0;
  double hit_rate = 0, precision = 0, tail_share_of_hits = 0, coverage_so_far = 0, gini_so_far = 0;
  int64_t cumulative_hits = 0, cumulative_tail_hits = 0;
  double cumulative_hit_rate = 0;
  std::string update;                     // "incremental: ...", "refit: ...", "none (last round)"
  double update_seconds = 0;
  std::vector<double> metrics;            // the configured metrics, in ReplayRounds::metrics order
};

struct ReplayRounds {
  int k = 0;                              // list length, from the hit_rate@K column
  std::vector<std::string> metrics;       // configured metric columns after update_seconds
  std::vector<std::string> labels;        // algorithm labels in file order
  std::map<std::string, std::vector<ReplayRoundRow>> rows;  // label -> rows by ascending round
};

// replay_state.tsv: the adaptive state an algorithm used in a round ("weight:tfidf", "reward:tfidf").
struct ReplayStateValue {
  std::string label;
  int64_t round = 0;
  std::string name;
  double value = 0;
};

struct RunRecord {
  std::filesystem::path dir;
  nlohmann::json metrics;                   // metrics.json
  std::vector<std::string> overrides;       // overrides.yaml
  std::vector<std::string> swept;           // overrides that distinguish it (run.seed, run.dir excluded)
  uint64_t seed = 0;                        // metrics.json "seed"
  // The split parameter that indexes replicates (metrics.json split.replicate, e.g. "fold") and this
  // run's value of it; both "" when the split has none. A run's replicate is its (seed, this value).
  std::string replicate_parameter;
  std::string replicate;
  std::string split_hash;
  std::string context_key;                  // see context_key()
  std::vector<std::string> labels;          // algorithm labels, in the experiment's order (metrics.csv)
  std::vector<std::string> metric_names;    // in the experiment's order (metrics.csv)
  std::map<std::string, PerUserColumns> per_user;  // empty when the file is missing
  ExposureTable exposure;                   // empty when the file is missing
  std::map<std::string, int64_t> activity;  // user -> train_items; empty when the file is missing
  bool replay = false;  // metrics.json has a `replay` section: rounds files, no per-user, exposure or activity files
  std::optional<ReplayRounds> replay_rounds;       // replay_rounds.tsv, when present
  std::vector<ReplayStateValue> replay_state;      // replay_state.tsv, when present
};

struct Setting {
  std::string label;                 // algorithm label
  std::string algorithm;             // registered name
  std::vector<std::string> swept;    // overrides naming it ("k=20" for algorithms.<label>.k=20)
  std::string name;                  // display: "item_knn" or "item_knn (k=20)"
  std::vector<size_t> runs;          // indices into ReportData::runs, by ascending (seed, replicate), one per replicate
};

struct Context {
  std::string key;
  std::string title;                 // "ml_latest_small · random_holdout · full · k=10"
  std::vector<size_t> runs;          // every run of the context
  std::vector<Setting> settings;     // in order of first appearance
  std::vector<std::string> metrics;  // metric names, in order of first appearance
};

struct ReportData {
  std::vector<RunRecord> runs;
  std::vector<Context> contexts;
  std::vector<std::string> warnings;  // skipped folders, missing files, duplicate seeds
};

// Reads a gzip (or plain) text file whole. Errors name the file.
std::string read_gzip_text(const std::filesystem::path& path);

// Parsers for the run-folder files (exposed for tests). `source` names the file in errors.
std::map<std::string, PerUserColumns> parse_per_user_metrics(const std::string& text, const std::string& source);
ExposureTable parse_item_exposure(const std::string& text, const std::string& source);
std::map<std::string, int64_t> parse_user_activity(const std::string& text, const std::string& source);
ReplayRounds parse_replay_rounds(const std::string& text, const std::string& source);
std::vector<ReplayStateValue> parse_replay_state(const std::string& text, const std::string& source);

// Whether metrics.json has the `replay` section the replay loop writes (framework/run/replay_loop.cpp):
// the report shows the sections whose data a run wrote, whatever protocol produced it.
bool has_replay_section(const nlohmann::json& metrics);

// The key runs must share to be compared in one table: dataset hash, split name, parameters and
// validation share (not its seed, not its replicate parameter), protocol, k, relevance threshold,
// long-tail definition, evaluate_on.
std::string context_key(const nlohmann::json& metrics);

// The split parameter metrics.json names as the replicate index (split.replicate), "" when none.
std::string replicate_parameter_of(const nlohmann::json& metrics);

// The display form of the overrides that distinguish a setting of `label`: algorithms.<label>.<p>=v
// becomes p=v, overrides of another label's parameters are dropped, the rest stay as written.
std::vector<std::string> setting_overrides(const std::string& label, const std::vector<std::string>& swept);

// The range of a metric column ("ndcg@10", "ndcg@10[full]") as the metric registry declares it.
std::optional<MetricRange> report_metric_range(const std::string& metric);

// Loads every input (a run folder with metrics.json, a sweep folder with multirun.yaml, or a folder
// holding such folders). Folders without metrics.json are skipped with a warning naming them; a
// stored metric value that is not a number or outside its range (report_metric_range) gets a warning
// naming the run folder, the label and the metric.
// With `with_details` false the per-user, exposure and activity files are not read. Replay runs
// have none of those; their replay_rounds.tsv and replay_state.tsv are read instead.
ReportData load_report_data(const std::vector<std::filesystem::path>& inputs, bool with_details = true);

// Replicate order: by seed, then by the replicate value (numerically when both are integers).
bool replicate_less(const RunRecord& a, const RunRecord& b);

// Groups loaded runs into contexts and settings (called by load_report_data; exposed for tests).
void group_runs(ReportData& data);

}  // namespace tailrec
