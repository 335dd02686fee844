// The similarity building blocks of user_knn / item_knn / ease, each against numbers worked out
// by hand in the comments.
#include "algorithms/neighbors/similarity.hpp"

#include <array>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "unit/algorithms/algorithm_test_support.hpp"

#include "framework/util/error.hpp"

namespace tailrec {
namespace {

using test::make_train;

TEST(Similarity, SeedWorkedExampleCosine) {
  // The seed text says "user preference (0.6, 0.4) vs item (0.8, 0.2) gives cosine 0.733...".
  // By hand: <a,b> = 0.6*0.8 + 0.4*0.2 = 0.48 + 0.08 = 0.56; |a| = sqrt(0.36 + 0.16) = sqrt(0.52)
  // = 0.72111; |b| = sqrt(0.64 + 0.04) = sqrt(0.68) = 0.82462; cosine = 0.56 / (0.72111 * 0.82462)
  // = 0.56 / 0.59464 = 0.94174. The seed's 0.733 is an arithmetic slip: no reading of these two
  // vectors gives it (even the unnormalised dot product is 0.56), so the true value is asserted.
  const std::vector<double> user{0.6, 0.4}, item{0.8, 0.2};
  EXPECT_NEAR(cosine(user, item), 0.941742, 1e-6);
  EXPECT_GT(std::abs(cosine(user, item) - 0.733), 0.2);
  EXPECT_EQ(cosine(std::vector<double>{0, 0}, item), 0.0);  // a zero vector has no direction
  EXPECT_THROW(cosine(std::vector<double>{1}, item), Error);
}

TEST(Similarity, InteractionMatrixBinaryOrRating) {
  const auto train = make_train(2, 3, {{0, 0, 4}, {0, 2, 2}, {1, 1, 5}});
  const auto binary = interaction_matrix(train, ValueMode::Binary);
  const auto rating = interaction_matrix(train, ValueMode::Rating);
  EXPECT_EQ(binary.values, (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(rating.values, (std::vector<float>{4, 2, 5}));
  EXPECT_EQ(parse_value_mode("rating"), ValueMode::Rating);
  EXPECT_THROW(parse_value_mode("ratings"), Error);
}

TEST(Similarity, TransposeKeepsRowsSorted) {
  // [[1 0 2], [0 3 4]] -> [[1 0], [0 3], [2 4]]
  const auto t = transpose(interaction_matrix(make_train(2, 3, {{0, 0, 1}, {0, 2, 2}, {1, 1, 3}, {1, 2, 4}}),
                                              ValueMode::Rating));
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.cols, 2);
  EXPECT_EQ(t.indptr, (std::vector<int64_t>{0, 1, 2, 4}));
  EXPECT_EQ(t.indices, (std::vector<int32_t>{0, 1, 0, 1}));
  EXPECT_EQ(t.values, (std::vector<float>{1, 3, 2, 4}));
}

TEST(Similarity, GramRowDotProductsAndCoRatedCounts) {
  // X = u0: (i0=1, i1=2); u1: (i0=3, i2=1); u2: (i1=1, i2=2, i3=4).
  // Row 0 of X Xᵀ: u0·u0 = 1+4 = 5 (2 shared), u0·u1 = 1*3 = 3 (1 shared), u0·u2 = 2*1 = 2 (1 shared).
  const auto x = interaction_matrix(make_train(3, 4, {{0, 0, 1}, {0, 1, 2}, {1, 0, 3}, {1, 2, 1}, {2, 1, 1}, {2, 2, 2}, {2, 3, 4}}),
                                    ValueMode::Rating);
  const auto xt = transpose(x);
  GramScratch scratch;
  scratch.resize(3);
  gram_row(x, xt, 0, scratch);
  EXPECT_EQ(scratch.dot, (std::vector<double>{5, 3, 2}));
  EXPECT_EQ(scratch.count, (std::vector<int32_t>{2, 1, 1}));
  // Row 1 after row 0: the scratch is reset. u1·u0 = 3, u1·u1 = 9+1 = 10, u1·u2 = 1*2 = 2.
  gram_row(x, xt, 1, scratch);
  EXPECT_EQ(scratch.dot, (std::vector<double>{3, 10, 2}));
  EXPECT_EQ(scratch.count, (std::vector<int32_t>{1, 2, 1}));
  const auto norms = row_norms(x);
  EXPECT_DOUBLE_EQ(norms[2], std::sqrt(21.0));  // 1 + 4 + 16
}

TEST(Similarity, GramRowFastPathsGiveTheSameValues) {
  // Binary rows u0 = {i0, i1}, u1 = {i0, i2}, u2 = {i0, i1, i2}: row 0 of X Xᵀ = (2, 1, 2).
  const auto x = interaction_matrix(make_train(3, 3, {{0, 0, 5}, {0, 1, 5}, {1, 0, 5}, {1, 2, 5}, {2, 0, 5}, {2, 1, 5}, {2, 2, 5}}),
                                    ValueMode::Binary);
  const auto xt = transpose(x);
  GramScratch fast;
  fast.configure(x, xt);
  EXPECT_TRUE(fast.unit_values);  // every value is 1: only counts are accumulated
  // Average row work Σ_c (column size)² / rows = (9 + 4 + 4) / 3 = 5.7 is below 4 x 3 partners, so
  // configure() keeps the touched list; force the scan path to check that it gives the same values.
  EXPECT_FALSE(fast.scan);
  fast.scan = true;
  GramScratch plain;
  plain.resize(3);
  for (int32_t r = 0; r < 3; ++r) {
    gram_row(x, xt, r, fast);
    gram_row(x, xt, r, plain);
    EXPECT_EQ(fast.dot, plain.dot) << r;
    EXPECT_EQ(fast.count, plain.count) << r;
  }
  EXPECT_EQ(fast.dot, (std::vector<double>{2, 2, 3}));  // row 2: u2·u0 = 2, u2·u1 = 2, u2·u2 = 3
  EXPECT_EQ(fast.touched, (std::vector<int32_t>{0, 1, 2}));
  // Rating values take the general path.
  GramScratch rated;
  rated.configure(interaction_matrix(make_train(1, 1, {{0, 0, 3}}), ValueMode::Rating),
                  transpose(interaction_matrix(make_train(1, 1, {{0, 0, 3}}), ValueMode::Rating)));
  EXPECT_FALSE(rated.unit_values);
}

TEST(Similarity, PearsonUsesAllRatingMeansAndCoRatedItems) {
  // u0: i0=5, i1=1, i2=3 -> mean 3, deviations (2, -2, 0).
  // u1: i0=5, i1=3, i3=1 -> mean 3, deviations (2, 0, -2).  Co-rated: i0, i1.
  // cross = 2*2 + (-2)*0 = 4; Σ d_u0² over co-rated = 4 + 4 = 8; Σ d_u1² over co-rated = 4 + 0 = 4.
  // pearson = 4 / (sqrt(8) * sqrt(4)) = 4 / 5.656854 = 0.707107.
  // (Means over the co-rated items only would give u1 mean 4 and pearson 1; norms over all items
  // would give 4 / (sqrt(8) sqrt(8)) = 0.5: the test tells the three definitions apart.)
  CsrMatrix d;
  d.rows = 2;
  d.cols = 4;
  d.indptr = {0, 3, 6};
  d.indices = {0, 1, 2, 0, 1, 3};
  d.values = {2, -2, 0, 2, 0, -2};
  const auto dt = transpose(d);
  PearsonScratch scratch;
  scratch.resize(2);
  pearson_row(d, dt, 0, scratch);
  EXPECT_EQ(scratch.count[1], 2);
  EXPECT_DOUBLE_EQ(scratch.cross[1], 4.0);
  EXPECT_DOUBLE_EQ(scratch.self_sq[1], 8.0);
  EXPECT_DOUBLE_EQ(scratch.partner_sq[1], 4.0);
  EXPECT_NEAR(pearson_from_sums(scratch.cross[1], scratch.self_sq[1], scratch.partner_sq[1]), 0.707107, 1e-6);
  EXPECT_EQ(pearson_from_sums(3.0, 0.0, 4.0), 0.0);  // no variance on the co-rated items
}

TEST(Similarity, ShrinkageConventions) {
  // user_knn: sim * n / (n + shrink) = 0.8 * 4 / (4 + 4) = 0.4; shrink 0 leaves it alone.
  EXPECT_DOUBLE_EQ(shrink_by_support(0.8, 4, 4.0), 0.4);
  EXPECT_DOUBLE_EQ(shrink_by_support(0.8, 4, 0.0), 0.8);
  // item_knn (Dacrema): <a,b> / (|a||b| + shrink + 1e-6) = 2 / (2*3 + 1 + 1e-6) = 0.28571425.
  EXPECT_NEAR(shrunk_cosine(2.0, 2.0, 3.0, 1.0), 2.0 / 7.000001, 1e-12);
  EXPECT_NEAR(shrunk_cosine(2.0, 2.0, 3.0, 1.0), 0.2857142, 1e-7);
}

TEST(Similarity, TopKBreaksTiesByLowerIndex) {
  std::vector<Neighbor> candidates{{5, 0.5f}, {2, 0.9f}, {7, 0.5f}, {1, 0.5f}, {3, 0.1f}};
  keep_top_k(candidates, 3);
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].index, 2);  // 0.9
  EXPECT_EQ(candidates[1].index, 1);  // 0.5, lowest index of the three tied
  EXPECT_EQ(candidates[2].index, 5);  // 0.5, next lowest; 7 is dropped
  std::vector<Neighbor> few{{4, 0.2f}, {0, 0.3f}};
  keep_top_k(few, 10);  // k larger than the pool keeps everything, sorted
  EXPECT_EQ(few[0].index, 0);
  EXPECT_EQ(few[1].index, 4);
}

TEST(Similarity, NeighborMatrixSortsByIndex) {
  const auto m = neighbor_matrix({{{3, 0.1f}, {1, 0.9f}}, {}, {{0, 0.5f}}}, 4);
  EXPECT_EQ(m.indptr, (std::vector<int64_t>{0, 2, 2, 3}));
  EXPECT_EQ(m.indices, (std::vector<int32_t>{1, 3, 0}));
  EXPECT_EQ(m.values, (std::vector<float>{0.9f, 0.1f, 0.5f}));
}

}  // namespace
}  // namespace tailrec
