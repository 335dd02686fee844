#include "framework/metrics/exposure.hpp"

#include <algorithm>

namespace tailrec {

double exposure_gini(std::vector<int64_t> counts) {
  std::sort(counts.begin(), counts.end());
  const auto n = static_cast<double>(counts.size());
  double total = 0, weighted = 0;
  for (size_t j = 1; j <= counts.size(); ++j) {
    const auto c = static_cast<double>(counts[j - 1]);
    total += c;
    weighted += (2.0 * static_cast<double>(j) - n - 1.0) * c;
  }
  return total > 0 ? weighted / (n * total) : 0.0;  // no recommendation at all: defined as 0
}

}  // namespace tailrec
