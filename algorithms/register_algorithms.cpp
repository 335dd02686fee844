#include "algorithms/register_algorithms.hpp"

#include "algorithms/torch/torch_runtime.hpp"

namespace tailrec {

void register_algorithms(Registries& registries) {
#define TAILREC_CALL_REGISTRATION(name) register_##name(registries);
  TAILREC_ALGORITHM_REGISTRATIONS(TAILREC_CALL_REGISTRATION)
#undef TAILREC_CALL_REGISTRATION
}

RuntimeFacts algorithm_runtime_facts() { return {torch_cuda_available, torch_build_description}; }

}  // namespace tailrec
