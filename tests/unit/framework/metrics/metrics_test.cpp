// Every metric of docs/metrics.md against hand-computed fixtures (the arithmetic is in the comments),
// plus make_metrics() parsing of metric specs.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "framework/config/registries.hpp"
#include "framework/metrics/long_tail.hpp"
#include "framework/metrics/metric.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/util/error.hpp"

namespace tailrec {
namespace {

using Items = std::vector<int32_t>;

// A ranked case that owns its vectors.
struct Case {
  Items list, relevant, train;
  RankedCase view(int32_t user = 0) const { return {user, list, relevant, train}; }
};

// Catalog of 6 items, phi = [8,4,2,1,1,0], 16 training users.
// pareto(0.8): sum 16, target 12.8; order 0(8), 1(4), 2(2): cumulative 8, 12, 14 -> head {0,1,2},
// tail {3,4,5}. Self-information -log2(max(phi,1)/16): item 0: 1 bit, 1: 2, 2: 3, 3: 4, 4: 4, 5: 4.
MetricContext context() {
  MetricContext c;
  c.num_items = 6;
  c.num_train_users = 16;
  c.phi = {8, 4, 2, 1, 1, 0};
  c.tail = pareto_tail(c.phi);
  return c;
}

class Metrics : public ::testing::Test {
 protected:
  void SetUp() override { register_metrics(registries_); }

  std::unique_ptr<Metric> make(const std::string& name, int k) const {
    const auto& entry = registries_.metrics.at(name);
    YAML::Node values;
    if (!entry.params.empty()) values["k"] = k;
    return entry.create(Params::from_yaml(entry.params, values, name));
  }
  std::optional<double> user(const std::string& name, int k, const Case& c) const {
    const auto metric = make(name, k);
    EXPECT_EQ(metric->kind(), Metric::Kind::PerUser) << name;
    return metric->user_value(c.view(), ctx_);
  }
  double aggregate(const std::string& name, int k, const std::vector<Case>& cases) const {
    const auto metric = make(name, k);
    EXPECT_EQ(metric->kind(), Metric::Kind::Aggregate) << name;
    std::vector<RankedCase> views;
    for (size_t u = 0; u < cases.size(); ++u) views.push_back(cases[u].view(static_cast<int32_t>(u)));
    return metric->aggregate(views, ctx_);
  }

