#pragma once
// An evaluation loop fits and evaluates every algorithm of a run and writes the run's result
// tables. The protocol picks its loop at plan time (Protocol::make_loop); the runner loads the
// data, prepares the split, hands both to the loop and writes metrics.json from what it returns.
// A new kind of evaluation is a new loop: the runner and the other loops stay as they are.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/data/anonymize.hpp"
#include "framework/metrics/long_tail.hpp"
#include "framework/model/algorithm.hpp"
#include "framework/protocols/protocol.hpp"
#include "framework/run/run_folder.hpp"
#include "framework/splits/split.hpp"

namespace tailrec {

struct ExperimentPlan;
struct Registries;
class Logger;
class SharedWork;

// A split and its interaction matrices: what every algorithm of a run (and every job of a sweep
// on the same data, split and seed) trains and is evaluated on.
struct PreparedSplit {
  SplitResult split;
  std::string hash;
  Interactions train, test, validation;
  // The fold-in histories of the held-out test and validation users (Splitter::needs_fold_in);
  // empty matrices for other splits.
  Interactions test_history, validation_history;
  // What a user is known to have seen when the test lists are drawn: training plus the validation
  // carve-out (as RecBole masks both) plus the test users' fold-in histories. Models are fitted on
  // training alone. Empty when that is training alone.
  std::optional<Interactions> seen_for_test;
  // The same when the validation lists are drawn (run.evaluate_on=validation): training plus the
  // validation users' fold-in histories. Empty when that is training alone.
  std::optional<Interactions> seen_for_validation;
};

// The prepared split as this run evaluates it (run.evaluate_on chooses test or the carve-out).
struct RunSplit {
  const PreparedSplit& prepared;
  std::string key;                  // data + split recipe + seed: keys the sweep's shared work
  const Interactions* validation;   // the carve-out models may tune on; null without one
  const Interactions& seen;         // masked when lists are drawn
  const Interactions& test;         // the test split, or the carve-out with run.evaluate_on=validation
  // The evaluated users' fold-in histories (Splitter::needs_fold_in): they are scored from these rows
  // through Algorithm::score_history, never from training. Null for splits without fold-in.
  const Interactions* history = nullptr;
};

// What a loop works with.
struct RunContext {
  const ExperimentPlan& plan;
  const Registries& registries;
  Logger& log;
  SharedWork* shared;
  const RunFolder& folder;
  const Dataset& data;
  Device device;
  const UserNames& users;  // how output files name users (run.anonymize_users)
};

// What a loop returns, for metrics.json and the console table.
struct LoopOutcome {
  nlohmann::json results = nlohmann::json::object();  // metrics.json "algorithms"
  std::vector<std::string> header;                    // the console table
  std::vector<std::vector<std::string>> rows;
  size_t evaluated_cases = 0;
  LongTail tail;                                      // of the (initial) training data
  nlohmann::json extra = nlohmann::json::object();    // more top-level metrics.json keys
  std::vector<std::string> notes;                     // lines printed under the console table
};

class EvaluationLoop {
 public:
  virtual ~EvaluationLoop();
  virtual LoopOutcome run(const RunContext& run, const RunSplit& split) const = 0;
};

// Test users without any interaction in the data the models are fitted on (protocol.cold_users).
struct ColdUsers {
  bool evaluated = false;  // protocol.cold_users=evaluate: their cases are kept
  int64_t users = 0;       // distinct users with a case, no training interaction and no fold-in history
  int64_t cases = 0;       // their cases
  nlohmann::json to_json() const;  // metrics.json "cold_users"
};
// Counts the cold users of `cases` (no row in `train` and none in the fold-in `history`, when
// given), logs them and, unless the plan evaluates them, removes their cases.
ColdUsers take_cold_users(std::vector<EvalCase>& cases, const Interactions& train, const Interactions* history,
                          const ExperimentPlan& plan, Logger& log);

// The items lists are drawn from: protocol.candidates (all, or cold: only items without a training
// interaction) and protocol.catalog (all, or train: only items with one).
struct CandidateItems {
  bool cold_only = false;           // protocol.candidates=cold
  bool train_catalog = false;       // protocol.catalog=train
  std::vector<int32_t> excluded;    // sorted: items that are never candidates (warm with cold_only, cold with train_catalog)
  std::vector<uint8_t> in_catalog;  // per item: 1 = a candidate; empty = every item (MetricContext::in_catalog)
  int64_t catalog_items = 0;        // items that are candidates
  int64_t relevant_dropped = 0;     // relevant test items outside the candidates, dropped
  int64_t cases_dropped = 0;        // cases left without a relevant item
  nlohmann::json candidates_json() const;  // metrics.json "candidates"
  nlohmann::json catalog_json() const;     // metrics.json "catalog"
};
// Finds the candidate items (`train`: what cold and warm are relative to), keeps only relevant
// items among them in `cases` (dropping cases left without one) and logs what it dropped; an error
// when protocol.candidates=cold finds no cold item.
CandidateItems take_candidate_items(std::vector<EvalCase>& cases, const Interactions& train, const ExperimentPlan& plan,
                                    Logger& log);

// A fit context for `train` with the run's settings; work_dir = <run>/work/<label>.
FitContext fit_context(const RunContext& run, const Interactions& train, const Interactions* validation,
                       const std::string& label);

// The `why` cell of (user, item): run.explain_reasons reasons rendered (framework/model/explanation.hpp).
std::string why_cell(const RunContext& run, const Algorithm& algorithm, int32_t user, int32_t item);

// The run's long tail (metrics.long_tail) over the item popularity `phi`.
LongTail run_long_tail(const ExperimentPlan& plan, const std::vector<int32_t>& phi);

std::string format_metric_value(double v);  // console tables: 4 decimals, n/a for NaN
std::string format_exact(double v);         // result files: 17 significant digits, empty for NaN

}  // namespace tailrec
