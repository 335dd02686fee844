#pragma once
// Stratified accuracy of a single-split run (metrics.strata; docs/metrics.md, "Stratified
// accuracy"): the item and user groups of the run's cases, and each algorithm's metrics per group
// as metrics.json, metrics.csv and run.log show them.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/evaluation/evaluator.hpp"
#include "framework/evaluation/strata.hpp"

namespace tailrec {

class StratifiedAccuracy {
 public:
  // `known`: what each user is known to have when her list is drawn (activity); `context.phi` and
  // `context.tail`: the training popularity the item groups follow.
  StratifiedAccuracy(const StrataSettings& settings, const MetricContext& context, const std::vector<EvalCase>& cases,
                     const Interactions& known, const std::vector<std::unique_ptr<Metric>>& metrics);

  // For EvaluationOptions::item_strata: null without item groups or stratified metrics.
  const Strata* item_strata() const;
  // metrics.json "strata": the stratified metrics and each group's definition and size.
  nlohmann::json definitions() const;
  // metrics.json "algorithms"[label]["strata"]: {"items": {group: {metric: value}}, "users": ...}.
  nlohmann::json values(const Evaluation& evaluation) const;
  // metrics.csv: "<metric>[items=<group>]" ... then "<metric>[users=<group>]" ..., and one row's cells.
  // A non-empty `kind` (sampled) marks the values: "<metric>[sampled][items=<group>]".
  std::vector<std::string> csv_columns(const std::string& kind = "") const;
  std::vector<std::string> csv_cells(const Evaluation& evaluation) const;
  // run.log: the first stratified metric per group, one line per kind of group ("" when none).
  std::vector<std::string> log_lines(const Evaluation& evaluation) const;

 private:
  // values[g][m] of the item groups (from the evaluator) or the user groups (means of per-user values).
  std::vector<std::vector<double>> item_values(const Evaluation& evaluation) const;
  std::vector<std::vector<double>> user_values(const Evaluation& evaluation) const;

  std::vector<std::string> metrics_;  // the stratified metrics' names
  std::string items_by_;              // metrics.strata.items
  Strata items_, users_;
  std::vector<int64_t> item_relevant_;  // (case, relevant item) pairs per item group
};

}  // namespace tailrec
