#pragma once
// The user profiles of the content models (tfidf, bert): each user's training items with a weight,
// 1 (binary) or rating - the user's mean rating (centered), laid out like the training CSR.
#include <cstdint>
#include <vector>

#include "framework/interactions.hpp"

namespace tailrec {

struct ProfileWeights {
  std::vector<int64_t> begin;   // user u's items are items[begin[u] .. begin[u+1])
  std::vector<int32_t> items;
  std::vector<float> weights;
};

ProfileWeights profile_weights(const Interactions& train, bool centered);

}  // namespace tailrec
