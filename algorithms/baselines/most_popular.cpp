// most_popular: every user gets the items with the most distinct training users.
#include <algorithm>
#include <memory>

#include "algorithms/baselines/baselines.hpp"

namespace tailrec {

namespace {

class MostPopular final : public Algorithm {
 public:
  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    const auto counts = context.train.item_user_counts();
    popularity_.assign(counts.begin(), counts.end());
  }
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    for (size_t u = 0; u < users.size(); ++u)
      std::copy(popularity_.begin(), popularity_.end(), out.begin() + static_cast<long>(u * popularity_.size()));
  }

 private:
  std::vector<float> popularity_;
};

}  // namespace

void register_most_popular(Registries& registries) {
  registries.algorithms.add({"most_popular",
                             "Most popular items: the same list for every user.\n"
                             "score(u, i) = phi(i), the number of distinct users with item i in training.",
                             {},
                             [](const Params&) { return std::make_unique<MostPopular>(); }});
}

}  // namespace tailrec
