#pragma once
// Registration of each dataset loader (one per file in datasets/); register_datasets() calls them all.
#include "framework/config/registries.hpp"

namespace tailrec {

void register_movielens_100k(Registries& registries);
void register_movielens_1m(Registries& registries);
void register_movielens_csv(Registries& registries);
void register_delimited(Registries& registries);
void register_recbole(Registries& registries);
void register_mind(Registries& registries);

}  // namespace tailrec
