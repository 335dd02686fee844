#include "framework/metrics/long_tail.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "framework/util/error.hpp"

namespace tailrec {

namespace {

// x * n computed in floating point can land a hair above an integer (0.07 * 100 = 7.000000000000001);
// such a product means that integer, not the next one up, so snap it before ceil() or comparisons.
double snap_to_integer(double value) {
  const double nearest = std::round(value);
  return std::abs(value - nearest) <= 1e-9 * std::max(1.0, std::abs(value)) ? nearest : value;
}

size_t ceil_count(double fraction, size_t n) {
  return static_cast<size_t>(std::ceil(snap_to_integer(fraction * static_cast<double>(n))));
}

void check_fraction(const char* definition, const char* key, double value, bool zero_allowed) {
  if (!(value <= 1.0) || !(zero_allowed ? value >= 0.0 : value > 0.0))
    fail("long tail {}: {} must be in {}0, 1], got {}", definition, key, zero_allowed ? "[" : "(", value);
}

// Items by phi descending, ties by dense index ascending.
std::vector<int32_t> by_popularity(const std::vector<int32_t>& phi) {
  std::vector<int32_t> order(phi.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return phi[static_cast<size_t>(a)] > phi[static_cast<size_t>(b)]; });
  return order;
}

LongTail with_head(const std::vector<int32_t>& phi, const std::vector<int32_t>& order, size_t head_size,
                   std::string definition) {
  LongTail t;
  t.definition = std::move(definition);
  t.is_tail.assign(phi.size(), 1);
  for (size_t r = 0; r < head_size && r < order.size(); ++r) {
    const auto item = static_cast<size_t>(order[r]);
    if (phi[item] > 0) t.is_tail[item] = 0;  // never-seen items are always tail
  }
  t.head_count = static_cast<int32_t>(std::count(t.is_tail.begin(), t.is_tail.end(), 0));
  t.tail_count = static_cast<int32_t>(phi.size()) - t.head_count;
  return t;
}

}  // namespace

LongTail pareto_tail(const std::vector<int32_t>& phi, double share) {
  check_fraction("pareto", "share", share, false);
  const auto order = by_popularity(phi);
  const double total = std::accumulate(phi.begin(), phi.end(), 0.0);
  const double target = snap_to_integer(share * total);
  double cumulative = 0;
  size_t head = 0;
  while (head < order.size() && total > 0 && cumulative < target) {
    cumulative += phi[static_cast<size_t>(order[head])];
    ++head;
  }
  return with_head(phi, order, head, fmt::format("pareto(share={})", share));
}

LongTail top_fraction_tail(const std::vector<int32_t>& phi, double fraction) {
  check_fraction("top_fraction", "x", fraction, true);
  const auto head = ceil_count(fraction, phi.size());
  return with_head(phi, by_popularity(phi), head, fmt::format("top_fraction(x={})", fraction));
}

LongTail bottom_fraction_tail(const std::vector<int32_t>& phi, double fraction) {
  check_fraction("bottom_fraction", "x", fraction, true);
  const auto tail = ceil_count(fraction, phi.size());
  const size_t head = phi.size() > tail ? phi.size() - tail : 0;
  return with_head(phi, by_popularity(phi), head, fmt::format("bottom_fraction(x={})", fraction));
}

}  // namespace tailrec
