#pragma once
#include "framework/config/registries.hpp"
#include "framework/config/runtime.hpp"

namespace tailrec {
// Calls one register_x() per algorithm family.
void register_algorithms(Registries& registries);
// What the algorithms' libtorch can do here (CUDA or not, which build).
RuntimeFacts algorithm_runtime_facts();
}  // namespace tailrec
