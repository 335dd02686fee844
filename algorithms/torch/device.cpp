// Whether libtorch sees a CUDA device, for run.device=cuda|auto (through RuntimeFacts, framework/config/runtime.hpp,
// since the framework never includes torch). No fmt here: see algorithms/CMakeLists.txt.
#include <dlfcn.h>

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <string>

#include "algorithms/torch/torch_runtime.hpp"

namespace tailrec {

bool torch_cuda_available() { return torch::cuda::is_available(); }

std::string torch_build_description() {
  const bool compiled = at::hasCUDA();
  return std::string(TORCH_VERSION) + ", CUDA compiled in: " + (compiled ? "yes" : "no") +
         ", CUDA devices: " + std::to_string(compiled ? torch::cuda::device_count() : 0);
}

void configure_torch_cpu_threads(int threads) {
  if (threads < 1) threads = 1;
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
  // Found by name, so any other BLAS is left alone.
  using SetThreads = void (*)(int);
  if (auto* set_blas_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    set_blas_threads(1);
}

}  // namespace tailrec
