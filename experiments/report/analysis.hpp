#pragma once
// `tailrec report`, part 2: the numbers a report shows, computed from loaded runs
// (experiments/report/data.hpp): per-setting summaries over seeds with paired significance tests
// against each column's best setting, the accuracy/long-tail trade-off, the popularity-bias
// (exposure) curves and metrics by user-activity bucket. See docs/reports.md for the conventions.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiments/report/data.hpp"
#include "framework/evaluation/statistics.hpp"

namespace tailrec {

// "ndcg@10" -> "ndcg"; "rmse" -> "rmse".
std::string metric_base(const std::string& metric);
// "ndcg@10" -> 10; no cut-off -> 0.
int metric_cutoff(const std::string& metric);
// Smaller is better for rmse, mae, arp, gini, gini_so_far, pop_reo, pop_rsp (error, popularity, inequality).
bool lower_is_better(const std::string& metric);
bool is_accuracy_metric(const std::string& metric);
bool is_long_tail_metric(const std::string& metric);
// ndcg@K at the largest accuracy cut-off K present, else the first accuracy metric at that K; "" if none.
std::string default_accuracy_metric(const std::vector<std::string>& metrics);
// aplt@K at the largest K present, else the first long-tail metric; "" if none.
std::string default_long_tail_metric(const std::vector<std::string>& metrics);

enum class TestKind { Wilcoxon, T };
TestKind parse_test_kind(const std::string& text);  // "wilcoxon" | "t"
std::string test_description(TestKind kind);

struct Cell {
  bool present = false;            // at least one replicate has a value
  Summary summary;                 // over replicates (seeds, folds), NaN skipped
  std::vector<double> values;      // one per run of the setting (NaN: undefined there)
  bool best = false;               // best mean of the column (ties: all)
  bool tested = false;             // compared with the column's best by a paired test
  size_t pairs = 0;                // users, or (fold, user) pairs, in that test
  double p_value = 0;              // raw two-sided p
  double p_adjusted = 0;           // Holm-adjusted across the column's comparisons
  bool significant = false;        // p_adjusted < alpha
  // A stored value of the cell is not a number or outside the metric's range ("out of range [0, 1]",
  // report_metric_range): the renderers print it beside the value, and the cell is never the best.
  std::string problem;
};

struct ResultTable {
  std::string title;
  std::vector<std::string> metrics;
  std::vector<bool> lower_better;  // per metric
  std::vector<bool> per_user;      // per metric: per-user values exist, so the column is tested
  std::vector<std::string> settings;
  std::vector<std::vector<uint64_t>> seeds;  // per setting, one per run (a seed repeats once per fold)
  // The split parameter that indexes replicates ("fold"), "" when the runs are replicated by seed
  // only; then replicates[setting] holds each run's value of it, aligned with seeds.
  std::string replicate_parameter;
  std::vector<std::vector<std::string>> replicates;
  std::vector<std::vector<Cell>> cells;      // [setting][metric]
  TestKind test = TestKind::Wilcoxon;
  double alpha = 0.05;
};

// Per-user values of one metric for settings a and b: for each run of a, the run of b with the
// same seed, the same replicate (fold) and the same split hash (the first, if several) is matched.
// One pair per unit: a user when runs differ only by seed, a (fold, user) when they are folds of a
// split (a user's test interactions of different folds are different data). A unit's value is its
// mean over the matched runs (seeds) in which it was evaluated by both (NaN when undefined in all).
// Units appear in order of first appearance; runs without a partner are left out.
struct PairedValues {
  std::vector<double> a, b;
  size_t seeds = 0;  // run pairs used
};
PairedValues paired_per_user(const ReportData& data, const Setting& a, const Setting& b, const std::string& metric);

ResultTable build_table(const ReportData& data, const Context& context, TestKind test, double alpha);

// Plot 1: the accuracy/long-tail trade-off, one point per setting (mean, std over seeds).
struct TradeoffPoint {
  std::string setting;
  Summary x, y;
};
struct TradeoffData {
  std::string x_metric, y_metric;
  std::vector<TradeoffPoint> points;
};
// Settings where both metrics are present; metrics must be columns of the table (else an error
// naming the available ones).
TradeoffData tradeoff_data(const ResultTable& table, const std::string& x_metric, const std::string& y_metric);

// Plot 2: the popularity-bias curve. share[j] = fraction of all top-k slots of a setting that went
// to the ranks[j] most popular training items (mean over its runs); `training` the same for
// training interactions (train_users), mean over the context's runs.
struct ExposureCurve {
  std::string setting;
  std::vector<double> share;
};
struct ExposureData {
  std::vector<int64_t> ranks;
  std::vector<double> training;
  std::vector<ExposureCurve> curves;
  int64_t head_items = 0;
  int64_t items = 0;
};
// About `points` log-spaced ranks in [1, items], plus head_items and items, ascending and distinct.
std::vector<int64_t> curve_ranks(int64_t items, int64_t head_items, int points = 120);
// At each rank r of `ranks`: sum of counts[0..r) / sum of counts (counts in popularity-rank order).
std::vector<double> cumulative_share(const std::vector<int64_t>& counts, const std::vector<int64_t>& ranks);
std::optional<ExposureData> exposure_data(const ReportData& data, const Context& context);

// Plot 3: a metric by user-activity bucket.
struct ActivityBucket {
  std::string name;  // "cold", "light", "medium", "active", "heavy" for 5 buckets, else "Q1".."Qn"
  int64_t low = 0, high = 0;  // train_items range, inclusive
};
// Quantile buckets of integer activity values: sorted v_0..v_{n-1}, bucket b's lower edge is
// v_floor(b*n/B); equal edges merge; a bucket ends one below the next edge, the last at max(v).
std::vector<ActivityBucket> activity_buckets(std::vector<int64_t> values, int buckets);
// The bucket holding `value` (the last whose low <= value).
size_t bucket_of(const std::vector<ActivityBucket>& buckets, int64_t value);
struct ActivityData {
  std::string metric;
  std::vector<ActivityBucket> buckets;
  std::vector<double> users;                 // per bucket: evaluated users per run (mean over runs)
  std::vector<std::string> settings;
  std::vector<std::vector<Summary>> values;  // [setting][bucket]: per-run bucket means, summarized over runs
  std::vector<std::vector<bool>> present;    // [setting][bucket]
};
// Edges from the pooled (run, user) activity of the context's evaluated users.
std::optional<ActivityData> activity_data(const ReportData& data, const Context& context, const std::string& metric,
                                          int buckets);

}  // namespace tailrec
