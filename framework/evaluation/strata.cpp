#include "framework/evaluation/strata.hpp"

#include <algorithm>
#include <numeric>
#include <string_view>

#include <fmt/format.h>

#include "framework/util/check.hpp"

namespace tailrec {

namespace {

// "1 training user", "2 training users", "2-5 training users" (`unit` is the plural).
std::string range_text(int32_t low, int32_t high, std::string_view unit) {
  if (low != high) return fmt::format("{}-{} {}", low, high, unit);
  return fmt::format("{} {}", low, low == 1 ? unit.substr(0, unit.size() - 1) : unit);
}

// Groups q1..qN over `members` sorted by `key` (ties by index), cut by quantile_cuts.
void add_quantiles(Strata& strata, std::vector<int32_t> members, const std::vector<int32_t>& key, int groups,
                   bool descending, const char* unit, const char* order_word) {
  std::stable_sort(members.begin(), members.end(), [&](int32_t a, int32_t b) {
    return descending ? key[static_cast<size_t>(a)] > key[static_cast<size_t>(b)]
                      : key[static_cast<size_t>(a)] < key[static_cast<size_t>(b)];
  });
  std::vector<int32_t> keys;
  keys.reserve(members.size());
  for (int32_t m : members) keys.push_back(key[static_cast<size_t>(m)]);
  const auto cuts = quantile_cuts(keys, groups);
  for (int g = 0; g < groups; ++g) {
    const size_t begin = cuts[static_cast<size_t>(g)], end = cuts[static_cast<size_t>(g) + 1];
    Stratum s{fmt::format("q{}", g + 1), "", static_cast<int64_t>(end - begin)};
    if (begin == end) s.description = "empty: equal values filled the neighbouring groups";
    else {
      const auto a = keys[begin], b = keys[end - 1];
      s.description = fmt::format("{}{}", range_text(std::min(a, b), std::max(a, b), unit),
                                  g == 0 ? fmt::format(" ({})", order_word) : std::string());
    }
    for (size_t i = begin; i < end; ++i) strata.group_of[static_cast<size_t>(members[i])] = static_cast<int16_t>(g);
    strata.groups.push_back(std::move(s));
  }
}

}  // namespace

std::vector<size_t> quantile_cuts(std::span<const int32_t> sorted_keys, int groups) {
  TAILREC_CHECK(groups >= 1, "quantile_cuts needs at least one group, got {}", groups);
  const size_t n = sorted_keys.size();
  std::vector<size_t> cuts{0};
  for (int g = 1; g < groups; ++g) {
    // What is left shared evenly among the groups left (rounded half up), then the cut moved forward
    // past equal keys: a group that takes a tie makes the next ones smaller, not empty.
    const size_t left = n - cuts.back(), groups_left = static_cast<size_t>(groups - g + 1);
    size_t cut = cuts.back() + (2 * left + groups_left) / (2 * groups_left);
    while (cut > 0 && cut < n && sorted_keys[cut] == sorted_keys[cut - 1]) ++cut;
    cuts.push_back(cut);
  }
  cuts.push_back(n);
  return cuts;
}

Strata item_strata(const StrataSettings& settings, const std::vector<int32_t>& phi, const LongTail& tail) {
  Strata strata;
  if (settings.items == "none") return strata;
  const auto n = static_cast<int32_t>(phi.size());
  strata.group_of.assign(phi.size(), -1);
  std::vector<int32_t> warm;
  for (int32_t i = 0; i < n; ++i)
    if (phi[static_cast<size_t>(i)] > 0) warm.push_back(i);
  if (settings.items == "long_tail") {
    TAILREC_CHECK(tail.is_tail.size() == phi.size(), "the long tail covers {} items, the catalog {}",
                  tail.is_tail.size(), phi.size());
    int32_t head_min = 0, tail_max = 0;
    int64_t head = 0, tail_warm = 0;
    for (int32_t i : warm) {
      const int32_t p = phi[static_cast<size_t>(i)];
      const bool is_tail = tail.tail(i);
      strata.group_of[static_cast<size_t>(i)] = is_tail ? 1 : 0;
      if (is_tail) ++tail_warm, tail_max = std::max(tail_max, p);
      else head_min = head == 0 ? p : std::min(head_min, p), ++head;
    }
    strata.groups.push_back({"head", fmt::format("{} head: {} training users or more", tail.definition, head_min), head});
    strata.groups.push_back({"tail", fmt::format("{} tail with a training interaction: 1-{} training users",
                                                 tail.definition, tail_max), tail_warm});
  } else {
    TAILREC_CHECK(settings.items == "quantiles", "unknown metrics.strata.items '{}'", settings.items);
    add_quantiles(strata, warm, phi, settings.item_groups, /*descending=*/true, "training users", "most popular");
  }
  const int64_t cold = n - static_cast<int64_t>(warm.size());
  const auto cold_group = static_cast<int16_t>(strata.groups.size());
  for (int32_t i = 0; i < n; ++i)
    if (phi[static_cast<size_t>(i)] == 0) strata.group_of[static_cast<size_t>(i)] = cold_group;
  strata.groups.push_back({"cold", "no training interaction", cold});
  return strata;
}

Strata user_strata(const StrataSettings& settings, std::span<const int32_t> users, const Interactions& known) {
  Strata strata;
  if (settings.users == "none") return strata;
  TAILREC_CHECK(settings.users == "quantiles", "unknown metrics.strata.users '{}'", settings.users);
  const int32_t top = users.empty() ? 0 : *std::max_element(users.begin(), users.end()) + 1;
  strata.group_of.assign(static_cast<size_t>(top), -1);
  std::vector<int32_t> activity(static_cast<size_t>(top), 0), active;
  int64_t cold = 0;
  for (int32_t u : users) {
    const int32_t items = u < known.num_users() ? known.row_size(u) : 0;
    activity[static_cast<size_t>(u)] = items;
    if (items > 0) active.push_back(u);
    else ++cold;
  }
  add_quantiles(strata, active, activity, settings.user_groups, /*descending=*/false, "known items", "least active");
  const auto cold_group = static_cast<int16_t>(strata.groups.size());
  for (int32_t u : users)
    if (activity[static_cast<size_t>(u)] == 0) strata.group_of[static_cast<size_t>(u)] = cold_group;
  strata.groups.push_back({"cold", "no known item: no training interaction", cold});
  return strata;
}

}  // namespace tailrec
