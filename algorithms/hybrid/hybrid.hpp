#pragma once
// Hybrids of any registered algorithms (docs/algorithms/hybrids.md): weighted (a linear blend,
// weights fixed or tuned on the validation carve-out), bayesian (per-user Bayesian model
// averaging), switching (content where data is thin, collaborative elsewhere) and adaptive_hybrid
// (weights learnt from replay feedback). Each factory
// keeps a reference to the registries to build its nested components: registries outlive algorithms.
#include "framework/config/registries.hpp"

namespace tailrec {

void register_weighted(Registries& registries);
void register_bayesian(Registries& registries);
void register_switching(Registries& registries);
void register_adaptive_hybrid(Registries& registries);

}  // namespace tailrec