  Registries registries_;
  MetricContext ctx_ = context();
  // L = [0,3,1,5,2], T = {1,3,4}: relevant at ranks 2 (item 3) and 3 (item 1); item 4 never listed.
  Case a_{{0, 3, 1, 5, 2}, {1, 3, 4}, {}};
};

const double kLog2_3 = std::log2(3.0);  // 1/log2(2) = 1, 1/log2(3) = 0.6309, 1/log2(4) = 0.5

TEST_F(Metrics, RegistersEveryMetricOfTheContractWithAFormula) {
  const std::vector<std::string> expected{"aclt",    "aplt",    "arp",      "coverage",  "coverage_count",
                                          "entropy", "gini",    "head_recall", "hit",    "imp_auc",
                                          "imp_mrr", "imp_ndcg", "mae",     "map",       "mrr",
                                          "ndcg",    "novelty", "pop_reo",  "pop_rsp",   "precision",
                                          "recall",  "rmse",    "tail_ndcg", "tail_recall"};
  EXPECT_EQ(registries_.metrics.names(), expected);
  for (const auto& e : registries_.metrics.entries()) {
    EXPECT_NE(e.description.find('\n'), std::string::npos) << e.name << ": summary line + formula lines";
    // Rating metrics and the impression metrics over whole rankings take no cut-off.
    const bool no_cutoff = e.name == "rmse" || e.name == "mae" || e.name == "imp_auc" || e.name == "imp_mrr";
    EXPECT_EQ(e.params.size(), no_cutoff ? 0u : 1u) << e.name;
    const auto metric = make(e.name, 7);
    EXPECT_EQ(metric->name(), no_cutoff ? e.name : e.name + "@7");
  }
}

TEST_F(Metrics, KindsMatchTheContract) {
  for (const auto* name : {"precision", "recall", "hit", "ndcg", "map", "mrr", "novelty", "aplt", "aclt", "arp",
                           "head_recall", "tail_recall", "tail_ndcg"})
    EXPECT_EQ(make(name, 10)->kind(), Metric::Kind::PerUser) << name;
  for (const auto* name : {"coverage", "coverage_count", "gini", "entropy", "pop_reo", "pop_rsp"})
    EXPECT_EQ(make(name, 10)->kind(), Metric::Kind::Aggregate) << name;
  for (const auto* name : {"rmse", "mae"}) EXPECT_EQ(make(name, 10)->kind(), Metric::Kind::Rating) << name;
}

TEST_F(Metrics, WrongKindEntryPointsAreInternalErrors) {
  const std::vector<RankedCase> none;
  const std::vector<float> ratings{1.0f};
  EXPECT_THROW(make("ndcg", 5)->aggregate(none, ctx_), std::logic_error);
  EXPECT_THROW(make("ndcg", 5)->rating_value(ratings, ratings), std::logic_error);
  EXPECT_THROW(make("gini", 5)->user_value(a_.view(), ctx_), std::logic_error);
  EXPECT_THROW(make("rmse", 5)->user_value(a_.view(), ctx_), std::logic_error);
}

TEST_F(Metrics, Precision) {
  EXPECT_DOUBLE_EQ(*user("precision", 3, a_), 2.0 / 3);    // top3 [0,3,1]: 2 hits / 3
  EXPECT_DOUBLE_EQ(*user("precision", 2, a_), 1.0 / 2);    // [0,3]: 1 hit / 2
  EXPECT_DOUBLE_EQ(*user("precision", 1, a_), 0.0);        // [0]
  EXPECT_DOUBLE_EQ(*user("precision", 10, a_), 2.0 / 10);  // list of 5 < k: still divides by k = 10
}

TEST_F(Metrics, Recall) {
  EXPECT_DOUBLE_EQ(*user("recall", 3, a_), 2.0 / 3);   // 2 of |T| = 3
  EXPECT_DOUBLE_EQ(*user("recall", 2, a_), 1.0 / 3);   // 1 of 3 (not min(k,|T|) = 2)
  EXPECT_DOUBLE_EQ(*user("recall", 10, a_), 2.0 / 3);  // item 4 is never listed
}

TEST_F(Metrics, Hit) {
  EXPECT_DOUBLE_EQ(*user("hit", 1, a_), 0.0);
  EXPECT_DOUBLE_EQ(*user("hit", 2, a_), 1.0);
  EXPECT_DOUBLE_EQ(*user("hit", 10, a_), 1.0);
}

TEST_F(Metrics, Ndcg) {
  // k=3: DCG = 1/log2(3) + 1/log2(4); IDCG (min(3,3) = 3) = 1 + 1/log2(3) + 1/2 -> 0.530721...
  const double dcg3 = 1 / kLog2_3 + 0.5, idcg3 = 1 + 1 / kLog2_3 + 0.5;
  EXPECT_DOUBLE_EQ(*user("ndcg", 3, a_), dcg3 / idcg3);
  EXPECT_NEAR(*user("ndcg", 3, a_), 0.5307212739772434, 1e-12);
  // k=2 < |T| = 3: DCG = 1/log2(3); IDCG over min(2,3) = 2 ranks = 1 + 1/log2(3).
  EXPECT_DOUBLE_EQ(*user("ndcg", 2, a_), (1 / kLog2_3) / (1 + 1 / kLog2_3));
  // k=10, list of 5: same DCG as k=3; IDCG over min(10,3) = 3 ranks.
  EXPECT_DOUBLE_EQ(*user("ndcg", 10, a_), dcg3 / idcg3);
  EXPECT_DOUBLE_EQ(*user("ndcg", 1, a_), 0.0);
  // A perfect list is 1: L = [1,3,4], T = {1,3,4}.
  EXPECT_DOUBLE_EQ(*user("ndcg", 3, Case{{1, 3, 4}, {1, 3, 4}, {}}), 1.0);
}

TEST_F(Metrics, Map) {
  // k=3: precision@2 = 1/2 at rank 2, precision@3 = 2/3 at rank 3 -> (1/2 + 2/3) / min(3,3) = 7/18.
  EXPECT_DOUBLE_EQ(*user("map", 3, a_), (0.5 + 2.0 / 3) / 3);
  // k=2 < |T|: (1/2) / min(2,3) = 1/4.
  EXPECT_DOUBLE_EQ(*user("map", 2, a_), 0.25);
  // k=10, list of 5: same hits, divided by min(10,3) = 3.
  EXPECT_DOUBLE_EQ(*user("map", 10, a_), (0.5 + 2.0 / 3) / 3);
  EXPECT_DOUBLE_EQ(*user("map", 1, a_), 0.0);
}

TEST_F(Metrics, MrrCountsOnlyTheFirstHit) {
  // First relevant rank is 2 -> 1/2 (DaisyRec's sum of every hit would give 1/2 + 1/3).
  EXPECT_DOUBLE_EQ(*user("mrr", 3, a_), 0.5);
  EXPECT_DOUBLE_EQ(*user("mrr", 10, a_), 0.5);
  EXPECT_DOUBLE_EQ(*user("mrr", 1, a_), 0.0);
}

TEST_F(Metrics, LongTailListShares) {
  // Tail = {3,4,5}. top5 [0,3,1,5,2] holds tail items 3 and 5; top3 [0,3,1] holds 3.
  EXPECT_DOUBLE_EQ(*user("aclt", 5, a_), 2.0);
  EXPECT_DOUBLE_EQ(*user("aclt", 3, a_), 1.0);
  EXPECT_DOUBLE_EQ(*user("aplt", 5, a_), 2.0 / 5);
  EXPECT_DOUBLE_EQ(*user("aplt", 3, a_), 1.0 / 3);
  EXPECT_DOUBLE_EQ(*user("aplt", 10, a_), 2.0 / 5);  // divides by |L_u| = 5, not k
}

TEST_F(Metrics, AverageRecommendationPopularity) {
  // phi of [0,3,1,5,2] = 8,1,4,0,2 -> 15/5 = 3; top3: (8+1+4)/3 = 13/3.
  EXPECT_DOUBLE_EQ(*user("arp", 5, a_), 3.0);
  EXPECT_DOUBLE_EQ(*user("arp", 3, a_), 13.0 / 3);
  EXPECT_DOUBLE_EQ(*user("arp", 10, a_), 3.0);
}

TEST_F(Metrics, Novelty) {
  // Bits of [0,3,1,5,2] = 1,4,2,4(phi 0 counts as 1),3 -> 14/5; top3: (1+4+2)/3 = 7/3.
  EXPECT_DOUBLE_EQ(*user("novelty", 5, a_), 14.0 / 5);
  EXPECT_DOUBLE_EQ(*user("novelty", 3, a_), 7.0 / 3);
}

TEST_F(Metrics, EmptyListDoesNotCountForPerListAverages) {
  const Case empty{{}, {1}, {}};
  EXPECT_FALSE(user("aplt", 5, empty).has_value());
  EXPECT_FALSE(user("arp", 5, empty).has_value());
  EXPECT_FALSE(user("novelty", 5, empty).has_value());
  EXPECT_DOUBLE_EQ(*user("aclt", 5, empty), 0.0);
  EXPECT_DOUBLE_EQ(*user("precision", 5, empty), 0.0);
  EXPECT_DOUBLE_EQ(*user("ndcg", 5, empty), 0.0);
}

TEST_F(Metrics, HeadAndTailRecall) {
  // T = {1,3,4}: T ∩ Head = {1}, T ∩ Tail = {3,4}. top3 [0,3,1] finds 1 and 3.
  EXPECT_DOUBLE_EQ(*user("head_recall", 3, a_), 1.0);  // 1/1
  EXPECT_DOUBLE_EQ(*user("tail_recall", 3, a_), 0.5);  // 1/2
  // top1 [0]: nothing found, but the user counts (0).
  EXPECT_DOUBLE_EQ(*user("tail_recall", 1, a_), 0.0);
  // A user with only head test items does not count for tail_recall, and vice versa.
  const Case head_only{{0, 3}, {0, 1}, {}};
  EXPECT_FALSE(user("tail_recall", 3, head_only).has_value());
  EXPECT_DOUBLE_EQ(*user("head_recall", 3, head_only), 0.5);  // finds 0 of {0,1}
  const Case tail_only{{3, 0}, {3}, {}};
  EXPECT_FALSE(user("head_recall", 3, tail_only).has_value());
  EXPECT_DOUBLE_EQ(*user("tail_recall", 3, tail_only), 1.0);
}

TEST_F(Metrics, TailNdcg) {
  // Relevance restricted to T ∩ Tail = {3,4}. top3 [0,3,1]: item 3 at rank 2 (item 1 is head, gains
  // nothing). DCG = 1/log2(3); IDCG over min(3,2) = 2 ranks = 1 + 1/log2(3) -> 0.386852...
  EXPECT_DOUBLE_EQ(*user("tail_ndcg", 3, a_), (1 / kLog2_3) / (1 + 1 / kLog2_3));
  EXPECT_NEAR(*user("tail_ndcg", 3, a_), 0.38685280723454163, 1e-12);
  // k = 1 < |T ∩ Tail|: DCG 0, IDCG = 1 -> 0, user counted.
  EXPECT_DOUBLE_EQ(*user("tail_ndcg", 1, a_), 0.0);
  EXPECT_FALSE(user("tail_ndcg", 3, Case{{3, 4}, {0, 1}, {}}).has_value());
}

// Three users, k = 3 (u0's list is longer than 3 to check the cut-off):
// u0 [0,1,2,(5)], u1 [0,1,3], u2 [0,2,4] -> c = [3,2,2,1,1,0], sum 9, five items covered.
std::vector<Case> three_users() {
  return {{{0, 1, 2, 5}, {1, 3}, {4}}, {{0, 1, 3}, {3, 4}, {2, 5}}, {{0, 2, 4}, {2, 5}, {1, 3}}};
}

TEST_F(Metrics, Coverage) {
  EXPECT_DOUBLE_EQ(aggregate("coverage_count", 3, three_users()), 5.0);
  EXPECT_DOUBLE_EQ(aggregate("coverage", 3, three_users()), 5.0 / 6);
  // k = 4 adds item 5 from u0's longer list: 6/6.
  EXPECT_DOUBLE_EQ(aggregate("coverage_count", 4, three_users()), 6.0);
  EXPECT_DOUBLE_EQ(aggregate("coverage", 4, three_users()), 1.0);
  EXPECT_DOUBLE_EQ(aggregate("coverage", 3, {{{}, {1}, {}}}), 0.0);
}

TEST_F(Metrics, Gini) {
  // c sorted ascending = [0,1,1,2,2,3], n = 6, weights 2j-7 = -5,-3,-1,1,3,5:
  // 0*-5 + 1*-3 + 1*-1 + 2*1 + 2*3 + 3*5 = 19 -> 19 / (6 * 9) = 19/54.
  EXPECT_DOUBLE_EQ(aggregate("gini", 3, three_users()), 19.0 / 54);
  // Equal exposure: u0 [0,1,2], u1 [3,4,5] -> every c_i = 1 -> 0.
  const std::vector<Case> equal{{{0, 1, 2}, {0}, {}}, {{3, 4, 5}, {3}, {}}};
  EXPECT_NEAR(aggregate("gini", 3, equal), 0.0, 1e-15);
  // All exposure on one item (k = 1, every list starts with 2): c = [0,0,3,0,0,0] -> (n-1)/n = 5/6.
  const std::vector<Case> one{{{2, 0}, {0}, {}}, {{2, 1}, {1}, {}}, {{2, 3}, {3}, {}}};
  EXPECT_DOUBLE_EQ(aggregate("gini", 1, one), 5.0 / 6);
  // Unexposed catalog items count: only 2 of 6 items exposed equally (c = [0,0,0,0,1,1]):
  // weights for j=5,6 are 3 and 5 -> (3+5) / (6*2) = 2/3.
  EXPECT_DOUBLE_EQ(aggregate("gini", 1, {{{0}, {0}, {}}, {{1}, {1}, {}}}), 2.0 / 3);
  // No recommendation at all: defined as 0.
  EXPECT_DOUBLE_EQ(aggregate("gini", 3, {{{}, {1}, {}}}), 0.0);
}

TEST_F(Metrics, Entropy) {
  // p = 3/9, 2/9, 2/9, 1/9, 1/9 -> (1/3) ln 3 + 2 (2/9) ln(9/2) + 2 (1/9) ln 9 = 1.522955...
  const double expected = std::log(3.0) / 3 + 4.0 / 9 * std::log(4.5) + 2.0 / 9 * std::log(9.0);
  EXPECT_DOUBLE_EQ(aggregate("entropy", 3, three_users()), expected);
  EXPECT_NEAR(expected, 1.5229550675313184, 1e-12);
  // Uniform exposure of all 6 items: ln 6 (nats).
  const std::vector<Case> equal{{{0, 1, 2}, {0}, {}}, {{3, 4, 5}, {3}, {}}};
  EXPECT_DOUBLE_EQ(aggregate("entropy", 3, equal), std::log(6.0));
  // One item only: 0; nothing recommended: defined as 0.
  EXPECT_DOUBLE_EQ(aggregate("entropy", 1, {{{2}, {0}, {}}, {{2}, {1}, {}}}), 0.0);
  EXPECT_DOUBLE_EQ(aggregate("entropy", 3, {{{}, {1}, {}}}), 0.0);
}

TEST_F(Metrics, PopReo) {
  // Head {0,1,2}, tail {3,4,5}; k = 3, lists u0 [0,1,2], u1 [0,1,3], u2 [0,2,4].
  // T ∩ Head: u0 {1}, u1 {}, u2 {2} -> 2 relevant, both found -> P_head = 2/2 = 1.
  // T ∩ Tail: u0 {3}, u1 {3,4}, u2 {5} -> 4 relevant; found: u1's 3 only -> P_tail = 1/4.
  // mean 5/8, population std |1 - 1/4| / 2 = 3/8 -> 3/5.
  EXPECT_DOUBLE_EQ(aggregate("pop_reo", 3, three_users()), 0.6);
  // No hit in either group: mean 0 -> defined as 0.
  EXPECT_DOUBLE_EQ(aggregate("pop_reo", 3, {{{0, 1, 2}, {3, 4}, {}}}), 0.0);
  // Equal group recall -> 0: u finds 1 of head {0,1} and 1 of tail {3,4}.
  EXPECT_DOUBLE_EQ(aggregate("pop_reo", 2, {{{0, 3}, {0, 1, 3, 4}, {}}}), 0.0);
}

TEST_F(Metrics, PopRsp) {
  // |Head| = |Tail| = 3. Train: u0 {4}, u1 {2,5}, u2 {1,3}.
  // Head: recommended 3 + 2 + 2 = 7; |Head \ train_u| = 3 + 2 + 2 = 7 -> P_head = 1.
  // Tail: recommended 0 + 1 (item 3) + 1 (item 4) = 2; |Tail \ train_u| = 2 + 2 + 2 = 6 -> P_tail = 1/3.
  // mean 2/3, std (1 - 1/3) / 2 = 1/3 -> 1/2.
  EXPECT_DOUBLE_EQ(aggregate("pop_rsp", 3, three_users()), 0.5);
  // k = 4 adds u0's item 5 (tail): P_tail = 3/6 = 1/2; mean 3/4, std 1/4 -> 1/3.
  EXPECT_DOUBLE_EQ(aggregate("pop_rsp", 4, three_users()), 1.0 / 3);
}

TEST_F(Metrics, RmseAndMae) {
  // Errors: 3-4 = -1, 4-4 = 0, 5-3 = 2 -> rmse = sqrt((1+0+4)/3) = sqrt(5/3); mae = (1+0+2)/3 = 1.
  const std::vector<float> predicted{3, 4, 5}, actual{4, 4, 3};
  EXPECT_DOUBLE_EQ(make("rmse", 0)->rating_value(predicted, actual), std::sqrt(5.0 / 3));
  EXPECT_DOUBLE_EQ(make("mae", 0)->rating_value(predicted, actual), 1.0);
  const std::vector<float> none;
  EXPECT_THROW(make("rmse", 0)->rating_value(none, none), Error);
  EXPECT_THROW(make("mae", 0)->rating_value(predicted, none), std::logic_error);
}

// ---- value_at_rank: M(R) of one relevant item at full rank R (the sampled-metric correction) ----

TEST_F(Metrics, ValueAtRankOfTheRankMetrics) {
  EXPECT_DOUBLE_EQ(*make("ndcg", 10)->value_at_rank(3), 0.5);  // 1 / log2(3 + 1)
  EXPECT_DOUBLE_EQ(*make("ndcg", 10)->value_at_rank(1), 1.0);
  EXPECT_DOUBLE_EQ(*make("ndcg", 10)->value_at_rank(11), 0.0);
  EXPECT_DOUBLE_EQ(*make("hit", 10)->value_at_rank(10), 1.0);
  EXPECT_DOUBLE_EQ(*make("hit", 10)->value_at_rank(11), 0.0);
  EXPECT_DOUBLE_EQ(*make("recall", 5)->value_at_rank(5), 1.0);
  EXPECT_DOUBLE_EQ(*make("precision", 5)->value_at_rank(2), 0.2);  // 1 hit / k
  EXPECT_DOUBLE_EQ(*make("precision", 5)->value_at_rank(6), 0.0);
  EXPECT_DOUBLE_EQ(*make("mrr", 10)->value_at_rank(4), 0.25);
  EXPECT_DOUBLE_EQ(*make("map", 10)->value_at_rank(4), 0.25);  // precision@4 = 1/4, min(k, |T|) = 1
  EXPECT_DOUBLE_EQ(*make("mrr", 3)->value_at_rank(4), 0.0);
  // Not a function of one item's rank: no value, so no correction.
  for (const char* name : {"aplt", "aclt", "arp", "coverage", "gini", "entropy", "novelty", "tail_recall", "pop_reo"})
    EXPECT_FALSE(make(name, 10)->value_at_rank(1)) << name;
}

TEST_F(Metrics, ValueAtRankAgreesWithTheListValue) {
  // The relevant item 5 at rank R of a list of six: user_value must equal value_at_rank(R).
  for (int64_t rank = 1; rank <= 6; ++rank) {
    Case c{{0, 1, 2, 3, 4}, {5}, {}};
    c.list.insert(c.list.begin() + (rank - 1), 5);
    for (const char* name : {"ndcg", "hit", "recall", "precision", "mrr", "map"}) {
      const auto metric = make(name, 4);
      EXPECT_DOUBLE_EQ(*metric->user_value(c.view(), context()), *metric->value_at_rank(rank)) << name << "@4, rank " << rank;
    }
  }
}

// ---- make_metrics ----

std::vector<std::string> names(const std::vector<std::unique_ptr<Metric>>& metrics) {
  std::vector<std::string> out;
  for (const auto& m : metrics) out.push_back(m->name());
  return out;
}

std::string error_of(const Registries& r, const std::vector<std::string>& specs, const std::vector<int>& ks) {
  try {
    make_metrics(r, specs, ks);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST_F(Metrics, MakeMetricsExpandsNamesAndCutoffs) {
  EXPECT_EQ(names(make_metrics(registries_, {"ndcg", "precision@5", "rmse"}, {5, 10})),
            (std::vector<std::string>{"ndcg@5", "ndcg@10", "precision@5", "rmse"}));
  // Duplicates dropped, first order kept.
  EXPECT_EQ(names(make_metrics(registries_, {"ndcg@10", "ndcg", "recall@3", "ndcg@10"}, {5, 10})),
            (std::vector<std::string>{"ndcg@10", "ndcg@5", "recall@3"}));
}

TEST_F(Metrics, MakeMetricsAllIsEveryRankingMetric) {
  const auto all = make_metrics(registries_, {"all"}, {10});
  EXPECT_EQ(all.size(), 19u);  // 21 registered minus rmse and mae
  for (const auto& m : all) {
    EXPECT_NE(m->kind(), Metric::Kind::Rating) << m->name();
    EXPECT_EQ(m->k(), 10) << m->name();
  }
  EXPECT_EQ(make_metrics(registries_, {"all"}, {5, 10}).size(), 38u);
  EXPECT_EQ(make_metrics(registries_, {"all@20", "ndcg@20"}, {5}).size(), 19u);  // ndcg@20 is a duplicate
}

TEST_F(Metrics, MakeMetricsRejectsBadCutoffs) {
  EXPECT_NE(error_of(registries_, {"ndcg@0"}, {10}).find("metric 'ndcg@0': k must be a positive integer"),
            std::string::npos);
  for (const auto* spec : {"ndcg@-3", "ndcg@1.5", "ndcg@", "ndcg@ten", "ndcg@99999999999"})
    EXPECT_NE(error_of(registries_, {spec}, {10}).find("k must be a positive integer"), std::string::npos) << spec;
  EXPECT_NE(error_of(registries_, {"rmse@5"}, {10}).find("takes no @k"), std::string::npos);
  EXPECT_NE(error_of(registries_, {"ndcg"}, {}).find("no cut-off"), std::string::npos);
  EXPECT_NE(error_of(registries_, {"ndcg"}, {0}).find("positive integer"), std::string::npos);
}

TEST_F(Metrics, MakeMetricsSuggestsKnownNames) {
  const auto message = error_of(registries_, {"ndgc@10"}, {10});
  EXPECT_NE(message.find("unknown metric 'ndgc'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'ndcg'"), std::string::npos) << message;
}

}  // namespace
}  // namespace tailrec
