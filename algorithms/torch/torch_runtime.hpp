#pragma once
// Process-wide libtorch settings shared by every torch model (no torch in this header).
#include <string>

namespace tailrec {

// torch::cuda::is_available(), and "<libtorch version>, CUDA compiled in: yes/no, devices: n".
bool torch_cuda_available();
std::string torch_build_description();

// The CPU threading of torch models: torch's intra-op pool gets `threads`, and a threaded OpenBLAS
// (Debian's libopenblas0-pthread, which libtorch's matrix products call) is held at one thread:
// two pools on the same cores spin against each other, and OpenBLAS's default thread count is the
// machine's core count, whose roundings would make results depend on the machine. The BERT encoder
// passes 1 and runs fixed chunks on plain threads instead (see bert_encoder.cpp for why).
void configure_torch_cpu_threads(int threads);

}  // namespace tailrec
