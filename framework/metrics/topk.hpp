#pragma once
// Top-k selection with the tie rule of docs/metrics.md: score descending, then dense item index
// ascending. NaN scores rank below every number, so a broken model cannot reorder the rest.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace tailrec {

struct Scored {
  float score;
  int32_t item;
};

// True when a ranks before b.
inline bool ranks_before(const Scored& a, const Scored& b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

inline float rankable(float score) {
  return std::isnan(score) ? -std::numeric_limits<float>::infinity() : score;
}

// The k best items of `scores` (one per catalog item) that are in neither `excluded` nor
// `also_excluded` (both sorted ascending), best first. `heap` is scratch space reused across calls.
inline void top_k_excluding(std::span<const float> scores, std::span<const int32_t> excluded, int k,
                            std::vector<Scored>& heap, std::vector<Scored>& out,
                            std::span<const int32_t> also_excluded = {}) {
  heap.clear();
  out.clear();
  if (k <= 0) return;
  const auto worse_on_top = [](const Scored& a, const Scored& b) { return ranks_before(a, b); };
  size_t next_excluded = 0, next_also = 0;
  const auto n = static_cast<int32_t>(scores.size());
  for (int32_t item = 0; item < n; ++item) {
    while (next_excluded < excluded.size() && excluded[next_excluded] < item) ++next_excluded;
    while (next_also < also_excluded.size() && also_excluded[next_also] < item) ++next_also;
    if ((next_excluded < excluded.size() && excluded[next_excluded] == item) ||
        (next_also < also_excluded.size() && also_excluded[next_also] == item))
      continue;
    const Scored candidate{rankable(scores[static_cast<size_t>(item)]), item};
    if (heap.size() < static_cast<size_t>(k)) {
      heap.push_back(candidate);
      std::push_heap(heap.begin(), heap.end(), worse_on_top);
    } else if (ranks_before(candidate, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), worse_on_top);
      heap.back() = candidate;
      std::push_heap(heap.begin(), heap.end(), worse_on_top);
    }
  }
  out.assign(heap.begin(), heap.end());
  std::sort(out.begin(), out.end(), ranks_before);
}

}  // namespace tailrec
