// `tailrec report` numbers: summaries over seeds, bold, paired tests with Holm, exposure curves,
// activity buckets. Expected values are worked out by hand from tests/unit/experiments/report/report_fixtures.hpp.
#include "experiments/report/analysis.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "framework/util/error.hpp"
#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

using testing::TempDir;
using testing::standard_run;
using testing::write_fixture_run;

// t_{0.975, 1}: the 95% two-sided Student-t quantile with one degree of freedom (tables: 12.7062).
constexpr double kT975Df1 = 12.706204736174707;

struct Loaded {
  TempDir dir;
  ReportData data;
  Loaded() {
    write_fixture_run(dir / "s1", standard_run(1));
    write_fixture_run(dir / "s2", standard_run(2));
    data = load_report_data({dir / "s1", dir / "s2"});
  }
};

size_t column(const ResultTable& t, const std::string& metric) {
  return static_cast<size_t>(std::find(t.metrics.begin(), t.metrics.end(), metric) - t.metrics.begin());
}
size_t row(const ResultTable& t, const std::string& setting) {
  return static_cast<size_t>(std::find(t.settings.begin(), t.settings.end(), setting) - t.settings.begin());
}

TEST(ReportAnalysis, MetricHelpers) {
  EXPECT_EQ(metric_base("tail_recall@20"), "tail_recall");
  EXPECT_EQ(metric_cutoff("ndcg@20"), 20);
  EXPECT_EQ(metric_cutoff("rmse"), 0);
  EXPECT_TRUE(lower_is_better("gini@10"));
  EXPECT_TRUE(lower_is_better("rmse"));
  EXPECT_FALSE(lower_is_better("ndcg@10"));
  EXPECT_EQ(default_accuracy_metric({"precision@5", "ndcg@5", "precision@20", "ndcg@20", "aplt@20"}), "ndcg@20");
  EXPECT_EQ(default_accuracy_metric({"precision@5", "recall@20", "hit@20"}), "recall@20");
  EXPECT_EQ(default_accuracy_metric({"coverage@10"}), "");
  EXPECT_EQ(default_long_tail_metric({"ndcg@10", "aplt@5", "aplt@10"}), "aplt@10");
  EXPECT_EQ(default_long_tail_metric({"ndcg@10", "coverage@10", "tail_recall@10"}), "coverage@10");
  EXPECT_THROW(parse_test_kind("ttest"), Error);
}

TEST(ReportAnalysis, MeanStdAndConfidenceIntervalOverSeeds) {
  Loaded l;
  const auto t = build_table(l.data, l.data.contexts[0], TestKind::Wilcoxon, 0.05);
  const auto& knn = t.cells[row(t, "knn")][column(t, "ndcg@10")];
  // Seeds 0.65 and 0.70: mean 0.675, sample std |0.05| / sqrt(2).
  EXPECT_EQ(knn.summary.n, 2u);
  EXPECT_NEAR(knn.summary.mean, 0.675, 1e-12);
  EXPECT_NEAR(knn.summary.std, 0.05 / std::sqrt(2.0), 1e-12);
  // CI half-width t * std / sqrt(n) = 12.7062 * 0.025.
  EXPECT_NEAR(knn.summary.ci_low, 0.675 - kT975Df1 * 0.025, 1e-9);
  EXPECT_NEAR(knn.summary.ci_high, 0.675 + kT975Df1 * 0.025, 1e-9);
  const auto& pop = t.cells[row(t, "pop")][column(t, "ndcg@10")];
  EXPECT_NEAR(pop.summary.mean, (0.3375 + 0.2875) / 2, 1e-12);
  const auto& rnd = t.cells[row(t, "rand")][column(t, "ndcg@10")];
  EXPECT_NEAR(rnd.summary.std, 0.0725 / std::sqrt(2.0), 1e-12);
}

