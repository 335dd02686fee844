#include "algorithms/embedding_regression/truncated_svd.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/QR>
#include <Eigen/SVD>

#include "framework/util/error.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {

// Standard normal draws by Box-Muller from 53-bit uniforms (std:: distributions differ between
// standard libraries; these do not).
Eigen::MatrixXd gaussian(Eigen::Index rows, Eigen::Index cols, uint64_t seed) {
  Random random(seed);
  Eigen::MatrixXd g(rows, cols);
  for (Eigen::Index c = 0; c < cols; ++c)
    for (Eigen::Index r = 0; r < rows; r += 2) {
      const double u1 = 1.0 - random.uniform();  // (0, 1]: the log is finite
      const double u2 = random.uniform();
      const double radius = std::sqrt(-2.0 * std::log(u1));
      g(r, c) = radius * std::cos(2 * M_PI * u2);
      if (r + 1 < rows) g(r + 1, c) = radius * std::sin(2 * M_PI * u2);
    }
  return g;
}

// An orthonormal basis of the columns of y (thin Q of a Householder QR).
Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& y) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(y);
  return qr.householderQ() * Eigen::MatrixXd::Identity(y.rows(), y.cols());
}

}  // namespace

TruncatedSvd randomized_svd(const Eigen::SparseMatrix<double, Eigen::RowMajor, int32_t>& a, const SvdOptions& options) {
  if (options.rank < 1) fail("truncated SVD: rank must be >= 1, got {}", options.rank);
  const Eigen::Index smaller = std::min(a.rows(), a.cols());
  TruncatedSvd out;
  if (smaller == 0) {
    out.u.resize(a.rows(), 0);
    out.v.resize(a.cols(), 0);
    return out;
  }
  const Eigen::Index rank = std::min<Eigen::Index>(options.rank, smaller);
  const Eigen::Index width = std::min<Eigen::Index>(rank + std::max(0, options.oversampling), smaller);

  // Range finder: Q spans A (A^T A)^q Omega, re-orthonormalised after every product.
  Eigen::MatrixXd q = orthonormal_basis(a * gaussian(a.cols(), width, options.seed));
  for (int i = 0; i < options.power_iterations; ++i) {
    const Eigen::MatrixXd z = orthonormal_basis(a.transpose() * q);
    q = orthonormal_basis(a * z);
  }
  // B = Q^T A, computed as (A^T Q)^T; its SVD gives A's top singular triplets within span(Q).
  const Eigen::MatrixXd b = (a.transpose() * q).transpose();
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(b, Eigen::ComputeThinU | Eigen::ComputeThinV);
  out.s = svd.singularValues().head(rank);
  out.u = q * svd.matrixU().leftCols(rank);
  out.v = svd.matrixV().leftCols(rank);
  for (Eigen::Index c = 0; c < rank; ++c) {
    Eigen::Index at = 0;
    out.v.col(c).cwiseAbs().maxCoeff(&at);
    if (out.v(at, c) < 0) {
      out.v.col(c) *= -1;
      out.u.col(c) *= -1;
    }
  }
  return out;
}

}  // namespace tailrec
