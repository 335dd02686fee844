#pragma once
// Facts about the linked libraries and the machine that a run needs, kept apart from the
// registries (which hold components): whether run.device=cuda can run, and what the linked libtorch
// is (for error messages). The framework never includes torch: the program sets these once at
// start-up from the torch code (experiments/register_all.cpp); until then they say "no CUDA".
#include <functional>
#include <string>

namespace tailrec {

struct RuntimeFacts {
  std::function<bool()> cuda_available = [] { return false; };
  std::function<std::string()> torch_build = [] { return std::string("none linked"); };
};

const RuntimeFacts& runtime_facts();
void set_runtime_facts(RuntimeFacts facts);

}  // namespace tailrec
