#pragma once
// `tailrec report`, stratified accuracy: the ranking metrics a run reported per item-popularity
// group and per user-activity group (metrics.json "strata" and algorithms.<label>.strata, see
// docs/reports.md), as one table per (dimension, metric) with mean ± std over each setting's runs,
// and a plot of the metric over the groups (one line per setting). Runs without "strata" add nothing.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "experiments/report/data.hpp"
#include "experiments/report/plots.hpp"
#include "framework/evaluation/statistics.hpp"

namespace tailrec {

// One group as the runs define it ("head", "tail", "cold", "q1", ...).
struct StrataGroup {
  std::string name;
  std::string description;  // from the first run that defines the group (counts may differ between folds)
  // Numeric fields of the group's definition ("items", "relevant", "users"), in file order, with
  // their value in each run that defines the group.
  std::vector<std::pair<std::string, std::vector<double>>> counts;
};

struct StrataTable {
  std::string dimension;  // "items" | "users"
  std::string title;      // "Accuracy by item popularity: ndcg@10"
  std::string by;         // how the groups were formed ("long_tail", "quantiles"); "a, b" when runs differ
  std::string metric;
  std::vector<StrataGroup> groups;     // in the runs' order (first run first, then groups new in later runs)
  std::vector<std::string> settings;   // settings with a value in some group
  std::vector<std::vector<Summary>> values;  // [setting][group]: over the setting's runs, null skipped
  std::vector<std::vector<bool>> present;    // [setting][group]: some run has a non-null value
};

// Per dimension ("items" first, then "users") and per stratified metric (the runs' order), one
// table; empty when no run of the context has "strata".
std::vector<StrataTable> strata_tables(const ReportData& data, const Context& context);

// x = the groups in order, y = the table's metric (mean, bars: std over runs), one line per setting.
PlotSource strata_plot(const StrataTable& table, const std::string& stem, const ColourMap& colours);

// The section body: for each table its groups (name, definition, counts) and its values.
std::string strata_markdown(const std::vector<StrataTable>& tables);
std::string strata_html(const std::vector<StrataTable>& tables);
// report.csv rows in its columns: metric "<metric>[<dimension>=<group>]" as in metrics.csv, not tested.
std::string strata_csv(const std::string& context, const std::vector<StrataTable>& tables);

}  // namespace tailrec
