#include "experiments/register_all.hpp"

#include "algorithms/register_algorithms.hpp"
#include "datasets/register_datasets.hpp"

namespace tailrec {

void register_all(Registries& r) {
  register_metrics(r);
  register_splits(r);
  register_protocols(r);
  register_datasets(r);
  register_algorithms(r);
}

const Registries& registries() {
  static const Registries instance = [] {
    Registries r;
    register_all(r);
    return r;
  }();
  return instance;
}

}  // namespace tailrec
