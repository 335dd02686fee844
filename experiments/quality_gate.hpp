#pragma once
// Baselines for `tailrec check` (docs/check.md): golden metrics of one experiment over a few seeds,
// stored in results/baselines/<name>.yaml with what makes them comparable (the protocol: dataset,
// split recipe, protocol, metric settings; per seed the split's hash). A new set of runs is compared
// with it metric by metric: it fails when |mean_now - mean_baseline| > max(abs_floor, z * std_baseline),
// when an algorithm or metric appeared or disappeared, or when the protocol or a split changed.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tailrec {

// One tolerance rule; an override may set only one of the two (the other is inherited).
struct Tolerance {
  double z = 3;             // allowed difference in baseline standard deviations (over seeds)
  double abs_floor = 0.005; // ... but never less than this (a metric with std 0 still gets some room)
};
struct ToleranceOverride {
  std::optional<double> z;
  std::optional<double> abs_floor;
};
struct ToleranceSettings {
  Tolerance base;
  // Keys: a metric name ("coverage@10", every algorithm) or "label/metric" (one algorithm; wins).
  std::map<std::string, ToleranceOverride> metrics;
  Tolerance for_metric(const std::string& label, const std::string& metric) const;
};
// The largest difference of means that passes: max(abs_floor, z * std_baseline).
double allowed_difference(const Tolerance& tolerance, double baseline_std);

// One metric over the seeds. An undefined value (null in metrics.json) is NaN; mean and std are over
// the defined values (NaN when none is defined).
struct MetricRecord {
  double mean = 0;
  double std = 0;
  std::vector<double> values;  // one per seed, in the baseline's seed order
};
struct AlgorithmRecord {
  std::string name;
  nlohmann::json params;                       // as in metrics.json (informational: a change is a note)
  std::map<std::string, MetricRecord> metrics;  // by metric name, e.g. "ndcg@10"
};

struct Baseline {
  // Kept by --update (edited by hand).
  std::string name;
  std::string description;
  std::vector<std::string> overrides;  // `tailrec run` overrides of the experiment
  std::vector<uint64_t> seeds;
  ToleranceSettings tolerance;
  // Measured (rewritten by --update).
  std::string protocol_hash;  // setup_hash(setup)
  // What every seed shares: {dataset: {name, hash, users, items, interactions}, split: {name, params,
  // validation}, protocol: {...}, metric_settings: {k, relevance_threshold, long_tail}, evaluate_on}.
  nlohmann::json setup;
  // Per seed: {split_hash, train, test, evaluated_cases, head_items, tail_items} plus any setup
  // leaf that differs between seeds (dotted path, e.g. "protocol.negatives_dropped").
  std::map<uint64_t, nlohmann::json> per_seed;
  std::map<std::string, AlgorithmRecord> algorithms;  // by label
  nlohmann::json recorded = nlohmann::json::object();  // date, git_commit, tailrec_version, compiler, hardware, wall_seconds
};

// A baseline's name becomes a folder of `tailrec check` (<root>/<i>-<name>): an identifier, as an
// algorithm label is (1 to 100 ASCII letters, digits, '_', '.' or '-', starting with a letter,
// digit or '_'), so it can neither leave that folder nor break a line of output.
bool is_baseline_name(const std::string& name);

// FNV-1a (framework/util/hashing.hpp) of the setup's canonical JSON (sorted keys), 16 hex digits.
std::string setup_hash(const nlohmann::json& setup);

// Reads and validates a baseline file (strict: unknown or missing keys, wrong types, a protocol_hash
// that does not match the setup, a mean or std that does not match its values, a name that is not
// an identifier, a non-finite value, mean or std, a negative std, a tolerance that is negative or
// not finite are errors naming the file, line and key). `settings_only` reads just what --update keeps (name, description, overrides,
// seeds, tolerance), so a file whose measured part is damaged can still be regenerated.
Baseline read_baseline(const std::filesystem::path& path, bool settings_only = false);
// The file's text: a comment header (what it is, how to regenerate it), then the fields above.
std::string baseline_to_yaml(const Baseline& baseline);
// Written through write_file_atomically.
void write_baseline(const std::filesystem::path& path, const Baseline& baseline);

// The measured part of a baseline from one metrics.json per seed (seeds[i] -> runs[i]). Strings that
// start with `home` (tailrec_home()) are written as ${tailrec.home}/..., so a baseline recorded in one
// checkout compares with runs in another. Fills protocol_hash, setup, per_seed, algorithms.
void measure_baseline(Baseline& baseline, const std::vector<nlohmann::json>& runs, const std::filesystem::path& home);

// One row of the comparison: an algorithm's metric.
struct MetricComparison {
  std::string label;
  std::string metric;
  std::optional<MetricRecord> baseline;  // absent: the metric is new
  std::optional<MetricRecord> now;       // absent: the metric is missing now
  double difference = 0;                 // now.mean - baseline.mean
  double allowed = 0;                    // allowed_difference(...)
  bool passed = false;
  bool identical = false;                // every per-seed value equal, bit for bit
  std::string reason;                    // why it failed: "difference beyond tolerance", "missing now", ...
};
// One changed leaf of the setup or of a seed's facts.
struct SetupChange {
  std::string part;  // dataset, split, protocol, metric settings, evaluation set, seed <n>
  std::string path;  // dotted, e.g. "split.params.ratio" or "seed 43: split_hash"
  std::string before;
  std::string after;
};
struct Comparison {
  std::string baseline_hash;
  std::string now_hash;
  std::vector<SetupChange> setup_changes;  // seed-independent (the protocol hash)
  std::vector<SetupChange> seed_changes;   // per seed (split hashes, evaluated cases, ...)
  std::vector<MetricComparison> metrics;   // by label, then metric name
  std::vector<std::string> notes;          // informational: changed algorithm parameters
  bool protocol_changed() const { return baseline_hash != now_hash || !setup_changes.empty(); }
  bool passed() const;
};
Comparison compare_baseline(const Baseline& baseline, const Baseline& now);

}  // namespace tailrec
