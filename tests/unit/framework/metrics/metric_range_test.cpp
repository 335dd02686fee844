// Metric ranges: declared once in each registry description, read back by name as metrics.json
// spells it, and the judgement of a stored value.
#include "framework/metrics/metric_range.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "framework/config/registries.hpp"

namespace tailrec {
namespace {

const Registries& metric_registries() {
  static Registries r;
  static const bool filled = (register_metrics(r), true);
  (void)filled;
  return r;
}

TEST(MetricRange, EveryRegisteredMetricDeclaresOne) {
  for (const auto& entry : metric_registries().metrics.entries())
    EXPECT_TRUE(declared_range(entry.description, 10).has_value()) << entry.name;
}

TEST(MetricRange, ReadByTheNameMetricsJsonUses) {
  const auto& r = metric_registries();
  EXPECT_EQ(metric_range(r, "ndcg@10")->text, "[0, 1]");
  EXPECT_EQ(metric_range(r, "ndcg@10[full]")->text, "[0, 1]");
  EXPECT_EQ(metric_range(r, "aclt@20")->text, "[0, 20]");
  EXPECT_DOUBLE_EQ(metric_range(r, "aclt@20")->high, 20);
  EXPECT_EQ(metric_range(r, "rmse")->text, "[0, inf)");
  EXPECT_TRUE(std::isinf(metric_range(r, "novelty@10")->high));
  EXPECT_FALSE(metric_range(r, "ndcg@10[corrected]"));  // an estimate may stray outside
  EXPECT_FALSE(metric_range(r, "tail_share_of_hits"));  // replay's pooled figures: not registered
  EXPECT_FALSE(metric_range(r, "ndcg@x"));
  EXPECT_FALSE(declared_range("Summary.\nno range here", 10));
  EXPECT_EQ(declared_range("Summary.\nrange: [-1, 1]", 10)->text, "[-1, 1]");
}

TEST(MetricRange, StoredValuesJudged) {
  const auto unit = metric_range(metric_registries(), "ndcg@10");
  EXPECT_EQ(range_problem(0.5, unit), "");
  EXPECT_EQ(range_problem(1.0 + 1e-12, unit), "");  // rounding
  EXPECT_EQ(range_problem(nullptr, unit), "");      // undefined (NaN as tailrec writes it)
  EXPECT_EQ(range_problem(-5, unit), "out of range [0, 1]");
  EXPECT_EQ(range_problem(1.7, unit), "out of range [0, 1]");
  EXPECT_EQ(range_problem("NaN", unit), "not a number");
  EXPECT_EQ(range_problem(true, unit), "not a number");
  EXPECT_EQ(range_problem(1e6, metric_range(metric_registries(), "arp@10")), "");
  EXPECT_EQ(range_problem(-1, metric_range(metric_registries(), "arp@10")), "out of range [0, inf)");
  EXPECT_EQ(range_problem(-1, std::nullopt), "");
}

}  // namespace
}  // namespace tailrec
