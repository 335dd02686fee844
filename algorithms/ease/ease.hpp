#pragma once
// EASE^R (Steck 2019): a closed-form item-item linear model with a zero diagonal.
#include "framework/config/registries.hpp"

namespace tailrec {
void register_ease(Registries& registries);
}  // namespace tailrec
