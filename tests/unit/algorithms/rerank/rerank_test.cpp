// rerank against lists worked out by hand: each method's rule on a few candidates (lambda = 0 keeps the
// base ranking; a larger lambda lifts a tail item), xQuAD's greedy steps, the calibrated-popularity
// Jensen-Shannon values, the head/mid/tail split, and the whole algorithm on a test-only `table` base
// (training items leave the candidates; the re-ranked top-N score N - position, all others 0).
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "algorithms/register_algorithms.hpp"
#include "algorithms/rerank/rerank.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "unit/algorithms/algorithm_test_support.hpp"

namespace tailrec {
namespace {

using Order = std::vector<size_t>;

TEST(RerankNormalization, MinMaxOverTheCandidates) {
  // (s - 1) / (3 - 1): 3 -> 1, 2 -> 0.5, 1.5 -> 0.25, 1 -> 0.
  const std::vector<float> scores{3, 2, 1.5f, 1};
  const auto rel = minmax_normalized(scores);
  ASSERT_EQ(rel.size(), 4u);
  EXPECT_DOUBLE_EQ(rel[0], 1.0);
  EXPECT_DOUBLE_EQ(rel[1], 0.5);
  EXPECT_DOUBLE_EQ(rel[2], 0.25);
  EXPECT_DOUBLE_EQ(rel[3], 0.0);
  const std::vector<float> equal{2, 2};
  EXPECT_EQ(minmax_normalized(equal), (std::vector<double>{0, 0}));
}

TEST(RerankPopularityPenalty, LambdaZeroKeepsTheBaseAndALargerOneLiftsTheTailItem) {
  const std::vector<double> rel{1.0, 0.8, 0.5, 0.0};
  const std::vector<int32_t> phi{9, 3, 0, 0};  // ln(1+phi) = 2.302585, 1.386294, 0, 0
  EXPECT_EQ(popularity_penalty_order(rel, phi, 0.0), (Order{0, 1, 2, 3}));
  // lambda 0.2: 1 - 0.460517 = 0.539483 > 0.8 - 0.277259 = 0.522741 > 0.5 > 0: unchanged.
  EXPECT_EQ(popularity_penalty_order(rel, phi, 0.2), (Order{0, 1, 2, 3}));
  // lambda 0.3: 0.309224, 0.384112, 0.5, 0: the unseen-by-anyone item 2 goes first, item 0 drops to third.
  EXPECT_EQ(popularity_penalty_order(rel, phi, 0.3), (Order{2, 1, 0, 3}));
}

TEST(RerankXquad, GreedyStepsOfTheBinaryVariant) {
  const std::vector<double> rel{1.0, 0.9, 0.6, 0.2, 0.0};
  const std::vector<uint8_t> tail{0, 0, 1, 0, 1};
  EXPECT_EQ(xquad_order(rel, tail, 0.5, 0.0), (Order{0, 1, 2, 3, 4}));
  // lambda 0.5, P(head|u) = P(tail|u) = 0.5; gain = 0.5 rel + 0.5 * P(c|u) while c is not yet in S.
  // step 1: 0.75, 0.70, 0.55, 0.35, 0.25 -> 0 (head now covered)
  // step 2: item 1 0.45, item 2 0.30 + 0.25 = 0.55, item 3 0.10, item 4 0.25 -> 2 (tail covered)
  // step 3: 0.45, 0.10, 0 -> 1, then 3, then 4.
  EXPECT_EQ(xquad_order(rel, tail, 0.5, 0.5), (Order{0, 2, 1, 3, 4}));
  // A tail-loving user (P(tail|u) = 0.9), lambda 0.5:
  // step 1: item 0 0.5 + 0.05 = 0.55, item 1 0.50, item 2 0.30 + 0.45 = 0.75, item 3 0.15, item 4 0.45 -> 2
  // step 2: item 0 0.55, item 1 0.50, item 3 0.15, item 4 0 -> 0; then 1, 3, 4.
  EXPECT_EQ(xquad_order(rel, tail, 0.9, 0.5), (Order{2, 0, 1, 3, 4}));
  // lambda 0.2, P = 0.5: step 1 0.9, 0.82, 0.58, ... -> 0; step 2: 0.72 > 0.48 + 0.1 -> 1: the base order.
  EXPECT_EQ(xquad_order(rel, tail, 0.5, 0.2), (Order{0, 1, 2, 3, 4}));
  // No profile: P(c|u) = 0, and at lambda 1 every gain is 0: ties keep the base order.
  EXPECT_EQ(xquad_order(rel, tail, 0.0, 1.0, false), (Order{0, 1, 2, 3, 4}));
}

TEST(RerankCalibrated, JensenShannonInBits) {
  // p = (.5, .25, .25), q = (1, 0, 0): m = (.75, .125, .125); KL(p||m) = .5 log2(2/3) + .5 = 0.20751875,
  // KL(q||m) = log2(4/3) = 0.41503750; JS = 0.311278125.
  EXPECT_NEAR(jensen_shannon({0.5, 0.25, 0.25}, {1, 0, 0}), 0.311278125, 1e-9);
  EXPECT_NEAR(jensen_shannon({0.5, 0, 0.5}, {1, 0, 0}), 0.311278125, 1e-9);  // same arithmetic, mid empty
  EXPECT_NEAR(jensen_shannon({0.5, 0, 0.5}, {0, 1, 0}), 1.0, 1e-12);          // disjoint supports
  EXPECT_NEAR(jensen_shannon({0.5, 0, 0.5}, {0.5, 0.5, 0}), 0.5, 1e-12);
  EXPECT_NEAR(jensen_shannon({0.2, 0.3, 0.5}, {0.2, 0.3, 0.5}), 0.0, 1e-12);
  // (1/2, 0, 1/2) vs (2/3, 0, 1/3): 0.5 (0.020321 + 0.021121) = 0.0207208
  EXPECT_NEAR(jensen_shannon({0.5, 0, 0.5}, {2.0 / 3, 0, 1.0 / 3}), 0.0207208, 1e-6);
  // (1/2, 0, 1/2) vs (1/3, 1/3, 1/3): 0.5 (log2 1.2 + 0.1187146) = 0.1908745
  EXPECT_NEAR(jensen_shannon({0.5, 0, 0.5}, {1.0 / 3, 1.0 / 3, 1.0 / 3}), 0.1908745, 1e-6);
}

TEST(RerankCalibrated, GreedyStepsTowardTheProfile) {
  const std::vector<double> rel{1.0, 0.7, 0.4, 0.0};
  const std::vector<uint8_t> category{0, 0, 2, 1};  // head, head, tail, mid
  const std::array<double, 3> profile{0.5, 0, 0.5};
  EXPECT_EQ(calibrated_popularity_order(rel, category, profile, 0.0), (Order{0, 1, 2, 3}));
  // lambda 0.5, gain = 0.5 rel - 0.5 JS(P, Q(S + v)), JS values from the test above:
  // step 1: item 0 0.5 - 0.155639 = 0.344361, item 1 0.194361, item 2 0.2 - 0.155639 = 0.044361, item 3 -0.5 -> 0
  // step 2: item 1 (Q = 1,0,0) 0.194361, item 2 (Q = P, JS 0) 0.2, item 3 (JS .5) -0.25 -> 2: the tail item moves up
  // step 3: item 1 0.35 - 0.0103604 = 0.3396, item 3 0 - 0.0954373 -> 1, then 3.
  EXPECT_EQ(calibrated_popularity_order(rel, category, profile, 0.5), (Order{0, 2, 1, 3}));
}

TEST(RerankCategories, HeadMidTailByShareOfPopularity) {
  // phi sums to 14. head_share 0.2: 2.8 is reached by item 0 alone (5). tail_share 0.2: the head of
  // pareto(0.8) reaches 11.2 at 5, 8, 10, 11, 12 -> items 0..4 (ties at phi = 1 by index: 3, 4, 5, 7);
  // the rest {5, 6, 7} is tail, items 1..4 are mid.
  const std::vector<int32_t> phi{5, 3, 2, 1, 1, 1, 0, 1};
  EXPECT_EQ(popularity_categories(phi, 0.2, 0.2), (std::vector<uint8_t>{0, 1, 1, 1, 1, 2, 2, 2}));
}

const Registries& test_registries() {
  static const Registries* registries = [] {
    auto* r = new Registries;
    test::register_table_scores(*r);
    register_rerank(*r);
    return r;
  }();
  return *registries;
}

// 6 users x 8 items; phi = 5, 3, 2, 1, 1, 1, 0, 1 (as in HeadMidTailByShareOfPopularity), so pareto(0.8)
// puts items 5, 6, 7 in the tail. User 0 holds items 0 (head) and 7 (tail): P(tail|u0) = 0.5.
Interactions tiny_train() {
  return test::make_train(6, 8,
                          {{0, 0, 1}, {0, 7, 1}, {1, 0, 1}, {1, 1, 1}, {1, 2, 1}, {2, 0, 1}, {2, 1, 1}, {2, 2, 1},
                           {3, 0, 1}, {3, 1, 1}, {3, 3, 1}, {4, 0, 1}, {4, 4, 1}, {5, 5, 1}});
}

std::vector<float> rerank_row(const std::string& yaml, const std::vector<double>& user0_scores) {
  const auto train = tiny_train();
  std::vector<double> table(6 * 8, 0.0);
  std::copy(user0_scores.begin(), user0_scores.end(), table.begin());
  YAML::Node values = YAML::Load(yaml);
  YAML::Node base(YAML::NodeType::Map);
  base["name"] = "table";
  base["scores"] = table;
  values["base"] = base;
  const auto& entry = test_registries().algorithms.at("rerank");
  auto a = entry.create(Params::from_yaml(entry.params, values));
  const ItemContent content(train.num_items());
  a->fit(FitContext{train, content, nullptr, 7, 1, Device::Cpu, &Logger::null(), {}});
  return test::score_row(*a, 0);
}

TEST(RerankAlgorithm, PopularityPenaltyOnATableBase) {
  // Item 7 scores highest but is a training item: out. Candidates (4): items 1, 2, 3, 4 (8, 7, 6, 5).
  const std::vector<double> scores{9, 8, 7, 6, 5, 4, 3, 10};
  // lambda 0: the base order, scores 4, 3, 2, 1; all other items (training ones too) 0.
  test::expect_row(rerank_row("{method: popularity_penalty, lambda: 0, candidates: 4}", scores),
                   {0, 4, 3, 2, 1, 0, 0, 0});
  // lambda 1: rel 1, 2/3, 1/3, 0 minus ln(1 + phi) = ln 4, ln 3, ln 2, ln 2:
  // -0.386294, -0.431946, -0.359814, -0.693147 -> items 3, 1, 2, 4.
  test::expect_row(rerank_row("{method: popularity_penalty, lambda: 1, candidates: 4}", scores),
                   {0, 3, 2, 4, 1, 0, 0, 0});
}

TEST(RerankAlgorithm, XquadOnATableBase) {
  // Unseen by score: 1 (8), 2 (7), 4 (6), 5 (5), 3 (2), 6 (1); candidates 4 -> items 1, 2, 4, 5, rel 1, 2/3, 1/3, 0;
  // item 5 is tail. lambda 0.5, P(head|u0) = P(tail|u0) = 0.5:
  // step 1: 0.75, 0.583, 0.417, 0.25 -> 1; step 2: 0.333, 0.167, 0.25 -> 2; step 3: 0.167 < 0.25 -> 5; then 4.
  const std::vector<double> scores{9, 8, 7, 2, 6, 5, 1, 10};
  test::expect_row(rerank_row("{method: xquad, lambda: 0.5, candidates: 4}", scores), {0, 4, 3, 0, 1, 2, 0, 0});
  // lambda 0.8: step 1: 0.6, 0.533, 0.467, 0.4 -> 1; step 2: 0.133, 0.067, 0.4 -> 5; then 2, 4.
  test::expect_row(rerank_row("{method: xquad, lambda: 0.8, candidates: 4}", scores), {0, 4, 2, 0, 1, 3, 0, 0});
}

TEST(RerankAlgorithm, CalibratedPopularityOnATableBase) {
  // Categories (0.2/0.2): 0 head, 1-4 mid, 5-7 tail; user 0's profile (items 0, 7) = (1/2, 0, 1/2).
  // Candidates 3: items 1 (mid, rel 1), 5 (tail, rel 0.5), 2 (mid, rel 0), from scores 8, 7, 6.
  // lambda 0.5: step 1: item 1 (Q = 0,1,0; JS = 1) 0.5 - 0.5 = 0; item 5 (Q = 0,0,1; JS 0.311278) 0.25 - 0.155639
  //   = 0.094361; item 2 -0.5 -> 5. step 2: items 1 and 2 both give Q = (0, .5, .5), JS 0.5 (m = .25, .25, .5:
  //   KL = .5 each): item 1 0.5 - 0.25 = 0.25, item 2 -0.25 -> 1; then 2.
  const std::vector<double> scores{9, 8, 6, 1, 1, 7, 1, 10};
  test::expect_row(rerank_row("{method: calibrated_popularity, lambda: 0.5, candidates: 3}", scores),
                   {0, 2, 1, 0, 0, 3, 0, 0});
  test::expect_row(rerank_row("{method: calibrated_popularity, lambda: 0, candidates: 3}", scores),
                   {0, 3, 1, 0, 0, 2, 0, 0});
}

TEST(RerankAlgorithm, ConfigErrorsNameTheKey) {
  const auto& entry = test_registries().algorithms.at("rerank");
  EXPECT_THROW(entry.create(Params::from_yaml(entry.params, YAML::Load("{base: table, method: xquad, lambda: 1.5}"))),
               Error);
  try {
    entry.create(Params::from_yaml(entry.params, YAML::Load("{base: no_such_algorithm}")));
    FAIL() << "an unknown base must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("base"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec
