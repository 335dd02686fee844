// The MIND leaderboard metrics (imp_auc, imp_mrr, imp_ndcg@k) against hand-computed fixtures, the
// PerCase averaging of the evaluator (over cases, not users), and their metric-spec rules.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "framework/config/registries.hpp"
#include "framework/evaluation/evaluator.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/util/error.hpp"

namespace tailrec {
namespace {

using Items = std::vector<int32_t>;

class ImpressionMetrics : public ::testing::Test {
 protected:
  void SetUp() override { register_metrics(registries_); }
  std::unique_ptr<Metric> make(const std::string& spec) const {
    auto metrics = make_metrics(registries_, {spec}, {10});
    EXPECT_EQ(metrics.size(), 1u);
    return std::move(metrics.front());
  }
  // The value of `spec` for a ranked `list` (best first) with `relevant`, `candidates` ranked.
  std::optional<double> value(const std::string& spec, const Items& list, const Items& relevant,
                              size_t candidates) const {
    const auto metric = make(spec);
    EXPECT_EQ(metric->kind(), Metric::Kind::PerCase) << spec;
    return metric->user_value({0, list, relevant, {}, candidates}, context_);
  }
  Registries registries_;
  MetricContext context_;
};

// Case A: 5 candidates ranked [3, 1, 4, 0, 2], clicked {1, 2}: positives at ranks 2 and 5.
const Items kList{3, 1, 4, 0, 2};
const Items kClicked{1, 2};

TEST_F(ImpressionMetrics, AucIsTheShareOfPositiveNegativePairsRankedRight) {
  // Negatives: item 3 (rank 1) has no positive above it, items 4 (rank 3) and 0 (rank 4) one each
  // (item 1): 2 of the 2·3 = 6 pairs. (sklearn's roc_auc_score on scores 1/rank gives 1/3 too.)
  EXPECT_DOUBLE_EQ(*value("imp_auc", kList, kClicked, 5), 2.0 / 6);
  EXPECT_DOUBLE_EQ(*value("imp_auc", {1, 2, 3}, {1, 2}, 3), 1.0);  // every positive first
  EXPECT_DOUBLE_EQ(*value("imp_auc", {3, 1, 2}, {1, 2}, 3), 0.0);  // every positive last
  // One class only: undefined, the case does not count.
  EXPECT_FALSE(value("imp_auc", {1, 2}, {1, 2}, 2).has_value());
  EXPECT_FALSE(value("imp_auc", {1, 2}, {}, 2).has_value());
}

TEST_F(ImpressionMetrics, MrrAveragesTheReciprocalRankOfEveryClick) {
  // (1/2 + 1/5) / 2 = 0.35: every click counts (mrr@k counts only the first).
  EXPECT_DOUBLE_EQ(*value("imp_mrr", kList, kClicked, 5), 0.35);
  EXPECT_DOUBLE_EQ(*value("imp_mrr", {7, 8}, {8}, 2), 0.5);
}

TEST_F(ImpressionMetrics, NdcgUsesGain2PowRelMinus1AndLog2Discounts) {
  // IDCG for 2 clicks = 1 + 1/log2(3) = 1.6309298. @3: top [3,1,4] holds item 1 at rank 2:
  // DCG = 1/log2(3) = 0.6309298 -> 0.3868528. @5: + item 2 at rank 5: 1/log2(6) = 0.3868528,
  // DCG = 1.0177826 -> 0.6240505. @1: DCG 0 -> 0; the IDCG at k = 1 is 1 (min(k, |T|) = 1).
  const double idcg = 1 + 1 / std::log2(3.0);
  EXPECT_NEAR(*value("imp_ndcg@3", kList, kClicked, 5), (1 / std::log2(3.0)) / idcg, 1e-12);
  EXPECT_NEAR(*value("imp_ndcg@3", kList, kClicked, 5), 0.3868528072, 1e-9);
  EXPECT_NEAR(*value("imp_ndcg@5", kList, kClicked, 5), 0.6240505200, 1e-9);
  EXPECT_DOUBLE_EQ(*value("imp_ndcg@1", kList, kClicked, 5), 0.0);
  EXPECT_DOUBLE_EQ(*value("imp_ndcg@1", {2, 3}, {2}, 2), 1.0);
}

TEST_F(ImpressionMetrics, AucAndMrrRefuseAnIncompleteRanking) {
  for (const auto* spec : {"imp_auc", "imp_mrr"}) {
    EXPECT_TRUE(make(spec)->needs_every_candidate()) << spec;
    // A top-3 prefix of 5 candidates, and a full-ranking case (candidates = 0).
    EXPECT_THROW(value(spec, {3, 1, 4}, kClicked, 5), Error) << spec;
    EXPECT_THROW(value(spec, kList, kClicked, 0), Error) << spec;
  }
  EXPECT_FALSE(make("imp_ndcg@10")->needs_every_candidate());
  EXPECT_DOUBLE_EQ(*value("imp_ndcg@2", {3, 1}, kClicked, 5), (1 / std::log2(3.0)) / (1 + 1 / std::log2(3.0)));
}

TEST_F(ImpressionMetrics, SpecsNamesAndAll) {
  EXPECT_EQ(make("imp_auc")->name(), "imp_auc");
  EXPECT_EQ(make("imp_mrr")->name(), "imp_mrr");
  EXPECT_EQ(make("imp_ndcg@5")->name(), "imp_ndcg@5");
  EXPECT_EQ(make_metrics(registries_, {"imp_ndcg"}, {5, 10}).size(), 2u);
  try {
    make_metrics(registries_, {"imp_auc@5"}, {10});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("metric 'imp_auc@5': imp_auc takes no @k (it has no cut-off); write 'imp_auc'"),
              std::string::npos)
        << e.what();
  }
  // "all" is the per-user and aggregate contract; impression metrics are asked for by name.
  for (const auto& m : make_metrics(registries_, {"all"}, {10})) EXPECT_EQ(m->name().rfind("imp_", 0), std::string::npos);
}

// Scores from a fixed users x items table.
class TableScores final : public Algorithm {
 public:
  explicit TableScores(std::vector<std::vector<float>> table) : table_(std::move(table)) {}
  void fit(const FitContext&) override {}
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const size_t n = table_[0].size();
    for (size_t u = 0; u < users.size(); ++u)
      std::copy(table_[static_cast<size_t>(users[u])].begin(), table_[static_cast<size_t>(users[u])].end(),
                out.begin() + static_cast<long>(u * n));
  }

