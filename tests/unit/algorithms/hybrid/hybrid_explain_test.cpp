// explain() of the hybrids and the re-ranker on 2 users x 3 items whose component scores are fixed
// (test-only `table`, `explained` = a table that explains a score by one term "cell" = that score),
// so every normalised score, term and order is worked out by hand below.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "algorithms/hybrid/bayesian_hybrid.hpp"
#include "algorithms/hybrid/hybrid.hpp"
#include "algorithms/register_algorithms.hpp"
#include "algorithms/rerank/rerank.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "unit/algorithms/algorithm_test_support.hpp"

namespace tailrec {
namespace {

const Registries& explain_registries() {
  static const Registries* registries = [] {
    auto* r = new Registries;
    register_metrics(*r);
    test::register_table_scores(*r);
    register_hybrids(*r);
    register_rerank(*r);
    return r;
  }();
  return *registries;
}

std::unique_ptr<Algorithm> make_fitted(const std::string& name, const std::string& yaml,
                                       const Interactions* validation = nullptr) {
  const auto& entry = explain_registries().algorithms.at(name);
  auto a = entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "algorithms[0]"));
  InteractionLog log;  // u0 trained on item 0; u1 on items 0 and 2
  log.push(0, 0, 1.0f), log.push(1, 0, 1.0f), log.push(1, 2, 1.0f);
  static const Interactions train(log, 2, 3);
  static const ItemContent content(3);
  a->fit(FitContext{train, content, validation, 5, 1, Device::Cpu, &Logger::null(), {}});
  return a;
}

float score_of(const Algorithm& a, int32_t user, int32_t item) {
  std::vector<float> row(static_cast<size_t>(a.num_items()));
  a.score(std::span<const int32_t>(&user, 1), row);
  return row[static_cast<size_t>(item)];
}

// A: u0 (0, 5, 10), u1 (1, 1, 4); B: u0 (3, 1, 2), u1 (0, 2, 1).
// minmax: A u0 (0, 0.5, 1), u1 (0, 0, 1); B u0 (1, 0, 0.5), u1 (0, 1, 0.5).
const char* kTables = "[{name: explained, label: a, scores: [0, 5, 10, 1, 1, 4]}, "
                      "{name: table, label: b, scores: [3, 1, 2, 0, 2, 1]}]";
const char* kBothExplained = "[{name: explained, label: a, scores: [0, 5, 10, 1, 1, 4]}, "
                             "{name: explained, label: b, scores: [3, 1, 2, 0, 2, 1]}]";

struct Expected {
  std::string label;
  double weight;
  std::vector<double> detail;  // the weights of the component's "cell" reasons
};

void expect_reasons(const std::vector<Reason>& got, const std::vector<Expected>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t r = 0; r < expected.size(); ++r) {
    EXPECT_EQ(got[r].kind, Reason::Kind::Component) << r;
    EXPECT_EQ(got[r].text, expected[r].label) << r;
    EXPECT_NEAR(got[r].weight, expected[r].weight, 1e-9) << r;
    ASSERT_EQ(got[r].detail.size(), expected[r].detail.size()) << r;
    for (size_t d = 0; d < expected[r].detail.size(); ++d) {
      EXPECT_EQ(got[r].detail[d].kind, Reason::Kind::Term);
      EXPECT_EQ(got[r].detail[d].text, "cell");
      EXPECT_DOUBLE_EQ(got[r].detail[d].weight, expected[r].detail[d]);
    }
  }
}

double weight_sum(const std::vector<Reason>& reasons) {
  double sum = 0;
  for (const auto& r : reasons) sum += r.weight;
  return sum;
}

TEST(HybridExplain, WeightedTermsLargestFirstWithTheComponentsReasons) {
  auto w = make_fitted("weighted", std::string("{components: ") + kTables + ", alpha: [0.25, 0.75]}");
  EXPECT_TRUE(w->explains());
  // u0 item 2: a 0.25 * 1 = 0.25, b 0.75 * 0.5 = 0.375 -> b first; score 0.625. `table` cannot explain.
  const auto reasons = w->explain(0, 2, 5);
  expect_reasons(reasons, {{"b", 0.375, {}}, {"a", 0.25, {10}}});
  EXPECT_NEAR(weight_sum(reasons), 0.625, 1e-12);
  EXPECT_NEAR(weight_sum(reasons), score_of(*w, 0, 2), 1e-5);
  // Zero terms are left out: u0 item 0 (a normalises to 0), u0 item 1 (b normalises to 0).
  expect_reasons(w->explain(0, 0, 5), {{"b", 0.75, {}}});
  expect_reasons(w->explain(0, 1, 5), {{"a", 0.125, {5}}});
  // u1 item 1: a 0, b 0.75 * 1.
  expect_reasons(w->explain(1, 1, 5), {{"b", 0.75, {}}});
  // max_reasons keeps the largest; 0 asks for none.
  expect_reasons(w->explain(0, 2, 1), {{"b", 0.375, {}}});
  EXPECT_TRUE(w->explain(0, 2, 0).empty());
}

TEST(HybridExplain, WeightedTiesKeepComponentOrder) {
  // u0 item 2: a 0.25 * 1 = 0.25, b 0.5 * 0.5 = 0.25: a tie, the first component first.
  auto w = make_fitted("weighted", std::string("{components: ") + kBothExplained + ", alpha: [0.25, 0.5]}");
  expect_reasons(w->explain(0, 2, 5), {{"a", 0.25, {10}}, {"b", 0.25, {2}}});
  // A zero alpha contributes nothing and is never listed.
  auto only_b = make_fitted("weighted", std::string("{components: ") + kBothExplained + ", alpha: [0, 1]}");
  expect_reasons(only_b->explain(0, 2, 5), {{"b", 0.5, {2}}});
}

TEST(HybridExplain, WeightedZScoreTermsSumToTheScore) {
  // zscore, u0: A (0, 5, 10): mean 5, std sqrt(50/3) = 4.0824829 -> (-1.2247449, 0, 1.2247449);
  // B (3, 1, 2): mean 2, std sqrt(2/3) = 0.8164966 -> (1.2247449, -1.2247449, 0).
  // alpha (0.3, 0.7), item 0: a -0.3674235, b 0.8573214 -> b first, sum 0.4898979.
  auto w = make_fitted("weighted",
                       std::string("{components: ") + kBothExplained + ", alpha: [0.3, 0.7], normalization: zscore}");
  const auto reasons = w->explain(0, 0, 5);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].text, "b");
  EXPECT_NEAR(reasons[0].weight, 0.8573214, 1e-6);
  EXPECT_EQ(reasons[1].text, "a");
  EXPECT_NEAR(reasons[1].weight, -0.3674235, 1e-6);
  EXPECT_NEAR(weight_sum(reasons), 0.4898979, 1e-6);
  for (int32_t u = 0; u < 2; ++u)
    for (int32_t i = 0; i < 3; ++i) EXPECT_NEAR(weight_sum(w->explain(u, i, 5)), score_of(*w, u, i), 1e-5) << u << i;
}

TEST(HybridExplain, BayesianTermsArePosteriorTimesNormalisedScore) {
  // No validation carve-out: every user takes the prior (1, 3) / 4 = (0.25, 0.75): the weighted case.
  auto b = make_fitted("bayesian", std::string("{components: ") + kTables + ", prior: [1, 3], normalization: minmax}");
  EXPECT_TRUE(b->explains());
  expect_reasons(b->explain(0, 2, 5), {{"b", 0.375, {}}, {"a", 0.25, {10}}});
  // u1 item 2: a 0.25 * 1 (minmax A u1 (0, 0, 1)), b 0.75 * 0.5 (B u1 (0, 1, 0.5)).
  expect_reasons(b->explain(1, 2, 5), {{"b", 0.375, {}}, {"a", 0.25, {4}}});
  // With validation items the posteriors differ per user; the terms still sum to the score.
  InteractionLog v;
  v.push(0, 1, 1.0f), v.push(1, 1, 1.0f);
  const Interactions validation(v, 2, 3);
  auto p = make_fitted("bayesian", std::string("{components: ") + kBothExplained + ", normalization: minmax}",
                       &validation);
  const auto& bayes = dynamic_cast<const BayesianHybrid&>(*p);
  // u0 item 2: a's term = P(a|u0) * 1, b's = P(b|u0) * 0.5.
  const auto post = bayes.posterior(0);
  const auto reasons = p->explain(0, 2, 5);
  ASSERT_EQ(reasons.size(), 2u);
  double a_term = 0, b_term = 0;
  for (const auto& r : reasons) (r.text == "a" ? a_term : b_term) = r.weight;
  EXPECT_NEAR(a_term, post[0] * 1.0, 1e-12);
  EXPECT_NEAR(b_term, post[1] * 0.5, 1e-12);
  EXPECT_GE(reasons[0].weight, reasons[1].weight);
  for (int32_t u = 0; u < 2; ++u)
    for (int32_t i = 0; i < 3; ++i) EXPECT_NEAR(weight_sum(p->explain(u, i, 5)), score_of(*p, u, i), 1e-5) << u << i;
}

TEST(HybridExplain, SwitchingNamesTheComponentThatScored) {
  // by user, threshold 2: u0 has 1 training item -> a; u1 has 2 -> b.
  auto s = make_fitted("switching", std::string("{components: ") + kBothExplained + ", threshold: 2}");
  EXPECT_TRUE(s->explains());
  expect_reasons(s->explain(0, 1, 5), {{"a", 0.5, {5}}});  // a u0 (0, 0.5, 1)
  expect_reasons(s->explain(1, 1, 5), {{"b", 1.0, {2}}});  // b u1 (0, 1, 0.5)
  EXPECT_NEAR(s->explain(1, 1, 5)[0].weight, score_of(*s, 1, 1), 1e-6);
  // by item, threshold 1: item 1 has no training user -> a; items 0 and 2 -> b.
  auto t = make_fitted("switching", std::string("{components: ") + kBothExplained + ", threshold: 1, by: item}");
  expect_reasons(t->explain(0, 1, 5), {{"a", 0.5, {5}}});
  expect_reasons(t->explain(0, 2, 5), {{"b", 0.5, {2}}});  // b u0 (1, 0, 0.5)
  for (int32_t u = 0; u < 2; ++u)
    for (int32_t i = 0; i < 3; ++i) EXPECT_NEAR(weight_sum(t->explain(u, i, 5)), score_of(*t, u, i), 1e-6) << u << i;
}

TEST(HybridExplain, RerankPassesTheBaseExplanationThrough) {
  auto r = make_fitted("rerank", "{base: {name: explained, scores: [0, 5, 10, 1, 1, 4]}, lambda: 0.5}");
  EXPECT_TRUE(r->explains());
  const auto reasons = r->explain(0, 1, 3);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].kind, Reason::Kind::Term);
  EXPECT_EQ(reasons[0].text, "cell");
  EXPECT_DOUBLE_EQ(reasons[0].weight, 5.0);  // the base's own score of u0, item 1
  auto plain = make_fitted("rerank", "{base: {name: table, scores: [0, 5, 10, 1, 1, 4]}}");
  EXPECT_FALSE(plain->explains());
  EXPECT_TRUE(plain->explain(0, 1, 3).empty());
}

}  // namespace
}  // namespace tailrec
