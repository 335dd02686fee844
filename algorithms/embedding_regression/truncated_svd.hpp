#pragma once
// Truncated SVD of a sparse matrix by randomized subspace iteration (Halko, Martinsson & Tropp 2011,
// algorithms 4.4 and 5.1): a Gaussian test matrix drawn from tailrec's seeded generator, q power
// iterations with a QR after every product, then the exact SVD of the small projected matrix.
// Deterministic for a seed; exact (to rounding) when the matrix's rank is at most rank + oversampling.
#include <cstdint>

#include <Eigen/Dense>
#include <Eigen/SparseCore>

namespace tailrec {

struct SvdOptions {
  int rank = 64;
  int oversampling = 10;
  int power_iterations = 4;
  uint64_t seed = 0;
};

// A ~ U diag(s) V^T with U [rows x r], s descending, V [cols x r], r = min(rank, rows, cols). Signs
// are fixed so that the largest-magnitude entry of each column of V is positive.
struct TruncatedSvd {
  Eigen::MatrixXd u;
  Eigen::VectorXd s;
  Eigen::MatrixXd v;
};

TruncatedSvd randomized_svd(const Eigen::SparseMatrix<double, Eigen::RowMajor, int32_t>& a, const SvdOptions& options);

}  // namespace tailrec
