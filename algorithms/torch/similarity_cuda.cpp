// libtorch implementation of the dense GPU paths (see similarity_cuda.hpp). The only TU besides
// device.cpp that includes <torch/torch.h>; errors are built without fmt (torch's own fmt headers
// shadow the system ones here, see algorithms/CMakeLists.txt). Everything runs in float64 on the chosen device; the
// result is cast to float32 there and copied back once.
#include "algorithms/torch/similarity_cuda.hpp"

#include <cstring>
#include <string>

#include <torch/torch.h>

#include "framework/util/error.hpp"

namespace tailrec {

namespace {

torch::Device torch_device(TorchDevice device) {
  if (device == TorchDevice::Cpu) return torch::Device(torch::kCPU);
  if (!torch::cuda::is_available())
    throw Error("run.device=cuda but no CUDA device is available (this build's libtorch: " +
                torch_build_description() + "); use run.device=cpu or auto");
  return torch::Device(torch::kCUDA);
}

// The flat row-major positions r * cols + c of the stored entries of `m`, on `device`.
torch::Tensor stored_positions(const CsrMatrix& m, const torch::Device& device) {
  std::vector<int64_t> flat(static_cast<size_t>(m.nnz()));
  for (int32_t r = 0; r < m.rows; ++r)
    for (int64_t at = m.indptr[static_cast<size_t>(r)]; at < m.indptr[static_cast<size_t>(r) + 1]; ++at)
      flat[static_cast<size_t>(at)] = static_cast<int64_t>(r) * m.cols + m.indices[static_cast<size_t>(at)];
  return torch::from_blob(flat.data(), {static_cast<int64_t>(flat.size())}, torch::kInt64).to(device).clone();
}

// `m` as a dense float64 rows x cols tensor (values), and its 0/1 pattern of stored entries.
torch::Tensor dense_values(const CsrMatrix& m, const torch::Tensor& positions, const torch::Device& device) {
  auto values = torch::from_blob(const_cast<float*>(m.values.data()), {m.nnz()}, torch::kFloat32)
                    .to(device, torch::kFloat64);
  auto dense = torch::zeros({static_cast<int64_t>(m.rows) * m.cols}, torch::dtype(torch::kFloat64).device(device));
  dense.index_copy_(0, positions, values);
  return dense.view({m.rows, m.cols});
}

torch::Tensor dense_pattern(const CsrMatrix& m, const torch::Tensor& positions, const torch::Device& device) {
  const auto options = torch::dtype(torch::kFloat64).device(device);
  auto dense = torch::zeros({static_cast<int64_t>(m.rows) * m.cols}, options);
  dense.index_copy_(0, positions, torch::ones({m.nnz()}, options));
  return dense.view({m.rows, m.cols});
}

// sim · n / (n + shrink) with n = co-rated count (shrink_by_support, elementwise).
torch::Tensor shrink_by_support(const torch::Tensor& similarity, const torch::Tensor& pattern, double shrink) {
  if (!(shrink > 0)) return similarity;
  const auto support = torch::mm(pattern, pattern.t());
  return similarity * support / (support + shrink);
}

DenseSquare to_host(torch::Tensor square) {
  square.fill_diagonal_(0.0);
  const auto host = square.to(torch::kFloat32).to(torch::kCPU).contiguous();
  DenseSquare out;
  out.n = static_cast<int32_t>(host.size(0));
  out.values.resize(static_cast<size_t>(host.numel()));
  if (!out.values.empty()) std::memcpy(out.values.data(), host.data_ptr<float>(), out.values.size() * sizeof(float));
  return out;
}

}  // namespace

DenseSquare shrunk_cosine_torch(const CsrMatrix& by_item, double shrink, TorchDevice device) {
  torch::NoGradGuard no_grad;
  const auto on = torch_device(device);
  const auto w = dense_values(by_item, stored_positions(by_item, on), on);
  const auto norms = w.pow(2).sum(1).sqrt();
  const auto gram = torch::mm(w, w.t());
  return to_host(gram / (norms.unsqueeze(1) * norms.unsqueeze(0) + shrink + 1e-6));
}

DenseSquare support_cosine_torch(const CsrMatrix& x, double shrink, TorchDevice device) {
  torch::NoGradGuard no_grad;
  const auto on = torch_device(device);
  const auto positions = stored_positions(x, on);
  const auto values = dense_values(x, positions, on);
  const auto norms = values.pow(2).sum(1).sqrt();
  const auto denominator = norms.unsqueeze(1) * norms.unsqueeze(0);
  const auto gram = torch::mm(values, values.t());
  auto similarity = torch::where(denominator > 0, gram / denominator, torch::zeros_like(gram));
  return to_host(shrink_by_support(similarity, dense_pattern(x, positions, on), shrink));
}

DenseSquare pearson_torch(const CsrMatrix& deviations, double shrink, TorchDevice device) {
  torch::NoGradGuard no_grad;
  const auto on = torch_device(device);
  const auto positions = stored_positions(deviations, on);
  const auto d = dense_values(deviations, positions, on);
  const auto pattern = dense_pattern(deviations, positions, on);
  // Σ over co-rated k: d_uk d_vk, d_uk² (self) and d_vk² (partner = self transposed).
  const auto cross = torch::mm(d, d.t());
  const auto self_sq = torch::mm(d * d, pattern.t());
  const auto denominator = self_sq.sqrt() * self_sq.t().sqrt();
  auto similarity = torch::where(denominator > 0, cross / denominator, torch::zeros_like(cross));
  return to_host(shrink_by_support(similarity, pattern, shrink));
}

DenseSquare ease_weights_torch(const CsrMatrix& x, double lambda, TorchDevice device) {
  torch::NoGradGuard no_grad;
  const auto on = torch_device(device);
  const auto values = dense_values(x, stored_positions(x, on), on);
  auto gram = torch::mm(values.t(), values);
  gram.diagonal().add_(lambda);
  torch::Tensor factor;
  try {
    factor = torch::linalg_cholesky(gram);  // the ATen op: torch::linalg:: needs <torch/linalg.h> in 2.x
  } catch (const c10::Error&) {
    throw Error("ease: X^T X + lambda I is not numerically positive definite (lambda = " + std::to_string(lambda) +
                "); use a larger lambda");
  }
  const auto inverse = torch::cholesky_inverse(factor);
  // B_ij = −P_ij / P_jj: every column j divided by its diagonal entry.
  return to_host(-inverse / inverse.diagonal().unsqueeze(0));
}

}  // namespace tailrec
