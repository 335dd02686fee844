// random: a seeded uniform score per (user, item), the floor every model must beat.
#include <memory>

#include "algorithms/register_algorithms.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {

class RandomScores final : public Algorithm {
 public:
  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    seed_ = context.seed;
  }
  // The score depends only on (seed, user, item), never on blocks or threads.
  bool ranks_cold_users() const override { return true; }  // seeded noise for every user, by design
  bool scores_cold_items() const override { return true; }  // and every item
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u) {
      const uint64_t user_key = Random::mix(seed_ ^ Random::mix(static_cast<uint64_t>(users[u]) + 1));
      for (size_t i = 0; i < n; ++i)
        out[u * n + i] = static_cast<float>(Random::mix(user_key + i) >> 40) * 0x1.0p-24f;
    }
  }

  // A held-out user gets what any user gets: her history changes nothing.
  bool folds_in() const override { return true; }
  void score_history(std::span<const int32_t> users, const Interactions&, std::span<float> out) const override {
    score(users, out);
  }
 private:
  uint64_t seed_ = 0;
};

}  // namespace

void register_random(Registries& registries) {
  registries.algorithms.add({"random",
                             "Random scores, seeded by run.seed.\n"
                             "score(u, i) = uniform in [0, 1) from SplitMix64(seed, u, i); ties broken by item index.",
                             {},
                             [](const Params&) { return std::make_unique<RandomScores>(); }});
}

}  // namespace tailrec
