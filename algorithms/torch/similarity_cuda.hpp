#pragma once
// The GPU paths of user_knn, item_knn and ease (run.device=cuda): dense similarity / EASE weight
// matrices computed with libtorch, returned as plain row-major std::vector<float> so that no torch
// header leaks out of algorithms/torch/ (each torch TU costs ~15 s to compile). Products and the
// EASE inverse run in float64, the precision of the CPU path's accumulators, so the results equal
// the CPU ones up to summation order (~1e-16 relative before the cast to float32), and the top-k
// neighbour selection that follows on the CPU picks the same neighbours except for exact ties.
#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/torch/torch_runtime.hpp"
#include "framework/data/csr_matrix.hpp"

namespace tailrec {

// Where the torch code runs. Cpu exists so the torch code itself can be tested without a GPU.
enum class TorchDevice { Cpu, Cuda };

// A dense n x n matrix, row-major.
struct DenseSquare {
  int32_t n = 0;
  std::vector<float> values;
  const float* row(int32_t r) const { return values.data() + static_cast<size_t>(r) * static_cast<size_t>(n); }
};

// item_knn: sim(i,j) = <w_i, w_j> / (|w_i| |w_j| + shrink + 1e-6) between the rows of `by_item`
// (items x users), diagonal 0.
DenseSquare shrunk_cosine_torch(const CsrMatrix& by_item, double shrink, TorchDevice device);

// user_knn cosine: sim(u,v) = <x_u, x_v> / (|x_u| |x_v|) (0 when a norm is 0), then
// shrink_by_support with n = co-rated count; diagonal 0.
DenseSquare support_cosine_torch(const CsrMatrix& x, double shrink, TorchDevice device);

// user_knn pearson over co-rated columns of `deviations` (users x items, r - rbar), then
// shrink_by_support; diagonal 0.
DenseSquare pearson_torch(const CsrMatrix& deviations, double shrink, TorchDevice device);

// ease: B = I - P diag(1/diag(P)), P = (XᵀX + λI)⁻¹ by Cholesky in float64, diagonal 0; `x` is the
// users x items matrix. Throws tailrec::Error when XᵀX + λI is not numerically positive definite.
DenseSquare ease_weights_torch(const CsrMatrix& x, double lambda, TorchDevice device);

}  // namespace tailrec
