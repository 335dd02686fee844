#pragma once
// Inequality of item exposure, shared by the gini metric and the replay loop's gini so far.
#include <cstdint>
#include <vector>

namespace tailrec {

// Gini index of exposure counts over the whole catalog (docs/metrics.md): Σ_j (2j − n − 1) c_(j) / (n Σ c),
// c sorted ascending; 0 = equal exposure, (n-1)/n = one item gets all; 0 when nothing was shown.
double exposure_gini(std::vector<int64_t> counts);

}  // namespace tailrec
