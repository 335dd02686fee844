// register_hybrids(): the hybrid family's one entry point for register_algorithms().
#include "algorithms/hybrid/hybrid.hpp"
#include "algorithms/register_algorithms.hpp"

namespace tailrec {

void register_hybrids(Registries& registries) {
  register_weighted(registries);
  register_bayesian(registries);
  register_switching(registries);
  register_adaptive_hybrid(registries);
}

}  // namespace tailrec
