#pragma once
// The evaluator: scores users in blocks, masks each user's training items (full ranking) or
// gathers the protocol's candidates, selects top-k with the docs/metrics.md tie rule, and computes
// every metric in the same pass. Multithreaded, with results identical for any thread count:
// blocks have a fixed size that depends only on the memory budget and the catalog size, each
// block writes only its own slots, and means are summed in user order afterwards.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/evaluation/strata.hpp"
#include "framework/metrics/metric.hpp"
#include "framework/model/algorithm.hpp"
#include "framework/protocols/protocol.hpp"

namespace tailrec {

struct EvaluationInput {
  const Interactions& train;
  const Interactions& test;          // for rating metrics (every test pair)
  const std::vector<EvalCase>& cases;
  bool relevant_loses_ties = false;  // the protocol's tie rule
  const MetricContext& context;
};

struct EvaluationOptions {
  int threads = 1;
  int64_t memory_budget_bytes = int64_t{1} << 30;  // score buffers of all threads together
  int list_length = 10;  // length of the stored lists: k_max, or the longest candidate list for metrics that need every candidate
  std::function<void(int64_t done, int64_t total)> progress;  // called from worker threads
  // The data the model was fitted on. A user without an interaction there is cold; when the model
  // has no information about cold users (Algorithm::ranks_cold_users), her cases get an empty list
  // (every accuracy metric counts it as a miss) instead of a ranking of ties. Null: no user is cold.
  const Interactions* fitted_on = nullptr;
  // Fold-in: every user is scored from her row here through Algorithm::score_history (the model is
  // not refitted), and a user with a row here is not cold. Her history items must be in
  // EvaluationInput::train, which masks them. Null: users are scored by Algorithm::score.
  const Interactions* history = nullptr;
  // Items that are never candidates (sorted; protocol.candidates, protocol.catalog). Null: every item
  // the user did not train on is a candidate.
  const std::vector<int32_t>* excluded_items = nullptr;
  // protocol.candidates=cold: the candidates are the items without a training interaction; a model
  // that does not score such items (Algorithm::scores_cold_items) then gives empty lists.
  bool cold_candidates = false;
  // Item groups for stratified accuracy: every metric that judges relevance (Metric::judges_relevance)
  // is computed again per group, with only the group's relevant items counting. Null: none.
  const Strata* item_strata = nullptr;
};

struct Evaluation {
  std::vector<std::string> metric_names;  // in the order of the metrics given
  std::vector<double> values;             // one per metric; NaN when no user (case) counted
  // Per-user values of PerUser and PerCase metrics (the mean over the user's cases): users[u] and
  // per_user[m][u] (NaN = not counted).
  std::vector<int32_t> users;
  std::vector<std::string> per_user_names;
  std::vector<std::vector<double>> per_user;
  // The ranked lists: case c has list_size[c] items at lists[c * list_length ...]; list_length is
  // stored_list_length(EvaluationOptions::list_length, catalog size).
  int list_length = 0;
  std::vector<int32_t> case_users;
  std::vector<int32_t> lists;
  std::vector<float> list_scores;
  std::vector<int32_t> list_size;
  // Per case with candidate lists and exactly one relevant item: that item's 1-based rank among all
  // the case's candidates (the protocol's tie rule), for the sampled-metric correction. 0 for full
  // ranking, several relevant items, or an empty list.
  std::vector<int32_t> relevant_rank;
  int64_t block_size = 0;  // users scored per block (for logs)
  // Cold users (EvaluationOptions::fitted_on) the model had no information about: their lists are empty.
  std::vector<int32_t> uninformed_users;
  // The candidates were cold items (EvaluationOptions::cold_candidates) and the model cannot score them:
  // every list is empty.
  bool blind_to_candidates = false;
  // Stratified accuracy (EvaluationOptions::item_strata): the metrics that judge relevance, and per
  // item group g their values item_strata_values[g][m]: the mean over the users with a relevant item
  // in the group of their mean over such cases (NaN = none).
  std::vector<std::string> stratified_names;
  std::vector<std::vector<double>> item_strata_values;
};

// The length of the lists evaluate() stores per case (Evaluation::list_length, 8 bytes an item):
// min(list_length, num_items), at least 1. A metric's k beyond the catalog changes no list, so no
// value: only precision@k, which divides by k, sees it.
int stored_list_length(int list_length, int32_t num_items);

// Users scored per block for a catalog of `num_items` under `budget` bytes (independent of threads).
int64_t evaluation_block_size(int32_t num_items, int64_t budget_bytes);

Evaluation evaluate(const Algorithm& algorithm, const EvaluationInput& input,
                    const std::vector<std::unique_ptr<Metric>>& metrics, const EvaluationOptions& options);

}  // namespace tailrec
