#include "algorithms/hybrid/score_normalization.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include "framework/util/error.hpp"

namespace tailrec {

const std::vector<std::string>& normalization_names() {
  static const std::vector<std::string> names{"minmax", "zscore", "rank", "none"};
  return names;
}

Normalization parse_normalization(const std::string& name) {
  if (name == "minmax") return Normalization::MinMax;
  if (name == "zscore") return Normalization::ZScore;
  if (name == "rank") return Normalization::Rank;
  if (name == "none") return Normalization::None;
  fail("normalization '{}' is not one of minmax, zscore, rank, none", name);
}

namespace {

void replace_non_finite(std::span<float> row) {
  float lowest = std::numeric_limits<float>::infinity();
  bool any_bad = false;
  for (float s : row) {
    if (std::isfinite(s)) lowest = std::min(lowest, s);
    else any_bad = true;
  }
  if (!any_bad) return;
  if (!std::isfinite(lowest)) lowest = 0.0f;
  for (float& s : row)
    if (!std::isfinite(s)) s = lowest;
}

}  // namespace

void normalize_row(std::span<float> row, Normalization normalization) {
  if (row.empty()) return;
  replace_non_finite(row);
  const auto n = row.size();
  switch (normalization) {
    case Normalization::None: return;
    case Normalization::MinMax: {
      const auto [lo, hi] = std::minmax_element(row.begin(), row.end());
      const double low = *lo, range = static_cast<double>(*hi) - low;
      for (float& s : row) s = range > 0 ? static_cast<float>((s - low) / range) : 0.0f;
      return;
    }
    case Normalization::ZScore: {
      double mean = 0;
      for (float s : row) mean += s;
      mean /= static_cast<double>(n);
      double variance = 0;
      for (float s : row) variance += (s - mean) * (s - mean);
      const double deviation = std::sqrt(variance / static_cast<double>(n));
      for (float& s : row) s = deviation > 0 ? static_cast<float>((s - mean) / deviation) : 0.0f;
      return;
    }
    case Normalization::Rank: {
      std::vector<int32_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        const float sa = row[static_cast<size_t>(a)], sb = row[static_cast<size_t>(b)];
        return sa != sb ? sa > sb : a < b;
      });
      // Equal scores share the mean of their ranks: a row of ties (a model with no information
      // about the user) becomes a constant, not an order by item index.
      const double last = static_cast<double>(n - 1);
      for (size_t first = 0; first < n;) {
        size_t end = first + 1;
        while (end < n && row[static_cast<size_t>(order[end])] == row[static_cast<size_t>(order[first])]) ++end;
        const double mean_rank = (static_cast<double>(first) + static_cast<double>(end - 1)) / 2.0;
        const float value = n == 1 ? 1.0f : static_cast<float>(1.0 - mean_rank / last);
        for (size_t r = first; r < end; ++r) row[static_cast<size_t>(order[r])] = value;
        first = end;
      }
      return;
    }
  }
}

}  // namespace tailrec
