#include "algorithms/content/profile_weights.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tailrec {

namespace {

// User u's weights from `train` into weights[at ..): the one computation both paths share, so an
// updated row is the same, bit for bit, as a fitted one.
void user_weights(const Interactions& train, int32_t u, bool centered, float* weights) {
  const auto ratings = train.values_of(u);
  if (!centered) {
    for (size_t j = 0; j < ratings.size(); ++j) weights[j] = 1.0f;
    return;
  }
  if (ratings.empty()) return;
  double mean = 0;
  for (float r : ratings) mean += r;
  mean /= static_cast<double>(ratings.size());
  for (size_t j = 0; j < ratings.size(); ++j) weights[j] = static_cast<float>(ratings[j] - mean);
}

int64_t old_size(const ProfileWeights& old, int32_t u) {
  const auto s = static_cast<size_t>(u);
  return s + 1 < old.begin.size() ? old.begin[s + 1] - old.begin[s] : 0;
}

}  // namespace

ProfileWeights profile_weights(const Interactions& train, bool centered) {
  ProfileWeights p;
  p.begin.assign(train.indptr().begin(), train.indptr().end());
  p.items.assign(train.indices().begin(), train.indices().end());
  p.weights.assign(p.items.size(), 1.0f);
  for (int32_t u = 0; u < train.num_users(); ++u)
    user_weights(train, u, centered, p.weights.data() + train.row_begin(u));
  return p;
}

std::vector<char> users_in(const InteractionLog& added, int32_t users) {
  std::vector<char> in(static_cast<size_t>(users), 0);
  for (int32_t u : added.users)
    if (u >= 0 && u < users) in[static_cast<size_t>(u)] = 1;
  return in;
}

std::string profile_update_obstacle(const ProfileWeights& old, const Interactions& train,
                                    const std::vector<char>& changed) {
  if (old.begin.empty()) return "the model has not been fitted";
  const auto old_users = static_cast<int32_t>(old.begin.size() - 1);
  if (train.num_users() < old_users)
    return fmt::format("the training data has {} users, fewer than the {} the model knows", train.num_users(), old_users);
  for (int32_t u = 0; u < train.num_users(); ++u)
    if (!changed[static_cast<size_t>(u)] && train.row_size(u) != old_size(old, u))
      return fmt::format("user {} has no new interaction but {} training items instead of {}", u, train.row_size(u),
                         old_size(old, u));
  return "";
}

ProfileWeights update_profile_weights(const ProfileWeights& old, const Interactions& train,
                                      const std::vector<char>& changed, bool centered) {
  ProfileWeights p;
  p.begin.assign(train.indptr().begin(), train.indptr().end());
  p.items.assign(train.indices().begin(), train.indices().end());
  p.weights.resize(p.items.size());
  for (int32_t u = 0; u < train.num_users(); ++u) {
    float* out = p.weights.data() + train.row_begin(u);
    if (changed[static_cast<size_t>(u)]) {
      user_weights(train, u, centered, out);
    } else {
      const auto b = old.begin[static_cast<size_t>(u)];
      for (int64_t n = 0; n < old_size(old, u); ++n) out[n] = old.weights[static_cast<size_t>(b + n)];
    }
  }
  return p;
}

UpdateResult update_profile_model(std::vector<int64_t>& begin, std::vector<int32_t>& items, std::vector<float>& weights,
                                  int32_t num_items, bool centered, const UpdateContext& context,
                                  const std::function<void()>& refit) {
  const auto& train = context.fit.train;
  const auto changed = users_in(context.added, train.num_users());
  ProfileWeights old{std::move(begin), std::move(items), std::move(weights)};
  const auto obstacle = train.num_items() != num_items
                            ? fmt::format("the catalog went from {} to {} items", num_items, train.num_items())
                            : profile_update_obstacle(old, train, changed);
  if (!obstacle.empty()) {
    refit();
    return {false, "refit: " + obstacle};
  }
  auto updated = update_profile_weights(old, train, changed, centered);
  begin = std::move(updated.begin);
  items = std::move(updated.items);
  weights = std::move(updated.weights);
  return {true, fmt::format("incremental: {} user profiles", std::count(changed.begin(), changed.end(), 1))};
}

}  // namespace tailrec
