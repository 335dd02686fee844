// item_knn and its TF-IDF / BM25 weighting (Dacrema et al.'s definitions) against values worked out
// by hand, plus thread-count bit-identity and batch-vs-single scoring.
#include <array>
#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "unit/algorithms/algorithm_test_support.hpp"

#include "algorithms/neighbors/weighting.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

using test::make_train;
using test::expect_row;

// 3 users x 5 items (i3, i4 are cold; they count in I = 5 and in the mean item length):
//   u0: i0=4 i1=1        n = 2, idf = ln(5/3) = 0.510826
//   u1: i0=1 i2=2        n = 2, idf = ln(5/3) = 0.510826
//   u2: i0=2 i1=3 i2=5   n = 3, idf = ln(5/4) = 0.223144
Interactions example() { return make_train(3, 5, {{0, 0, 4}, {0, 1, 1}, {1, 0, 1}, {1, 2, 2}, {2, 0, 2}, {2, 1, 3}, {2, 2, 5}}); }

std::unique_ptr<Algorithm> fit(const Interactions& train, const std::string& params_yaml, int threads = 1) {
  return test::fit_algorithm("item_knn", train, params_yaml, threads);
}

std::vector<float> row(const Algorithm& a, int32_t user) { return test::score_row(a, user); }

TEST(ItemKnn, TfIdfWeightingByHand) {
  // w_ui = sqrt(x_ui) * ln(I / (1 + n_u)) on the ratings:
  //   u0: sqrt(4) * 0.510826 = 1.021651, sqrt(1) * 0.510826 = 0.510826
  //   u1: 1 * 0.510826 = 0.510826, sqrt(2) * 0.510826 = 0.722417
  //   u2: sqrt(2) * 0.223144 = 0.315573, sqrt(3) * 0.223144 = 0.386496, sqrt(5) * 0.223144 = 0.498964
  const auto w = tfidf_weighting(interaction_matrix(example(), ValueMode::Rating));
  const std::vector<double> expected{1.021651, 0.510826, 0.510826, 0.722417, 0.315573, 0.386496, 0.498964};
  ASSERT_EQ(w.values.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(w.values[k], expected[k], 1e-6) << k;
}

TEST(ItemKnn, Bm25WeightingByHand) {
  // Binary x; item lengths len = (3, 2, 2, 0, 0), avg = 7 / 5 = 1.4; k1 = 1.2, b = 0.75:
  //   norm_i0 = 0.25 + 0.75 * 3 / 1.4 = 1.857143, norm_i1 = norm_i2 = 0.25 + 0.75 * 2 / 1.4 = 1.321429
  //   w = 1 * 2.2 / (1.2 norm + 1) * idf_u:
  //   i0: 2.2 / 3.228571 = 0.681416, i1/i2: 2.2 / 2.585714 = 0.850829
  //   u0: 0.681416 * 0.510826 = 0.348085, 0.850829 * 0.510826 = 0.434625
  //   u1: 0.348085, 0.434625; u2: 0.681416 * 0.223144 = 0.152054, 0.850829 * 0.223144 = 0.189857 (x2)
  const auto w = bm25_weighting(interaction_matrix(example(), ValueMode::Binary), 1.2, 0.75);
  const std::vector<double> expected{0.348085, 0.434625, 0.348085, 0.434625, 0.152054, 0.189857, 0.189857};
  ASSERT_EQ(w.values.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(w.values[k], expected[k], 1e-6) << k;
  EXPECT_EQ(parse_weighting("bm25"), Weighting::Bm25);
  EXPECT_THROW(parse_weighting("bm-25"), Error);
}

TEST(ItemKnn, PlainCosineTopOneWithTiesAndScore) {
  const auto a = fit(example(), "{k: 1}");
  // Binary item columns: i0 = {u0,u1,u2}, i1 = {u0,u2}, i2 = {u1,u2}.
  // sim(i0,i1) = sim(i0,i2) = 2 / (sqrt(3) sqrt(2) + 1e-6) = 0.816496; sim(i1,i2) = 1 / (2 + 1e-6) = 0.5.
  // k = 1: N(i0) = {i1} (ties with i2: the lower index wins), N(i1) = {i0}, N(i2) = {i0}.
  // s(u0,·) = w_u0,i0 sim_k(i0,·) + w_u0,i1 sim_k(i1,·): i0 = sim(i1,i0) = 0.816496,
  //   i1 = sim(i0,i1) = 0.816496, i2 = sim(i0,i2) = 0.816496, i3 = i4 = 0.
  // s(u1,·) (items i0, i2): i0 gets nothing (i2 is not in N(i0)), i1 = 0.816496, i2 = 0.816496.
  expect_row(row(*a, 0), {0.816496, 0.816496, 0.816496, 0, 0});
  expect_row(row(*a, 1), {0, 0.816496, 0.816496, 0, 0});
}

TEST(ItemKnn, RatingValuesWithShrink) {
  const auto a = fit(example(), "{k: 2, shrink: 1, values: rating}");
  // Columns: i0 = (4,1,2) |i0| = sqrt(21) = 4.582576; i1 = (1,0,3) |i1| = sqrt(10) = 3.162278;
  // i2 = (0,2,5) |i2| = sqrt(29) = 5.385165.
  // sim(i0,i1) = (4 + 6) / (14.491377 + 1 + 1e-6) = 0.645520; sim(i0,i2) = (2 + 10) / (24.677925 + 1)
  // = 0.467327; sim(i1,i2) = 15 / (17.029386 + 1) = 0.831975. k = 2 keeps both others everywhere.
  // s(u0,·) = 4 sim(i0,·) + 1 sim(i1,·): i0 = 0.645520, i1 = 4 * 0.645520 = 2.582082,
  //   i2 = 4 * 0.467327 + 0.831975 = 2.701285.
  // s(u2,·) = 2 sim(i0,·) + 3 sim(i1,·) + 5 sim(i2,·): i0 = 3 * 0.645520 + 5 * 0.467327 = 4.273198.
  expect_row(row(*a, 0), {0.645520, 2.582082, 2.701285, 0, 0});
  EXPECT_NEAR(row(*a, 2)[0], 4.273198, 1e-5);
}

TEST(ItemKnn, TfIdfAndBm25Scores) {
  // TF-IDF on ratings (weights above): columns i0 = (1.021651, 0.510826, 0.315573) |i0| = 1.185032,
  // i1 = (0.510826, 0, 0.386496) |i1| = 0.640564, i2 = (0, 0.722417, 0.498964) |i2| = 0.877981.
  // sim(i0,i1) = (0.521886 + 0.121968) / 0.759088 = 0.848192; sim(i0,i2) = (0.369029 + 0.157459) / 1.040435
  // = 0.506026; sim(i1,i2) = 0.192848 / 0.562403 = 0.342899.
  // s(u0,·) = 1.021651 sim(i0,·) + 0.510826 sim(i1,·): i0 = 0.510826 * 0.848192 = 0.433278,
  //   i1 = 1.021651 * 0.848192 = 0.866556, i2 = 1.021651 * 0.506026 + 0.510826 * 0.342899 = 0.692144.
  expect_row(row(*fit(example(), "{k: 2, weighting: tfidf, values: rating}"), 0), {0.433278, 0.866556, 0.692144, 0, 0});
  // BM25 on binary x (weights above): |i0| = sqrt(2 * 0.348085² + 0.152054²) = 0.515215,
  // |i1| = |i2| = sqrt(0.434625² + 0.189857²) = 0.474283. sim(i0,i1) = sim(i0,i2) =
  // (0.348085 * 0.434625 + 0.152054 * 0.189857) / 0.244358 = 0.180155 / 0.244358 = 0.737255; sim(i1,i2) = 0.036046 / 0.224945
  // = 0.160242. s(u0,·) = 0.348085 sim(i0,·) + 0.434625 sim(i1,·): i0 = 0.434625 * 0.737255 = 0.320430,
  //   i1 = 0.348085 * 0.737255 = 0.256627, i2 = 0.348085 * 0.737255 + 0.434625 * 0.160242 = 0.326272.
  expect_row(row(*fit(example(), "{k: 2, weighting: bm25}"), 0), {0.320430, 0.256627, 0.326272, 0, 0});
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

TEST(ItemKnn, IdenticalForOneAndTwoThreadsAndForBatchOrSingleScoring) {
  const auto train = random_train(5, 200, 150, 0.1);
  std::vector<int32_t> ids(200);
  for (int32_t u = 0; u < 200; ++u) ids[static_cast<size_t>(u)] = u;
  for (const char* params : {"{k: 10, shrink: 3, weighting: bm25}", "{k: 30, weighting: tfidf, values: rating}"}) {
    const auto one = fit(train, params, 1);
    const auto two = fit(train, params, 2);
    std::vector<float> a(200 * 150), b(200 * 150);
    one->score(ids, a);
    two->score(ids, b);
    EXPECT_EQ(a, b) << params;  // bit-identical
    for (int32_t u : {0, 99, 199}) {
      const auto single = row(*one, u);
      for (size_t i = 0; i < single.size(); ++i) EXPECT_EQ(single[i], a[static_cast<size_t>(u) * 150 + i]) << params;
    }
  }
}

}  // namespace
}  // namespace tailrec
