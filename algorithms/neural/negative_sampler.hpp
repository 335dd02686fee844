#pragma once
// Training instances for the neural models, drawn afresh every epoch into reused buffers (one
// vector per column, so the torch side slices views of one tensor per epoch instead of building
// batches). Every draw comes from tailrec::Random streams derived from (seed, epoch, user), users
// are sampled in parallel into fixed slots, and one stream shuffles the epoch: the instances are
// identical for any thread count.
#include <cstdint>
#include <vector>

#include "algorithms/torch/ncf_network.hpp"
#include "framework/data/interactions.hpp"

namespace tailrec {

class NegativeSampler {
 public:
  // Fails when a user with training data interacted with every item (no negative exists).
  explicit NegativeSampler(const Interactions& train) : NegativeSampler(train, train) {}
  // Positives from `positives` (an update's new pairs), negatives avoiding every item of the user
  // in `seen` (all the user's interactions so far); both cover the same catalog. Fails as above
  // when a user with positives has seen every item.
  NegativeSampler(const Interactions& positives, const Interactions& seen);

  // NCF (pointwise): every positive pair (u, i) with label 1, then `negatives` items j drawn
  // uniformly from the items u has not seen (with replacement, as NCF's
  // get_train_instances), label 0; the whole epoch shuffled.
  void pointwise(uint64_t seed, int64_t epoch, int negatives, int threads, TrainingInstances& out);
  // BPR (pairwise): every positive pair (u, i), `negatives` times, each with its own j drawn as
  // above; the whole epoch shuffled.
  void pairwise(uint64_t seed, int64_t epoch, int negatives, int threads, TrainingInstances& out);

 private:
  void draw(uint64_t seed, int64_t epoch, int negatives, int threads, bool pairwise, TrainingInstances& out);

  const Interactions& positives_;
  const Interactions& seen_;
  TrainingInstances scratch_;   // the unshuffled instances (reused)
  std::vector<int32_t> order_;  // the epoch's permutation (reused)
};

}  // namespace tailrec
