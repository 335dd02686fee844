#include "algorithms/neural/negative_sampler.hpp"

#include <algorithm>
#include <numeric>

#include "framework/util/error.hpp"
#include "framework/util/parallel.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {
constexpr uint64_t kNegativeSalt = 0x6E65676174697665ull;  // "negative"
constexpr uint64_t kShuffleSalt = 0x73687566666C6521ull;   // "shuffle!"

// A uniform item outside `seen` (sorted): rejection sampling, as NCF's code does.
int32_t draw_negative(Random& rng, int32_t num_items, std::span<const int32_t> seen) {
  while (true) {
    const auto j = static_cast<int32_t>(rng.below(static_cast<uint64_t>(num_items)));
    if (!std::binary_search(seen.begin(), seen.end(), j)) return j;
  }
}
}  // namespace

NegativeSampler::NegativeSampler(const Interactions& positives, const Interactions& seen)
    : positives_(positives), seen_(seen) {
  if (positives.num_users() != seen.num_users() || positives.num_items() != seen.num_items())
    fail("negative sampling: the positives cover {} users x {} items but the seen interactions {} x {}; both must "
         "span the same catalog", positives.num_users(), positives.num_items(), seen.num_users(), seen.num_items());
  for (int32_t u = 0; u < positives.num_users(); ++u)
    if (positives.row_size(u) > 0 && seen.row_size(u) >= seen.num_items())
      fail("user {} interacted with all {} items: no negative item can be sampled for the neural models; remove "
           "such users in preprocessing", u, seen.num_items());
}

void NegativeSampler::pointwise(uint64_t seed, int64_t epoch, int negatives, int threads, TrainingInstances& out) {
  draw(seed, epoch, negatives, threads, false, out);
}

void NegativeSampler::pairwise(uint64_t seed, int64_t epoch, int negatives, int threads, TrainingInstances& out) {
  draw(seed, epoch, negatives, threads, true, out);
}

void NegativeSampler::draw(uint64_t seed, int64_t epoch, int negatives, int threads, bool pairwise,
                           TrainingInstances& out) {
  if (negatives < (pairwise ? 1 : 0)) fail("negatives = {} must be >= {}", negatives, pairwise ? 1 : 0);
  const int64_t per_pair = pairwise ? negatives : 1 + negatives;
  const int64_t n = positives_.nnz() * per_pair;
  // Unshuffled instances go to scratch columns first, then the permutation gathers them into `out`.
  TrainingInstances& scratch = scratch_;
  scratch.users.resize(static_cast<size_t>(n));
  scratch.items.resize(static_cast<size_t>(n));
  if (pairwise) scratch.negatives.resize(static_cast<size_t>(n));
  else scratch.labels.resize(static_cast<size_t>(n));
  const int32_t num_items = positives_.num_items();
  parallel_chunks(positives_.num_users(), 64, threads, [&](int64_t begin, int64_t end) {
    for (auto u = static_cast<int32_t>(begin); u < end; ++u) {
      const auto liked = positives_.items_of(u);
      if (liked.empty()) continue;
      const auto seen = seen_.items_of(u);
      Random rng = Random::derive(seed ^ kNegativeSalt, static_cast<uint64_t>(epoch) * 0x100000000ull + static_cast<uint64_t>(u));
      auto at = static_cast<size_t>(positives_.row_begin(u) * per_pair);
      for (int32_t item : liked) {
        if (!pairwise) {
          scratch.users[at] = u, scratch.items[at] = item, scratch.labels[at] = 1.0f, ++at;
          for (int k = 0; k < negatives; ++k, ++at)
            scratch.users[at] = u, scratch.items[at] = draw_negative(rng, num_items, seen), scratch.labels[at] = 0.0f;
        } else {
          for (int k = 0; k < negatives; ++k, ++at)
            scratch.users[at] = u, scratch.items[at] = item, scratch.negatives[at] = draw_negative(rng, num_items, seen);
        }
      }
    }
  });
  // Shuffle (Fisher-Yates on a permutation, one stream per epoch), then gather.
  auto& order = order_;
  order.resize(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Random shuffle = Random::derive(seed ^ kShuffleSalt, static_cast<uint64_t>(epoch));
  shuffle.shuffle(order);
  const auto gather = [&](const auto& from, auto& to) {
    to.resize(static_cast<size_t>(n));
    parallel_chunks(n, 1 << 16, threads, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) to[static_cast<size_t>(k)] = from[static_cast<size_t>(order[static_cast<size_t>(k)])];
    });
  };
  gather(scratch.users, out.users);
  gather(scratch.items, out.items);
  if (pairwise) {
    gather(scratch.negatives, out.negatives);
    out.labels.clear();
  } else {
    gather(scratch.labels, out.labels);
    out.negatives.clear();
  }
}

}  // namespace tailrec
