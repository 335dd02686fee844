// Randomized truncated SVD against Eigen's dense JacobiSVD: exact on a matrix whose rank fits in
// rank + oversampling, deterministic for a seed, and the same singular values for another seed.
#include <gtest/gtest.h>

#include <Eigen/SVD>

#include "algorithms/embedding_regression/truncated_svd.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

using Sparse = Eigen::SparseMatrix<double, Eigen::RowMajor, int32_t>;

// A 40 x 30 matrix of rank 6 with a zero row, made sparse by zeroing whole columns.
Sparse low_rank() {
  Random random(3);
  Eigen::MatrixXd left(40, 6), right(6, 30);
  for (Eigen::Index i = 0; i < left.size(); ++i) left.data()[i] = random.uniform() - 0.5;
  for (Eigen::Index i = 0; i < right.size(); ++i) right.data()[i] = random.uniform() - 0.5;
  for (Eigen::Index c = 0; c < 30; c += 3) right.col(c).setZero();
  Eigen::MatrixXd dense = left * right;
  dense.row(7).setZero();
  return dense.sparseView();
}

TEST(TruncatedSvd, MatchesTheDenseSvdOnALowRankMatrix) {
  const Sparse a = low_rank();
  const Eigen::JacobiSVD<Eigen::MatrixXd> dense(Eigen::MatrixXd(a), Eigen::ComputeThinU | Eigen::ComputeThinV);
  const auto svd = randomized_svd(a, {4, 10, 2, 99});
  ASSERT_EQ(svd.s.size(), 4);
  ASSERT_EQ(svd.u.rows(), 40);
  ASSERT_EQ(svd.v.rows(), 30);
  for (int c = 0; c < 4; ++c) {
    EXPECT_NEAR(svd.s(c), dense.singularValues()(c), 1e-10) << c;
    // Singular vectors agree up to sign; ours make the largest |v| entry positive.
    const double sign = svd.v.col(c).dot(dense.matrixV().col(c)) > 0 ? 1 : -1;
    EXPECT_LT((svd.v.col(c) - sign * dense.matrixV().col(c)).cwiseAbs().maxCoeff(), 1e-9) << c;
    EXPECT_LT((svd.u.col(c) - sign * dense.matrixU().col(c)).cwiseAbs().maxCoeff(), 1e-9) << c;
    Eigen::Index at = 0;
    svd.v.col(c).cwiseAbs().maxCoeff(&at);
    EXPECT_GT(svd.v(at, c), 0);
  }
  EXPECT_LT((Eigen::MatrixXd(svd.u.transpose() * svd.u) - Eigen::MatrixXd::Identity(4, 4)).cwiseAbs().maxCoeff(), 1e-12);
  // The zero row stays zero.
  EXPECT_LT(svd.u.row(7).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(TruncatedSvd, IsDeterministicAndClampsTheRank) {
  const Sparse a = low_rank();
  const auto one = randomized_svd(a, {5, 3, 2, 1});
  const auto again = randomized_svd(a, {5, 3, 2, 1});
  EXPECT_EQ(one.u, again.u);
  EXPECT_EQ(one.s, again.s);
  const auto other_seed = randomized_svd(a, {5, 3, 2, 2});
  for (int c = 0; c < 5; ++c) EXPECT_NEAR(one.s(c), other_seed.s(c), 1e-9);
  EXPECT_EQ(randomized_svd(a, {100, 10, 2, 1}).s.size(), 30);  // at most min(rows, cols)
}

}  // namespace
}  // namespace tailrec
