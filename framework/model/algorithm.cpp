#include "framework/model/algorithm.hpp"

#include <vector>

#include "framework/util/error.hpp"

namespace tailrec {

void Algorithm::score_items(int32_t user, std::span<const int32_t> items, std::span<float> out) const {
  std::vector<float> row(static_cast<size_t>(num_items_));
  score(std::span<const int32_t>(&user, 1), row);
  for (size_t i = 0; i < items.size(); ++i) out[i] = row[static_cast<size_t>(items[i])];
}

UpdateResult Algorithm::update(const UpdateContext& context) {
  fit(context.fit);
  return {false, "refit: no incremental update for this algorithm"};
}

std::vector<Reason> Algorithm::explain(int32_t, int32_t, int) const { return {}; }

void Algorithm::score_history(std::span<const int32_t>, const Interactions&, std::span<float>) const {
  throw NotSupported("this algorithm cannot score a user from a history it was not fitted on (fold-in)");
}

float Algorithm::predict(int32_t, int32_t) const {
  throw NotSupported("this algorithm ranks items but does not predict ratings");
}

}  // namespace tailrec
