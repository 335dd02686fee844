#include "algorithms/content/contributions.hpp"

#include <algorithm>

namespace tailrec {

std::vector<Contribution> top_contributions(std::vector<Contribution> all, int max_reasons) {
  std::erase_if(all, [](const Contribution& c) { return !(c.weight > 0); });
  const auto better = [](const Contribution& a, const Contribution& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.index < b.index;
  };
  const size_t keep = std::min(all.size(), static_cast<size_t>(std::max(max_reasons, 0)));
  std::partial_sort(all.begin(), all.begin() + static_cast<long>(keep), all.end(), better);
  all.resize(keep);
  return all;
}

}  // namespace tailrec
