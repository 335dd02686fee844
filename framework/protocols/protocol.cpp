// Protocol's out-of-line destructor, and relevant_items: the one place that decides which test
// interactions count as relevant.
#include "framework/protocols/protocol.hpp"

namespace tailrec {

Protocol::~Protocol() = default;

std::vector<int32_t> relevant_items(const Interactions& test, int32_t user, std::optional<double> threshold) {
  std::vector<int32_t> out;
  if (user < 0 || user >= test.num_users()) return out;
  const auto items = test.items_of(user);
  const auto values = test.values_of(user);
  out.reserve(items.size());
  // Compared in float, the ratings' own precision, so a threshold of 0.7 keeps a rating of 0.7.
  const float cut = threshold ? static_cast<float>(*threshold) : 0.0f;
  for (size_t k = 0; k < items.size(); ++k)
    if (!threshold || values[k] >= cut) out.push_back(items[k]);
  return out;  // CSR rows are sorted by item, so `out` is too
}

}  // namespace tailrec
