// ease against the closed form worked out by hand on 3 items, against a plain dense inverse on a
// catalog wider than one solve block, and for thread-count bit-identity.
#include <array>
#include <memory>
#include <vector>

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include "unit/algorithms/algorithm_test_support.hpp"

#include "experiments/register_all.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

std::unique_ptr<Algorithm> fit(const Interactions& train, const std::string& params_yaml, int threads = 1) {
  return test::fit_algorithm("ease", train, params_yaml, threads);
}

std::vector<float> row(const Algorithm& a, int32_t user) { return test::score_row(a, user); }

TEST(Ease, ThreeItemClosedFormByHand) {
  // u0: i0 i1; u1: i1 i2; u2: i0 i1 i2; u3: i0 (ratings are ignored: X is binary).
  InteractionLog log;
  const int pairs[][2] = {{0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 2}, {3, 0}};
  for (const auto& p : pairs) log.push(p[0], p[1], 4.0f);
  log.has_ratings = true;
  const Interactions train(log, 4, 3);
  const auto a = fit(train, "{lambda: 1}");
  // XᵀX = [[3,2,1],[2,3,2],[1,2,2]]; G = XᵀX + I = [[4,2,1],[2,4,2],[1,2,3]].
  // det G = 4(12 - 4) - 2(6 - 2) + 1(4 - 4) = 24. Cofactors: C00 = 8, C01 = -4, C02 = 0, C11 = 11,
  // C12 = -6, C22 = 12, so P = G⁻¹ = (1/24) [[8,-4,0],[-4,11,-6],[0,-6,12]].
  // B_ij = -P_ij / P_jj: column 0 (P00 = 8/24): B10 = 4/8 = 0.5, B20 = 0;
  // column 1 (P11 = 11/24): B01 = 4/11 = 0.363636, B21 = 6/11 = 0.545455;
  // column 2 (P22 = 12/24): B02 = 0, B12 = 6/12 = 0.5.  B = [[0, 4/11, 0], [0.5, 0, 0.5], [0, 6/11, 0]].
  // s(u3) = B row 0 = (0, 0.363636, 0); s(u0) = rows 0 + 1 = (0.5, 0.363636, 0.5);
  // s(u1) = rows 1 + 2 = (0.5, 0.545455, 0.5).
  const std::vector<std::vector<double>> expected{{0.5, 0.363636, 0.5}, {0.5, 0.545455, 0.5}, {0.5, 0.909091, 0.5}, {0, 0.363636, 0}};
  for (int32_t u = 0; u < 4; ++u) {
    const auto s = row(*a, u);
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(s[i], expected[static_cast<size_t>(u)][i], 1e-6) << u << "," << i;
  }
}

TEST(Ease, LambdaMustBePositive) {
  const auto& entry = registries().algorithms.at("ease");
  EXPECT_THROW(entry.create(Params::from_yaml(entry.params, YAML::Load("{lambda: 0}"))), Error);
}

Interactions random_train(uint64_t seed, int32_t users, int32_t items, double density) {
  Random random(seed);
  InteractionLog log;
  for (int32_t u = 0; u < users; ++u)
    for (int32_t i = 0; i < items; ++i)
      if (random.uniform() < density) log.push(u, i, 1.0f);
  return Interactions(log, users, items);
}

TEST(Ease, MatchesADenseInverseAcrossSolveBlocks) {
  // 150 items span three solve blocks of 64 columns; compare with P = G.inverse() (LU).
  const int32_t users = 120, items = 150;
  const auto train = random_train(9, users, items, 0.08);
  const double lambda = 5;
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(users, items);
  for (int32_t u = 0; u < users; ++u)
    for (int32_t i : train.items_of(u)) x(u, i) = 1;
  const Eigen::MatrixXd p = (x.transpose() * x + lambda * Eigen::MatrixXd::Identity(items, items)).inverse();
  Eigen::MatrixXd b(items, items);
  for (int i = 0; i < items; ++i)
    for (int j = 0; j < items; ++j) b(i, j) = i == j ? 0.0 : -p(i, j) / p(j, j);
  const Eigen::MatrixXd expected = x * b;
  const auto a = fit(train, "{lambda: 5}", 2);
  for (int32_t u = 0; u < users; ++u) {
    const auto s = row(*a, u);
    for (int32_t i = 0; i < items; ++i) EXPECT_NEAR(s[static_cast<size_t>(i)], expected(u, i), 1e-5) << u << "," << i;
  }
}

TEST(Ease, IdenticalForOneAndTwoThreadsAndForBatchOrSingleScoring) {
  const auto train = random_train(4, 100, 200, 0.1);
  const auto one = fit(train, "{lambda: 20}", 1);
  const auto two = fit(train, "{lambda: 20}", 2);
  std::vector<int32_t> ids(100);
  for (int32_t u = 0; u < 100; ++u) ids[static_cast<size_t>(u)] = u;
  std::vector<float> a(100 * 200), b(100 * 200);
  one->score(ids, a);
  two->score(ids, b);
  EXPECT_EQ(a, b);  // bit-identical
  for (int32_t u : {0, 50, 99}) {
    const auto single = row(*one, u);
    for (size_t i = 0; i < single.size(); ++i) EXPECT_EQ(single[i], a[static_cast<size_t>(u) * 200 + i]);
  }
}

}  // namespace
}  // namespace tailrec
