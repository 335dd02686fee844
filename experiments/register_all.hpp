#pragma once
#include "framework/config/registries.hpp"

namespace tailrec {

// Fills every registry explicitly: framework metrics, splits and protocols, dataset loaders, and
// algorithms. Call once at start-up; a second registration of a name throws.
void register_all(Registries& registries);
// The process-wide registries, filled on first use.
const Registries& registries();

}  // namespace tailrec
