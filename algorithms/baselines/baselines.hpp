#pragma once
// Non-personalised baselines every experiment should include.
#include "framework/config/registries.hpp"

namespace tailrec {
void register_most_popular(Registries& registries);
void register_random(Registries& registries);
}  // namespace tailrec