TEST(ReportAnalysis, BoldFollowsTheMetricsDirection) {
  Loaded l;
  const auto t = build_table(l.data, l.data.contexts[0], TestKind::Wilcoxon, 0.05);
  const auto best = [&](const std::string& metric) {
    std::vector<std::string> out;
    for (size_t s = 0; s < t.settings.size(); ++s)
      if (t.cells[s][column(t, metric)].best) out.push_back(t.settings[s]);
    return out;
  };
  EXPECT_EQ(best("ndcg@10"), std::vector<std::string>{"knn"});   // largest mean 0.675
  EXPECT_EQ(best("aplt@10"), std::vector<std::string>{"rand"});  // largest mean 0.55
  EXPECT_EQ(best("gini@10"), std::vector<std::string>{"rand"});  // smallest mean 0.41
  EXPECT_TRUE(t.lower_better[column(t, "gini@10")]);
  EXPECT_FALSE(t.per_user[column(t, "gini@10")]);  // aggregate: not tested
  for (const auto& r : t.cells) EXPECT_FALSE(r[column(t, "gini@10")].tested);
}

TEST(ReportAnalysis, WilcoxonExactWithHolmAcrossTheColumn) {
  Loaded l;
  const auto t = build_table(l.data, l.data.contexts[0], TestKind::Wilcoxon, 0.05);
  const size_t m = column(t, "ndcg@10");
  const auto& pop = t.cells[row(t, "pop")][m];
  const auto& rnd = t.cells[row(t, "rand")][m];
  const auto& knn = t.cells[row(t, "knn")][m];
  EXPECT_FALSE(knn.tested);
  ASSERT_TRUE(pop.tested);
  ASSERT_TRUE(rnd.tested);
  EXPECT_EQ(pop.pairs, 4u);  // 4 users, each averaged over the 2 seeds
  // knn - pop per-user means over seeds: 0.525-0.375, 0.625-0.4, 0.725-0.3, 0.825-0.175 =
  // 0.15 0.225 0.425 0.65: 4 positive differences without ties, W- = 0: exact p = 2 / 2^4.
  EXPECT_DOUBLE_EQ(pop.p_value, 2.0 / 16);
  // knn - rand: 0.525-0.505, 0.625-0.45, 0.725-0.45, 0.825-0.45 = 0.02 0.175 0.275 0.375: also
  // all positive, p = 2 / 16.
  EXPECT_DOUBLE_EQ(rnd.p_value, 2.0 / 16);
  // Holm over the two: 2/16 * 2 = 4/16; then max(4/16, 2/16 * 1).
  EXPECT_DOUBLE_EQ(pop.p_adjusted, 4.0 / 16);
  EXPECT_DOUBLE_EQ(rnd.p_adjusted, 4.0 / 16);
  // Four users cannot reach 0.05 with an exact two-sided signed-rank test (smallest p = 1/8);
  // at alpha 0.3 both are marked.
  EXPECT_FALSE(pop.significant);
  EXPECT_FALSE(rnd.significant);
  const auto loose = build_table(l.data, l.data.contexts[0], TestKind::Wilcoxon, 0.3);
  EXPECT_TRUE(loose.cells[row(t, "pop")][m].significant);
  EXPECT_TRUE(loose.cells[row(t, "rand")][m].significant);
}

TEST(ReportAnalysis, PairedTTestOnPerUserMeans) {
  Loaded l;
  const auto t = build_table(l.data, l.data.contexts[0], TestKind::T, 0.05);
  const auto& pop = t.cells[row(t, "pop")][column(t, "ndcg@10")];
  ASSERT_TRUE(pop.tested);
  // Differences knn - pop of the per-user means: 0.15 0.225 0.425 0.65: mean 0.3625, sample sd
  // 0.2240722, t = 0.3625 / (0.2240722 / 2) = 3.235565; two-sided p with 3 df from the closed form
  // F(t) = 1/2 + (x / (1 + x^2) + atan x) / pi, x = t / sqrt 3: 0.0480124 (scipy.stats.ttest_rel
  // gives 0.04801235084340962).
  EXPECT_NEAR(pop.p_value, 0.04801235084340962, 1e-12);
}

TEST(ReportAnalysis, PairsOnlySeedsWhoseSplitsMatch) {
  Loaded l;
  auto& data = l.data;
  const auto& c = data.contexts[0];
  auto paired = paired_per_user(data, c.settings[0], c.settings[1], "ndcg@10");
  EXPECT_EQ(paired.seeds, 2u);
  // One value per user: the mean of her two seeds.
  const std::vector<double> a{0.525, 0.625, 0.725, 0.825}, b{0.375, 0.4, 0.3, 0.175};
  ASSERT_EQ(paired.a.size(), 4u);
  ASSERT_EQ(paired.b.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(paired.a[i], a[i], 1e-15);
    EXPECT_NEAR(paired.b[i], b[i], 1e-15);
  }
  // pop's seed-2 run as its own record whose split differs from knn's seed-2 split (as if the data
  // had changed between runs): only seed 1 pairs.
  RunRecord pop_seed2 = data.runs[1];
  pop_seed2.split_hash = "another-split";
  data.runs.push_back(pop_seed2);
  Setting pop = c.settings[1];
  pop.runs = {0, data.runs.size() - 1};
  paired = paired_per_user(data, c.settings[0], pop, "ndcg@10");
  EXPECT_EQ(paired.seeds, 1u);
  EXPECT_EQ(paired.a.size(), 4u);
}

