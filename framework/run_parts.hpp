#pragma once
// Internal to the runner: what runner.cpp hands to the loop that fits and evaluates the algorithms
// (its own for the single-split protocols, replay_run.cpp's for protocol=replay) and what that loop
// returns for metrics.json and the console table.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/algorithm.hpp"
#include "framework/anonymize.hpp"
#include "framework/long_tail.hpp"
#include "framework/run_folder.hpp"
#include "framework/runner.hpp"
#include "framework/split.hpp"

namespace tailrec {

struct RunPieces {
  const ExperimentPlan& plan;
  const Registries& registries;
  Logger& log;
  SharedWork* shared;
  const RunFolder& folder;
  const Dataset& data;
  Device device;
  const UserNames& users;  // how output files name users (run.anonymize_users)
};

struct AlgorithmsOutcome {
  nlohmann::json results = nlohmann::json::object();  // metrics.json "algorithms"
  std::vector<std::string> header;                    // the console table
  std::vector<std::vector<std::string>> rows;
  size_t evaluated_cases = 0;
  LongTail tail;                                      // of the (initial) training data
  nlohmann::json extra = nlohmann::json::object();    // more top-level metrics.json keys
};

// protocol=replay (framework/replay.hpp): every algorithm through the rounds of `split.test`.
AlgorithmsOutcome run_replay(const RunPieces& run, const SplitResult& split);

// A fit context for `train` with the run's settings; work_dir = <run>/work/<label>.
FitContext fit_context(const RunPieces& run, const Interactions& train, const Interactions* validation,
                       const std::string& label);

// A TSV field: tabs and newlines become spaces.
std::string tsv_escape(const std::string& text);

// The `why` cell of (user, item): run.explain_reasons reasons rendered (framework/explanation.hpp).
std::string why_cell(const RunPieces& run, const Algorithm& algorithm, int32_t user, int32_t item);

std::string format_metric_value(double v);  // console tables: 4 decimals, n/a for NaN

}  // namespace tailrec
