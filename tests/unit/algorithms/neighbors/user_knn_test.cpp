// user_knn against hand-computed similarities, neighbourhoods, ranking scores and Resnick
// predictions, plus thread-count bit-identity and batch-vs-single scoring.
#include <array>
#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "unit/algorithms/algorithm_test_support.hpp"

#include "algorithms/neighbors/similarity.hpp"
#include "algorithms/neighbors/weighting.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

using test::make_train;
using test::expect_row;

// 5 users x 5 items; u4 has no training data and nobody rated i4.
//   u0: i0=5 i1=3            mean 4
//   u1: i0=4 i1=1 i2=2       mean 7/3
//   u2: i1=5 i2=4 i3=1       mean 10/3
//   u3: i0=2 i3=5            mean 3.5        global mean = 32 / 10 = 3.2
// Binary cosine = |I_u ∩ I_v| / sqrt(|I_u| |I_v|):
//   u0-u1 2/sqrt(6) = 0.816497   u0-u2 1/sqrt(6) = 0.408248   u0-u3 1/sqrt(4) = 0.5
//   u1-u2 2/sqrt(9) = 0.666667   u1-u3 1/sqrt(6) = 0.408248   u2-u3 1/sqrt(6) = 0.408248
Interactions example() {
  return make_train(5, 5, {{0, 0, 5}, {0, 1, 3}, {1, 0, 4}, {1, 1, 1}, {1, 2, 2}, {2, 1, 5}, {2, 2, 4}, {2, 3, 1}, {3, 0, 2}, {3, 3, 5}});
}

std::unique_ptr<Algorithm> fit(const Interactions& train, const std::string& params_yaml, int threads = 1) {
  return test::fit_algorithm("user_knn", train, params_yaml, threads);
}

std::vector<float> row(const Algorithm& a, int32_t user) { return test::score_row(a, user); }

TEST(UserKnn, CosineNeighbourhoodAndRankingScore) {
  const auto a = fit(example(), "{k: 2}");
  // N_2(u0) = {u1 0.816497, u3 0.5} (u2's 0.408248 is third): s = 0.816497 x_u1 + 0.5 x_u3
  //   i0 = 0.816497 + 0.5 = 1.316497, i1 = i2 = 0.816497, i3 = 0.5, i4 = 0.
  expect_row(row(*a, 0), {1.316497, 0.816497, 0.816497, 0.5, 0});
  // N_2(u2): u1 0.666667, then u0 and u3 tie at 1/sqrt(6): the lower index u0 wins.
  //   s = 0.666667 x_u1 + 0.408248 x_u0: i0 = i1 = 1.074915, i2 = 0.666667, i3 = 0 (u3 would give 0.408).
  expect_row(row(*a, 2), {1.074915, 1.074915, 0.666667, 0, 0});
  // No training data: no similarity to anyone, all zeros.
  expect_row(row(*a, 4), {0, 0, 0, 0, 0});
}

TEST(UserKnn, ReverseNeighbourhoodAsDacremaRanks) {
  const auto a = fit(example(), "{k: 1, neighborhood: reverse}");
  // N_1: u0 -> u1 (0.816497), u1 -> u0 (0.816497), u2 -> u1 (0.666667), u3 -> u0 (0.5).
  // Reversed, u scores with the users that chose it: u0 <- {u1, u3}, u1 <- {u0, u2}, u2 and u3 <- {}.
  // s(u1) = 0.816497 x_u0 + 0.666667 x_u2: i0 = 0.816497, i1 = 1.483164, i2 = i3 = 0.666667.
  expect_row(row(*a, 1), {0.816497, 1.483164, 0.666667, 0.666667, 0});
  expect_row(row(*a, 2), {0, 0, 0, 0, 0});  // nobody has u2 as its nearest neighbour
  // Forward k = 1 gives u1 only its own nearest, u0: 0.816497 * (1, 1, 0, 0, 0).
  expect_row(row(*fit(example(), "{k: 1}"), 1), {0.816497, 0.816497, 0, 0, 0});
}

