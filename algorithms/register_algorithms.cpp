#include "algorithms/register_algorithms.hpp"

#include "algorithms/baselines/baselines.hpp"

namespace tailrec {

void register_algorithms(Registries& registries) {
  register_most_popular(registries);
  register_random(registries);
}

}  // namespace tailrec
