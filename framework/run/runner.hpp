#pragma once
// The execution of an experiment plan: run folder -> load (or share, or read from the cache) and
// preprocess the dataset -> prepare the split -> the protocol's evaluation loop -> metrics.json,
// written last. See docs/architecture.md for the data flow.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "framework/run/experiment_plan.hpp"

namespace tailrec {

class Logger;
class SharedWork;

struct RunOutcome {
  std::filesystem::path folder;
  nlohmann::json metrics;  // the content of metrics.json
  std::string table;       // the console table
};

// `shared` (may be null) lets the runs of one process (a sweep's jobs) load the dataset, split it
// and embed item texts once.
RunOutcome run_experiment(ExperimentPlan& plan, const Registries& registries, Logger& log,
                          SharedWork* shared = nullptr);

}  // namespace tailrec
