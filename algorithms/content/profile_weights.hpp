#pragma once
// The user profiles of the content models (tfidf, bert): each user's training items with a weight,
// 1 (binary) or rating - the user's mean rating (centered), laid out like the training CSR.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "framework/data/interactions.hpp"
#include "framework/model/algorithm.hpp"

namespace tailrec {

struct ProfileWeights {
  std::vector<int64_t> begin;   // user u's items are items[begin[u] .. begin[u+1])
  std::vector<int32_t> items;
  std::vector<float> weights;
};

ProfileWeights profile_weights(const Interactions& train, bool centered);

// The weights a content model scores with: its training users' (fit), or, for fold-in, those of
// users' histories (profile_weights of the history). User u's items are items[begin[u] .. begin[u+1]).
struct ProfileView {
  std::span<const int64_t> begin;
  std::span<const int32_t> items;
  std::span<const float> weights;
};
inline ProfileView view_of(const ProfileWeights& p) { return {p.begin, p.items, p.weights}; }

// The users with at least one row in `added` (1 = changed), over `users` users.
std::vector<char> users_in(const InteractionLog& added, int32_t users);

// Why `old` (the weights of `previous`) cannot be brought up to `train` by recomputing the users of
// `changed` (over train's users, see users_in) alone, or "" when it can: every user outside
// `changed` must have as many items in `train` as in `old` (previous + added leaves them alone).
std::string profile_update_obstacle(const ProfileWeights& old, const Interactions& train,
                                    const std::vector<char>& changed);

// The weights of `train` with the rows of users outside `changed` copied from `old` and the others
// recomputed: equal, bit for bit, to profile_weights(train, centered) when the obstacle is "".
ProfileWeights update_profile_weights(const ProfileWeights& old, const Interactions& train,
                                      const std::vector<char>& changed, bool centered);

// update() of a content model whose item vectors come from text alone (tfidf, bert), so new
// interactions change only the weights of the users they name: those rows are recomputed in place
// ("incremental: N user profiles"), or `refit` runs when that cannot be exact (and says why).
UpdateResult update_profile_model(std::vector<int64_t>& begin, std::vector<int32_t>& items, std::vector<float>& weights,
                                  int32_t num_items, bool centered, const UpdateContext& context,
                                  const std::function<void()>& refit);

}  // namespace tailrec
