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
  // Built in place (Registries is neither copyable nor movable); thread-safe static initialisation.
  struct Filled {
    Registries r;
    Filled() {
      register_all(r);
      set_runtime_facts(algorithm_runtime_facts());
    }
  };
  static const Filled instance;
  return instance.r;
}

}  // namespace tailrec
