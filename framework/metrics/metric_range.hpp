#pragma once
// The range a metric's values can take, declared once in its registry description (the line
// "range: [0, 1]", shown by `tailrec list metrics`). `tailrec report` flags a stored value outside it:
// a run folder is anyone's to edit, and ndcg = -5 or 1.7 must not pass for a result.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tailrec {

struct Registries;

struct MetricRange {
  double low = 0, high = 0;
  std::string text;  // "[0, 1]", "[0, 10]" (aclt@10), "[0, inf)"
};

// The range of a "range: [LOW, HIGH]" line of a description (HIGH a number, "k" for the cut-off `k`,
// or "inf" with a closing ')'); nullopt without such a line.
std::optional<MetricRange> declared_range(std::string_view description, int k);

// The range of a metric as metrics.json names it: "ndcg@10", "ndcg@10[full]", "rmse". nullopt for a
// name no registered metric has (protocol=replay's pooled figures) and for "[corrected]" estimates
// (an estimate of a full-ranking value may stray outside the metric's range).
std::optional<MetricRange> metric_range(const Registries& registries, const std::string& metric);

// What is wrong with a stored value: "" when it is a number within the range (a margin of 1e-9 for
// rounding) or null (undefined, as tailrec writes NaN); else "not a number" or "out of range [0, 1]".
std::string range_problem(const nlohmann::json& value, const std::optional<MetricRange>& range);

}  // namespace tailrec
