#pragma once
// The plan of an experiment: the composed config turned into typed, validated components (every
// config key checked, every component built) before any data is read. The runner executes it
// (framework/run/runner.hpp); sweeps plan every job first (experiments/sweep.hpp).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/config/algorithm_entry.hpp"
#include "framework/config/config.hpp"
#include "framework/config/registries.hpp"
#include "framework/data/preprocess.hpp"
#include "framework/evaluation/strata.hpp"
#include "framework/metrics/long_tail.hpp"

namespace tailrec {

using AlgorithmPlan = AlgorithmEntry;  // one entry of `algorithms:`, read and checked

struct ExperimentPlan {
  std::string experiment;
  // run.*
  uint64_t seed = 0;
  int threads = 1;
  std::string device = "cpu";
  std::filesystem::path run_dir;
  bool overwrite = false;
  int64_t memory_budget_bytes = 0;
  bool use_cache = true;
  std::filesystem::path cache_dir;
  bool progress = true;
  // run.evaluate_on: "test", or "validation" (tuning: the validation carve-out is ranked instead of
  // the test split, which is then not used)
  std::string evaluate_on = "test";
  // run.explain: a `why` column in recommendations.tsv with run.explain_reasons reasons per item
  bool explain = false;
  int explain_reasons = 3;
  // run.anonymize_users: output files name users by HMAC-SHA256(salt, id) (framework/data/anonymize.hpp);
  // the salt is run.anonymize_salt, else generated per run; either way only the run's private file holds it
  bool anonymize_users = false;
  std::string anonymize_salt;
  // dataset + preprocess
  std::string dataset_name;
  std::string dataset_loader;
  std::unique_ptr<DatasetSource> source;
  nlohmann::json dataset_params;
  PreprocessOptions preprocess;
  // split
  std::string split_name;
  std::unique_ptr<Splitter> splitter;
  Params split_params;
  // Files the split supplies as the dataset's interactions (Splitter::interaction_files); empty:
  // the dataset's own files.
  std::vector<std::filesystem::path> split_files;
  double validation_ratio = 0;
  uint64_t split_seed = 0;
  // protocol + metrics
  std::string protocol_name;
  std::unique_ptr<Protocol> protocol;
  // protocol.cold_users: evaluate test users without training interactions (true) or leave them out
  bool evaluate_cold_users = false;
  // protocol.candidates=cold: lists are drawn from the items without a training interaction only
  bool cold_candidates = false;
  // protocol.catalog=train: only items with a training interaction are candidates (else every item)
  bool train_catalog = false;
  // protocol.also_full: a candidate protocol's run also ranks the full catalog for the same users
  bool also_full = false;
  // protocol.correction=bv (with protocol.correction_gamma): corrected estimates beside uniformly sampled values
  bool correct_sampled = true;
  double correction_gamma = 0.1;
  nlohmann::json protocol_settings;  // the protocol-level keys as resolved (cold_users, candidates, ...), for results
  std::vector<std::unique_ptr<Metric>> metrics;
  int list_length = 10;                // the largest metric cut-off (k)
  bool whole_candidate_lists = false;  // a metric needs every candidate ranked (imp_auc, imp_mrr)
  std::optional<double> relevance_threshold;
  std::string long_tail_definition = "pareto";
  double long_tail_parameter = 0.8;
  StrataSettings strata;  // metrics.strata: the item and user groups of stratified accuracy
  std::vector<AlgorithmPlan> algorithms;
  // the composed config (resolved, with algorithm defaults expanded) and the overrides
  std::string config_yaml;
  std::vector<std::string> overrides;
};

// Builds every component from `config` (strict: unknown keys, wrong types and unknown names are
// errors). `search_path` is where configs/algorithm/<name>.yaml defaults are found.
ExperimentPlan plan_experiment(Config& config, const Registries& registries,
                               const std::vector<std::filesystem::path>& search_path);

// The long tail named by metrics.long_tail (pareto, top_fraction or bottom_fraction) over `phi`.
LongTail make_long_tail(const std::string& definition, double parameter, const std::vector<int32_t>& phi);

}  // namespace tailrec
