// Whether libtorch sees a CUDA device, for run.device=cuda|auto (through Registries::cuda_available,
// since the framework never includes torch). No fmt here: see algorithms/CMakeLists.txt.
#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <string>

#include "algorithms/torch/similarity_cuda.hpp"

namespace tailrec {

bool torch_cuda_available() { return torch::cuda::is_available(); }

std::string torch_build_description() {
  const bool compiled = at::hasCUDA();
  return std::string(TORCH_VERSION) + ", CUDA compiled in: " + (compiled ? "yes" : "no") +
         ", CUDA devices: " + std::to_string(compiled ? torch::cuda::device_count() : 0);
}

}  // namespace tailrec
