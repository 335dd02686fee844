#include "algorithms/content/profile_weights.hpp"

namespace tailrec {

ProfileWeights profile_weights(const Interactions& train, bool centered) {
  ProfileWeights p;
  p.begin.assign(train.indptr().begin(), train.indptr().end());
  p.items.assign(train.indices().begin(), train.indices().end());
  p.weights.assign(p.items.size(), 1.0f);
  if (!centered) return p;
  for (int32_t u = 0; u < train.num_users(); ++u) {
    const auto ratings = train.values_of(u);
    if (ratings.empty()) continue;
    double mean = 0;
    for (float r : ratings) mean += r;
    mean /= static_cast<double>(ratings.size());
    const auto b = static_cast<size_t>(train.row_begin(u));
    for (size_t j = 0; j < ratings.size(); ++j) p.weights[b + j] = static_cast<float>(ratings[j] - mean);
  }
  return p;
}

}  // namespace tailrec
