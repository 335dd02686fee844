#pragma once
// Content-based algorithms: they score items from their text, so items without any training
// interaction (cold items) are ranked like any other.
#include "framework/config/registries.hpp"

namespace tailrec {
void register_tfidf(Registries& registries);
}  // namespace tailrec
