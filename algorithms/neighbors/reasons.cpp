#include "algorithms/neighbors/reasons.hpp"

#include <algorithm>

namespace tailrec {

std::vector<Reason> top_reasons(std::vector<Reason> reasons, int max_reasons) {
  std::sort(reasons.begin(), reasons.end(), [](const Reason& a, const Reason& b) {
    return a.weight > b.weight || (a.weight == b.weight && a.id < b.id);
  });
  reasons.resize(std::min(reasons.size(), static_cast<size_t>(std::max(0, max_reasons))));
  return reasons;
}

}  // namespace tailrec
