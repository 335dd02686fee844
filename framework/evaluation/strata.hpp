#pragma once
// Strata for stratified accuracy (docs/metrics.md, "Stratified accuracy"): the catalog's items in
// groups by training popularity, the evaluated users in groups by activity. Each group's accuracy is
// the metric with only the group's relevant items counting (items), or the mean over the group's
// users (users). Group names are fixed by the settings, so runs of one setting (seeds, folds) can be
// compared group by group; their sizes and descriptions come from the data.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "framework/data/interactions.hpp"
#include "framework/metrics/long_tail.hpp"

namespace tailrec {

struct Stratum {
  std::string name;         // head, tail, q1.., cold
  std::string description;  // what its members have in common, in numbers of this run
  int64_t members = 0;      // items or users in the group
};

struct Strata {
  std::vector<Stratum> groups;
  std::vector<int16_t> group_of;  // per item (or user index): index into groups, -1 = in no group
  int group(int32_t member) const {
    const auto at = static_cast<size_t>(member);
    return at < group_of.size() ? group_of[at] : -1;
  }
};

// metrics.strata (framework/run/settings.cpp holds the defaults).
struct StrataSettings {
  std::string items;    // long_tail | quantiles | none
  int item_groups = 0;  // quantiles
  std::string users;    // quantiles | none
  int user_groups = 0;
};

// Items by training popularity `phi`: with long_tail, head and tail as `tail` defines them; with
// quantiles, q1 (most popular) .. qN, about equal numbers of items, equal popularity never split. The
// items without a training interaction (phi 0) are the group cold either way. Empty with none.
Strata item_strata(const StrataSettings& settings, const std::vector<int32_t>& phi, const LongTail& tail);

// The evaluated `users` (sorted, distinct) by activity, the number of items `known` holds for each:
// q1 (least active) .. qN of about equal numbers of users, equal activity never split, and cold for
// users without any. Empty with none.
Strata user_strata(const StrataSettings& settings, std::span<const int32_t> users, const Interactions& known);

// Where `sorted_keys` (non-decreasing or non-increasing) is cut into `groups` runs of about equal
// length, never between equal keys: begin offsets of each group plus the end (groups + 1 values).
// Each cut shares what is left evenly among the groups left (rounded half up) and then moves past
// equal keys; a group is empty only when ties fill everything after it.
std::vector<size_t> quantile_cuts(std::span<const int32_t> sorted_keys, int groups);

}  // namespace tailrec
