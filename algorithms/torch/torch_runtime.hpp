#pragma once
// Process-wide libtorch settings shared by every torch model (no torch in this header).
#include <string>

namespace tailrec {

// torch::cuda::is_available(), and "<libtorch version>, CUDA compiled in: yes/no, devices: n".
bool torch_cuda_available();
std::string torch_build_description();

// The CPU threading policy of every torch model: torch's intra-op pool gets `threads`, and a
// threaded OpenBLAS (Debian's libopenblas0-pthread, which libtorch's matrix products call) is held
// at one thread. Two pools on the same cores spin against each other (measured: a 2-thread BERT
// encode 40x slower than 1 thread on a loaded 2-core machine), and OpenBLAS's default thread count
// is the machine's core count, whose roundings would make results depend on the machine. Models
// parallelise over fixed chunks of their own instead, so results do not depend on `threads`.
void configure_torch_cpu_threads(int threads);

}  // namespace tailrec
