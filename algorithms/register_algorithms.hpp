#pragma once
#include "framework/registries.hpp"

namespace tailrec {
// Calls one register_x() per algorithm family.
void register_algorithms(Registries& registries);
}  // namespace tailrec
