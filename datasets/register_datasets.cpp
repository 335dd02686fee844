#include "datasets/register_datasets.hpp"

#include "datasets/sources.hpp"

namespace tailrec {

void register_datasets(Registries& registries) {
  register_movielens_100k(registries);
  register_movielens_1m(registries);
  register_movielens_csv(registries);
  register_delimited(registries);
  register_recbole(registries);
  register_mind(registries);
}

}  // namespace tailrec