TEST(UserKnn, Bm25WeightsTheSimilarityAndTheScore) {
  const auto train = example();
  const auto a = fit(train, "{k: 1, weighting: bm25}");
  // The formula written out: w = bm25_weighting(x) (as item_knn), cosine over the rows of w,
  // N_1(u0) = the argmax, s(u0,i) = sim(u0,v) * w_vi.
  const auto w = bm25_weighting(interaction_matrix(train, ValueMode::Binary), 1.2, 0.75);
  std::vector<std::vector<double>> dense(5, std::vector<double>(5, 0.0));
  for (int32_t u = 0; u < 5; ++u)
    for (size_t k = 0; k < w.indices_of(u).size(); ++k) dense[static_cast<size_t>(u)][static_cast<size_t>(w.indices_of(u)[k])] = w.values_of(u)[k];
  int32_t best = -1;
  double best_sim = 0;
  for (int32_t v = 1; v < 5; ++v) {
    const double sim = cosine(dense[0], dense[static_cast<size_t>(v)]);
    if (sim > best_sim) best = v, best_sim = sim;
  }
  ASSERT_EQ(best, 1);  // u1 shares two items with u0, as with binary cosine
  std::vector<double> expected(5);
  for (size_t i = 0; i < 5; ++i) expected[i] = best_sim * dense[1][i];
  expect_row(row(*a, 0), expected);
  // BM25 changes the numbers: binary k = 1 would give 0.816497 on i0..i2.
  EXPECT_GT(std::abs(row(*a, 0)[0] - 0.816497), 0.1);
}

TEST(UserKnn, RatingValuesChangeSimilarityAndScore) {
  const auto a = fit(example(), "{k: 1, values: rating}");
  // Rating cosine: u0·u1 = 5*4 + 3*1 = 23, |u0| = sqrt(34), |u1| = sqrt(21): 23 / sqrt(714) = 0.860753;
  // u0·u2 = 3*5 = 15 / sqrt(34*42) = 0.396942; u0·u3 = 5*2 = 10 / sqrt(34*29) = 0.318465.
  // N_1(u0) = {u1}: s = 0.860753 * (4, 1, 2, 0, 0) = (3.443013, 0.860753, 1.721507, 0, 0).
  expect_row(row(*a, 0), {3.443013, 0.860753, 1.721507, 0, 0});
  // Binary values with k = 1 give 0.816497 * (1, 1, 1, 0, 0) instead.
  expect_row(row(*fit(example(), "{k: 1}"), 0), {0.816497, 0.816497, 0.816497, 0, 0});
}

TEST(UserKnn, ShrinkageByCoRatedCount) {
  const auto a = fit(example(), "{k: 3, shrink: 2}");
  // sim * n / (n + 2): u0-u1 0.816497 * 2/4 = 0.408248; u0-u2 0.408248 * 1/3 = 0.136083;
  // u0-u3 0.5 * 1/3 = 0.166667. s(u0): i0 = u1 + u3 = 0.574915; i1 = u1 + u2 = 0.544331;
  // i2 = u1 + u2 = 0.544331; i3 = u2 + u3 = 0.302749.
  expect_row(row(*a, 0), {0.574915, 0.544331, 0.544331, 0.302749, 0});
}

TEST(UserKnn, PearsonKeepsOnlyPositiveCorrelations) {
  const auto a = fit(example(), "{k: 50, similarity: pearson}");
  // u0 deviations (mean 4): i0 +1, i1 -1. u1 (mean 7/3): i0 5/3, i1 -4/3, i2 -1/3.
  // Co-rated i0, i1: cross = 5/3 + 4/3 = 3; Σd_u0² = 2; Σd_u1² = 25/9 + 16/9 = 41/9:
  // 3 / (sqrt(2) sqrt(41/9)) = 0.993884. u0-u2 (co-rated i1): -1 * 5/3 / (1 * 5/3) = -1;
  // u0-u3 (co-rated i0): 1 * -1.5 / (1 * 1.5) = -1: both dropped, so N(u0) = {u1}.
  expect_row(row(*a, 0), {0.993884, 0.993884, 0.993884, 0, 0});
  // Resnick with no positive neighbour among i3's raters (u2, u3): falls back to rbar_u0 = 4.
  EXPECT_NEAR(a->predict(0, 3), 4.0, 1e-6);
}

