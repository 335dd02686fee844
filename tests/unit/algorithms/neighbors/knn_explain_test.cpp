// explain() of user_knn and item_knn on a hand-computed fixture: the reasons are the score's
// largest terms with their exact weights, ties go to the lower index, max_reasons truncates, and
// with every reason kept the weights add up to score(u,i).
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/algorithms/algorithm_test_support.hpp"

namespace tailrec {
namespace {

using test::make_train;

// 5 users x 5 items (the user_knn_test fixture); u4 has no data and nobody has i4.
//   u0: i0=5 i1=3   u1: i0=4 i1=1 i2=2   u2: i1=5 i2=4 i3=1   u3: i0=2 i3=5
// Binary user cosine |I_u ∩ I_v| / sqrt(|I_u| |I_v|):
//   u0-u1 2/sqrt(6) = 0.816497   u0-u2 1/sqrt(6) = 0.408248   u0-u3 1/sqrt(4) = 0.5
//   u1-u2 2/sqrt(9) = 0.666667   u1-u3 1/sqrt(6) = 0.408248   u2-u3 1/sqrt(6) = 0.408248
// Binary item cosine |U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + 1e-6), U_i0 = {0,1,3}, U_i1 = {0,1,2},
// U_i2 = {1,2}, U_i3 = {2,3}:
//   i0-i1 2/3 = 0.666667   i0-i2 1/sqrt(6) = 0.408248   i0-i3 1/sqrt(6) = 0.408248
//   i1-i2 2/sqrt(6) = 0.816497   i1-i3 1/sqrt(6) = 0.408248   i2-i3 1/2 = 0.5
Interactions example() {
  return make_train(5, 5, {{0, 0, 5}, {0, 1, 3}, {1, 0, 4}, {1, 1, 1}, {1, 2, 2}, {2, 1, 5}, {2, 2, 4}, {2, 3, 1}, {3, 0, 2}, {3, 3, 5}});
}

struct Expected {
  int32_t id;
  double weight;
};

void expect_reasons(const std::vector<Reason>& actual, Reason::Kind kind, const std::vector<Expected>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(actual[k].kind, kind) << "reason " << k;
    EXPECT_EQ(actual[k].id, expected[k].id) << "reason " << k;
    EXPECT_NEAR(actual[k].weight, expected[k].weight, 1e-5) << "reason " << k;
    EXPECT_TRUE(actual[k].text.empty());
    EXPECT_TRUE(actual[k].detail.empty());
  }
}

// With room for every reason, the weights add up to the score the ranking uses.
void expect_reasons_sum_to_scores(const Algorithm& a, int32_t users) {
  for (int32_t u = 0; u < users; ++u) {
    const auto row = test::score_row(a, u);
    for (int32_t i = 0; i < a.num_items(); ++i) {
      double sum = 0;
      for (const auto& r : a.explain(u, i, 1000)) sum += r.weight;
      EXPECT_NEAR(sum, row[static_cast<size_t>(i)], 1e-5) << "user " << u << " item " << i;
    }
  }
}

TEST(KnnExplain, UserKnnForwardNeighboursWithTies) {
  const auto a = test::fit_algorithm("user_knn", example(), "{k: 3}");
  EXPECT_TRUE(a->explains());
  // N_3(u0) = {u1 0.816497, u3 0.5, u2 0.408248}; i0 is held by u1 and u3 (x = 1).
  expect_reasons(a->explain(0, 0, 10), Reason::Kind::User, {{1, 0.816497}, {3, 0.5}});
  expect_reasons(a->explain(0, 0, 1), Reason::Kind::User, {{1, 0.816497}});
  // N_3(u2) = {u1 0.666667, u0 0.408248, u3 0.408248}; all three hold i0: u0 and u3 tie, u0 first.
  expect_reasons(a->explain(2, 0, 10), Reason::Kind::User, {{1, 0.666667}, {0, 0.408248}, {3, 0.408248}});
  expect_reasons(a->explain(2, 0, 2), Reason::Kind::User, {{1, 0.666667}, {0, 0.408248}});
  // Nobody in N_3(u0) holds i4; u4 has no neighbours; out-of-range and max_reasons = 0 give none.
  EXPECT_TRUE(a->explain(0, 4, 10).empty());
  EXPECT_TRUE(a->explain(4, 0, 10).empty());
  EXPECT_TRUE(a->explain(0, 0, 0).empty());
  EXPECT_TRUE(a->explain(7, 0, 10).empty());
  EXPECT_TRUE(a->explain(0, -1, 10).empty());
  expect_reasons_sum_to_scores(*a, 5);
}

TEST(KnnExplain, UserKnnReverseNeighbourhood) {
  const auto a = test::fit_algorithm("user_knn", example(), "{k: 1, neighborhood: reverse}");
  // N_1: u0 -> u1, u1 -> u0, u2 -> u1, u3 -> u0; u1 scores with {u0 0.816497, u2 0.666667}.
  // i1 is held by both: s(u1,i1) = 1.483164.
  expect_reasons(a->explain(1, 1, 10), Reason::Kind::User, {{0, 0.816497}, {2, 0.666667}});
  EXPECT_TRUE(a->explain(2, 1, 10).empty());  // nobody has u2 as its nearest neighbour
  expect_reasons_sum_to_scores(*a, 5);
}

TEST(KnnExplain, UserKnnRatingValuesWeightTheNeighbour) {
  const auto a = test::fit_algorithm("user_knn", example(), "{k: 2, values: rating}");
  // Rating cosine: |u0| = sqrt(34), |u1| = sqrt(21), |u2| = sqrt(42), |u3| = sqrt(29);
  // u0-u1 23 / sqrt(714) = 0.860753, u0-u2 15 / sqrt(1428) = 0.396942, u0-u3 10 / sqrt(986) = 0.318465.
  // N_2(u0) = {u1, u2}; i2: u1 rated 2, u2 rated 4 -> 1.721507 and 1.587768.
  expect_reasons(a->explain(0, 2, 10), Reason::Kind::User, {{1, 1.721507}, {2, 1.587768}});
  // i3: only u2 (rating 1) -> 0.396942.
  expect_reasons(a->explain(0, 3, 10), Reason::Kind::User, {{2, 0.396942}});
  expect_reasons_sum_to_scores(*a, 5);
}

TEST(KnnExplain, ItemKnnLikedItemsWithTies) {
  const auto a = test::fit_algorithm("item_knn", example(), "{k: 10}");
  EXPECT_TRUE(a->explains());
  // u3 holds i0 and i3: s(u3,i1) = sim(i0,i1) + sim(i3,i1) = 0.666667 + 0.408248.
  expect_reasons(a->explain(3, 1, 10), Reason::Kind::Item, {{0, 0.666667}, {3, 0.408248}});
  // s(u3,i2) = sim(i3,i2) 0.5 + sim(i0,i2) 0.408248: the larger term first.
  expect_reasons(a->explain(3, 2, 10), Reason::Kind::Item, {{3, 0.5}, {0, 0.408248}});
  // u0 holds i0 and i1, both 1/sqrt(6) from i3: a tie, the lower index first.
  expect_reasons(a->explain(0, 3, 10), Reason::Kind::Item, {{0, 0.408248}, {1, 0.408248}});
  expect_reasons(a->explain(0, 3, 1), Reason::Kind::Item, {{0, 0.408248}});
  EXPECT_TRUE(a->explain(4, 0, 10).empty());  // u4 holds nothing
  expect_reasons_sum_to_scores(*a, 5);
  // k = 1: N_1(i3) = {i2} (0.5 beats 0.408248), which u0 does not hold.
  const auto top1 = test::fit_algorithm("item_knn", example(), "{k: 1}");
  EXPECT_TRUE(top1->explain(0, 3, 10).empty());
  expect_reasons(top1->explain(1, 3, 10), Reason::Kind::Item, {{2, 0.5}});
  expect_reasons_sum_to_scores(*top1, 5);
}

TEST(KnnExplain, ItemKnnRatingValuesWeightTheLikedItem) {
  const auto a = test::fit_algorithm("item_knn", example(), "{k: 10, values: rating}");
  // Rating columns: i0 = (5,4,0,2), i2 = (0,2,4,0), i3 = (0,0,1,5) over u0..u3.
  //   sim(i0,i2) = 8 / (sqrt(45) sqrt(20)) = 8/30 = 0.266667; sim(i3,i2) = 4 / sqrt(26 * 20) = 0.175412.
  // u3 rated i0 = 2, i3 = 5: terms 5 * 0.175412 = 0.877058 and 2 * 0.266667 = 0.533333.
  expect_reasons(a->explain(3, 2, 10), Reason::Kind::Item, {{3, 0.877058}, {0, 0.533333}});
  expect_reasons_sum_to_scores(*a, 5);
}

}  // namespace
}  // namespace tailrec