TEST(ReportAnalysis, CumulativeExposureShares) {
  // knn seed 1 counts 3 3 1 1 0 (8 slots): shares at ranks 1, 2, 5 are 3/8, 6/8, 1.
  EXPECT_EQ(cumulative_share({3, 3, 1, 1, 0}, {1, 2, 5}), (std::vector<double>{3.0 / 8, 6.0 / 8, 1.0}));
  EXPECT_TRUE(std::isnan(cumulative_share({0, 0}, {1})[0]));
  EXPECT_EQ(curve_ranks(5, 2), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  const auto ranks = curve_ranks(10000, 2208, 50);
  EXPECT_EQ(ranks.front(), 1);
  EXPECT_EQ(ranks.back(), 10000);
  EXPECT_TRUE(std::find(ranks.begin(), ranks.end(), 2208) != ranks.end());
  EXPECT_TRUE(std::is_sorted(ranks.begin(), ranks.end()));
}

TEST(ReportAnalysis, ExposureCurvesAreMeansOverSeeds) {
  Loaded l;
  const auto e = exposure_data(l.data, l.data.contexts[0]);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->items, 5);
  EXPECT_EQ(e->head_items, 2);
  EXPECT_EQ(e->ranks, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  // Training interactions 4 3 2 1 0 of 10 (both seeds): 0.4 0.7 0.9 1 1.
  for (size_t j = 0; j < 5; ++j) EXPECT_NEAR(e->training[j], (std::vector<double>{0.4, 0.7, 0.9, 1, 1})[j], 1e-12);
  ASSERT_EQ(e->curves.size(), 3u);
  EXPECT_EQ(e->curves[0].setting, "knn");
  // knn: seed 1 3 3 1 1 0 -> 3/8 6/8 7/8 1 1; seed 2 4 2 1 1 0 -> 4/8 6/8 7/8 1 1; mean:
  const std::vector<double> knn = {3.5 / 8, 6.0 / 8, 7.0 / 8, 1, 1};
  for (size_t j = 0; j < 5; ++j) EXPECT_NEAR(e->curves[0].share[j], knn[j], 1e-12);
  // rand: seed 1 1 2 2 1 2 -> 1/8 3/8 5/8 6/8 1; seed 2 2 2 2 1 1 -> 2/8 4/8 6/8 7/8 1.
  const std::vector<double> rnd = {1.5 / 8, 3.5 / 8, 5.5 / 8, 6.5 / 8, 1};
  for (size_t j = 0; j < 5; ++j) EXPECT_NEAR(e->curves[2].share[j], rnd[j], 1e-12);
}

TEST(ReportAnalysis, QuantileActivityBuckets) {
  // 1..10 into 5: lower edges v[0], v[2], v[4], v[6], v[8] = 1 3 5 7 9.
  const auto b = activity_buckets({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5);
  ASSERT_EQ(b.size(), 5u);
  const std::vector<std::string> names = {"cold", "light", "medium", "active", "heavy"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(b[i].name, names[i]);
    EXPECT_EQ(b[i].low, static_cast<int64_t>(1 + 2 * i));
    EXPECT_EQ(b[i].high, static_cast<int64_t>(2 + 2 * i));
  }
  EXPECT_EQ(bucket_of(b, 1), 0u);
  EXPECT_EQ(bucket_of(b, 4), 1u);
  EXPECT_EQ(bucket_of(b, 10), 4u);
  // Ties merge: 1 1 1 1 2 3 into 3 -> edges v[0] = 1, v[2] = 1, v[4] = 2 -> [1, 1] and [2, 3].
  const auto tied = activity_buckets({1, 1, 1, 1, 2, 3}, 3);
  ASSERT_EQ(tied.size(), 2u);
  EXPECT_EQ(tied[0].name, "Q1");
  EXPECT_EQ(tied[0].low, 1);
  EXPECT_EQ(tied[0].high, 1);
  EXPECT_EQ(tied[1].low, 2);
  EXPECT_EQ(tied[1].high, 3);
}

TEST(ReportAnalysis, MetricByActivityBucket) {
  Loaded l;
  // Pooled activity 1 3 5 7 (both seeds) -> 8 values; 2 buckets: edges v[0] = 1, v[4] = 5.
  const auto a = activity_data(l.data, l.data.contexts[0], "ndcg@10", 2);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->buckets.size(), 2u);
  EXPECT_EQ(a->buckets[0].low, 1);
  EXPECT_EQ(a->buckets[0].high, 4);
  EXPECT_EQ(a->buckets[1].low, 5);
  EXPECT_EQ(a->buckets[1].high, 7);
  EXPECT_EQ(a->users, (std::vector<double>{2, 2}));
  ASSERT_EQ(a->settings[0], "knn");
  // knn: seed 1 buckets mean(0.5, 0.6) = 0.55, mean(0.7, 0.8) = 0.75; seed 2: 0.6, 0.8.
  EXPECT_NEAR(a->values[0][0].mean, 0.575, 1e-12);
  EXPECT_NEAR(a->values[0][1].mean, 0.775, 1e-12);
  EXPECT_NEAR(a->values[0][0].std, 0.05 / std::sqrt(2.0), 1e-12);
  // pop: seed 1 mean(0.4, 0.45) = 0.425, mean(0.3, 0.2) = 0.25; seed 2 0.35, 0.225.
  EXPECT_NEAR(a->values[1][0].mean, 0.3875, 1e-12);
  EXPECT_NEAR(a->values[1][1].mean, 0.2375, 1e-12);
}

TEST(ReportAnalysis, TradeoffUsesTableSummariesAndNamesUnknownMetrics) {
  Loaded l;
  const auto t = build_table(l.data, l.data.contexts[0], TestKind::Wilcoxon, 0.05);
  const auto d = tradeoff_data(t, "aplt@10", "ndcg@10");
  ASSERT_EQ(d.points.size(), 3u);
  EXPECT_EQ(d.points[2].setting, "rand");
  EXPECT_NEAR(d.points[2].x.mean, 0.55, 1e-12);
  EXPECT_NEAR(d.points[2].y.mean, (0.4275 + 0.5) / 2, 1e-12);
  try {
    tradeoff_data(t, "aplt@20", "ndcg@10");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--x aplt@20"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("aplt@10"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec
