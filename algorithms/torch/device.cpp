// Whether libtorch sees a CUDA device, for run.device=cuda|auto (through Registries::cuda_available,
// since the framework never includes torch).
#include <ATen/Context.h>
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "algorithms/torch/similarity_cuda.hpp"

namespace tailrec {

bool torch_cuda_available() { return torch::cuda::is_available(); }

std::string torch_build_description() {
  const bool compiled = at::hasCUDA();
  return fmt::format("{}, CUDA compiled in: {}, CUDA devices: {}", TORCH_VERSION, compiled ? "yes" : "no",
                     compiled ? torch::cuda::device_count() : 0);
}

}  // namespace tailrec