 private:
  std::vector<std::vector<float>> table_;
};

TEST_F(ImpressionMetrics, EvaluatorAveragesOverCasesAndKeepsUserMeans) {
  // Items 0..3 scored 0.9, 0.7, 0.5, 0.3 for both users: rank order 0, 1, 2, 3 within any case.
  const TableScores algo({{0.9f, 0.7f, 0.5f, 0.3f}, {0.9f, 0.7f, 0.5f, 0.3f}});
  const Interactions train(InteractionLog(), 2, 4), test(InteractionLog(), 2, 4);
  // User 0: {0,1} clicked 1 -> MRR 1/2; {2,3} clicked 2 -> 1. User 1: {0,1,2} clicked 2 -> 1/3.
  const std::vector<EvalCase> cases{{0, {1}, {0, 1}}, {0, {2}, {2, 3}}, {1, {2}, {0, 1, 2}}};
  MetricContext context;
  context.num_items = 4;
  context.phi.assign(4, 0);
  context.tail.is_tail.assign(4, 0);
  std::vector<std::unique_ptr<Metric>> metrics;
  metrics.push_back(make("imp_mrr"));
  metrics.push_back(make("mrr@10"));
  EvaluationOptions options;
  options.list_length = 3;  // the longest candidate list
  const auto r = evaluate(algo, {train, test, cases, false, context}, metrics, options);
  // imp_mrr: mean over the 3 cases (1/2 + 1 + 1/3) / 3 = 11/18; per user 3/4 and 1/3.
  EXPECT_DOUBLE_EQ(r.values[0], 11.0 / 18);
  ASSERT_EQ(r.per_user_names, (std::vector<std::string>{"imp_mrr", "mrr@10"}));
  EXPECT_DOUBLE_EQ(r.per_user[0][0], 0.75);
  EXPECT_DOUBLE_EQ(r.per_user[0][1], 1.0 / 3);
  // mrr@10 has the same case values but averages per user first: (3/4 + 1/3) / 2 = 13/24.
  EXPECT_DOUBLE_EQ(r.values[1], 13.0 / 24);
}

}  // namespace
}  // namespace tailrec
