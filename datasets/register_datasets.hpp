#pragma once
#include "framework/config/registries.hpp"

namespace tailrec {
// Registers every dataset loader (movielens_100k, movielens_1m, movielens_csv, delimited, recbole).
void register_datasets(Registries& registries);
}  // namespace tailrec
