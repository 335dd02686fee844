#pragma once
// Neighbourhood collaborative filtering: user-based and item-based k-nearest neighbours.
#include "framework/config/registries.hpp"

namespace tailrec {
void register_user_knn(Registries& registries);
void register_item_knn(Registries& registries);
}  // namespace tailrec
