// most_popular: every user gets the items with the most distinct training users.
#include <algorithm>
#include <memory>
#include <utility>

#include "algorithms/register_algorithms.hpp"
#include "framework/util/error.hpp"

namespace tailrec {

namespace {

class MostPopular final : public Algorithm {
 public:
  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    const auto counts = context.train.item_user_counts();
    popularity_.assign(counts.begin(), counts.end());
  }
  bool ranks_cold_users() const override { return true; }  // the same list for every user
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    for (size_t u = 0; u < users.size(); ++u)
      std::copy(popularity_.begin(), popularity_.end(), out.begin() + static_cast<long>(u * popularity_.size()));
  }

  // A held-out user gets what any user gets: her history changes nothing.
  bool folds_in() const override { return true; }
  void score_history(std::span<const int32_t> users, const Interactions&, std::span<float> out) const override {
    score(users, out);
  }
  // phi(i) grows by one for every (user, item) pair of `added` that `previous` lacks; repeated
  // pairs within `added` count once. Counts stay exact in float up to 2^24 users per item.
  UpdateResult update(const UpdateContext& context) override {
    const auto& added = context.added;
    const auto& previous = context.previous;
    bool fits = context.fit.train.num_items() == num_items_ && previous.num_items() == num_items_;
    for (size_t r = 0; fits && r < added.size(); ++r) fits = added.items[r] >= 0 && added.items[r] < num_items_;
    if (!fits) {
      fit(context.fit);
      return {false, fmt::format("refit: the catalog changed from the {} items the counts were made for", num_items_)};
    }
    std::vector<std::pair<int32_t, int32_t>> pairs;
    for (size_t r = 0; r < added.size(); ++r) {
      const int32_t user = added.users[r], item = added.items[r];
      const bool known = user >= 0 && user < previous.num_users() && previous.contains(user, item);
      if (!known) pairs.emplace_back(user, item);
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    std::vector<char> changed(popularity_.size(), 0);
    for (const auto& [user, item] : pairs) popularity_[static_cast<size_t>(item)] += 1.0f, changed[static_cast<size_t>(item)] = 1;
    return {true, fmt::format("incremental: counts of {} items", std::count(changed.begin(), changed.end(), 1))};
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