TEST(UserKnn, PearsonOnImplicitDataIsAnError) {
  const auto implicit = make_train(2, 2, {{0, 0, 1}, {0, 1, 1}, {1, 0, 1}});
  EXPECT_THROW(fit(implicit, "{similarity: pearson}"), Error);
}

TEST(UserKnn, ResnickPredictionAndFallbacks) {
  ASSERT_TRUE(fit(example(), "{}")->predicts_ratings());
  // u3 (mean 3.5) and item i1, rated by u0 (3), u1 (1), u2 (5); sim(u3,·) = 0.5, 0.408248, 0.408248.
  // k = 2: u0, then u1 (ties u2, lower index). Σ sim (r - rbar) = 0.5 (3 - 4) + 0.408248 (1 - 7/3)
  // = -0.5 - 0.544331 = -1.044331; Σ|sim| = 0.908248; 3.5 - 1.044331 / 0.908248 = 2.350170.
  EXPECT_NEAR(fit(example(), "{k: 2}")->predict(3, 1), 2.350170, 1e-5);
  // k = 3 adds u2: -1.044331 + 0.408248 (5 - 10/3) = -0.363917; / 1.316497 -> 3.5 - 0.276428 = 3.223572.
  const auto a = fit(example(), "{k: 3}");
  EXPECT_NEAR(a->predict(3, 1), 3.223572, 1e-5);
  EXPECT_NEAR(a->predict(0, 4), 4.0, 1e-6);  // nobody rated i4: rbar_u0 = (5 + 3) / 2
  EXPECT_NEAR(a->predict(4, 0), 3.2, 1e-6);  // no training data: the global mean 32 / 10
  // The per-thread cache of u3's row must not leak into another user's prediction.
  EXPECT_NEAR(a->predict(3, 1), 3.223572, 1e-5);
}

Interactions random_train(uint64_t seed, int32_t users, int32_t items, double density) {
  Random random(seed);
  InteractionLog log;
  for (int32_t u = 0; u < users; ++u)
    for (int32_t i = 0; i < items; ++i)
      if (random.uniform() < density) log.push(u, i, static_cast<float>(1 + random.below(5)));
  log.has_ratings = true;
  return Interactions(log, users, items);
}

std::vector<float> all_rows(const Algorithm& a, int32_t users) {
  std::vector<int32_t> ids(static_cast<size_t>(users));
  for (int32_t u = 0; u < users; ++u) ids[static_cast<size_t>(u)] = u;
  std::vector<float> out(static_cast<size_t>(users) * static_cast<size_t>(a.num_items()));
  a.score(ids, out);
  return out;
}

TEST(UserKnn, IdenticalForOneAndTwoThreadsAndForBatchOrSingleScoring) {
  const auto train = random_train(3, 300, 120, 0.1);
  for (const char* params : {"{k: 20, values: rating, shrink: 5}", "{k: 15, similarity: pearson}"}) {
    const auto one = fit(train, params, 1);
    const auto two = fit(train, params, 2);
    const auto block = all_rows(*one, 300);
    EXPECT_EQ(block, all_rows(*two, 300)) << params;  // bit-identical
    for (int32_t u : {0, 17, 299}) {
      const auto single = row(*one, u);
      for (size_t i = 0; i < single.size(); ++i) EXPECT_EQ(single[i], block[static_cast<size_t>(u) * 120 + i]) << params;
      for (int32_t i : {0, 5, 119}) EXPECT_EQ(one->predict(u, i), two->predict(u, i)) << params;
    }
  }
}

}  // namespace
}  // namespace tailrec
