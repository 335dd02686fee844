// Strata of stratified accuracy: hand-computed groups of items and users (docs/metrics.md,
// "Stratified accuracy").
#include "framework/evaluation/strata.hpp"

#include <gtest/gtest.h>

#include "framework/util/error.hpp"

namespace tailrec {
namespace {

std::vector<std::string> names(const Strata& s) {
  std::vector<std::string> out;
  for (const auto& g : s.groups) out.push_back(g.name);
  return out;
}

// Six keys in three groups: the first cut after 6/3 = 2 keys moves past the tied 1s to 4; the two
// keys left are shared by the two groups left (cut after 4 + 1). Equal keys are never split.
TEST(Strata, QuantileCutsNeverSplitEqualKeys) {
  const std::vector<int32_t> keys{1, 1, 1, 1, 2, 3};
  EXPECT_EQ(quantile_cuts(keys, 3), (std::vector<size_t>{0, 4, 5, 6}));
  const std::vector<int32_t> distinct{9, 7, 5, 3, 2, 1};
  EXPECT_EQ(quantile_cuts(distinct, 3), (std::vector<size_t>{0, 2, 4, 6}));
  // 6/4 = 1.5 -> 2; then 4/3 -> 1 (at 3); then 3/2 = 1.5 -> 2 (at 5).
  EXPECT_EQ(quantile_cuts(distinct, 4), (std::vector<size_t>{0, 2, 3, 5, 6}));
  // Ties that fill everything after the first cut leave the last group empty.
  const std::vector<int32_t> tied{4, 1, 1, 1};
  EXPECT_EQ(quantile_cuts(tied, 2), (std::vector<size_t>{0, 4, 4}));
  EXPECT_EQ(quantile_cuts({}, 2), (std::vector<size_t>{0, 0, 0}));
}

// phi = 5 3 3 1 0 2 0. Warm items by popularity: 0 (5), 1 (3), 2 (3), 5 (2), 3 (1). Three quantiles:
// the first cut after 5/3 -> 2 items moves past the tie 3 = 3 to 3 items; the 2 items left go one
// to each group left. Items 4 and 6 have no training user: cold.
TEST(Strata, ItemQuantilesByTrainingPopularity) {
  const std::vector<int32_t> phi{5, 3, 3, 1, 0, 2, 0};
  const auto s = item_strata({"quantiles", 3, "none", 3}, phi, pareto_tail(phi));
  EXPECT_EQ(names(s), (std::vector<std::string>{"q1", "q2", "q3", "cold"}));
  EXPECT_EQ(s.group_of, (std::vector<int16_t>{0, 0, 0, 2, 3, 1, 3}));
  EXPECT_EQ(s.groups[0].members, 3);
  EXPECT_EQ(s.groups[0].description, "3-5 training users (most popular)");
  EXPECT_EQ(s.groups[1].description, "2 training users");
  EXPECT_EQ(s.groups[3].members, 2);
}

// pareto(0.8) over phi = 5 3 3 1 0 2 0 (sum 14, 80% = 11.2): the head is 0, 1, 2 (11) plus 5 (13).
// The tail is 3, 4 and 6, of which 4 and 6 have no training user: the tail group holds item 3 only.
TEST(Strata, ItemLongTailSplitsTheColdItemsOffTheTail) {
  const std::vector<int32_t> phi{5, 3, 3, 1, 0, 2, 0};
  const auto s = item_strata({"long_tail", 3, "none", 3}, phi, pareto_tail(phi, 0.8));
  EXPECT_EQ(names(s), (std::vector<std::string>{"head", "tail", "cold"}));
  EXPECT_EQ(s.group_of, (std::vector<int16_t>{0, 0, 0, 1, 2, 0, 2}));
  EXPECT_EQ(s.groups[0].members, 4);
  EXPECT_EQ(s.groups[1].members, 1);
  EXPECT_EQ(s.groups[2].members, 2);
  EXPECT_EQ(s.groups[0].description, "pareto(share=0.8) head: 2 training users or more");
  EXPECT_TRUE(item_strata({"none", 3, "quantiles", 3}, phi, pareto_tail(phi)).groups.empty());
}

// Known items per user: 3, 1, 0, 5, 1 (user 2 is cold); user 5 is not evaluated. Active users by
// activity: 1 (1), 4 (1), 0 (3), 3 (5); two groups cut after 2 users.
TEST(Strata, UsersByActivityWithColdUsersApart) {
  InteractionLog log;
  for (int32_t i = 0; i < 3; ++i) log.push(0, i, 1.0f);
  log.push(1, 0, 1.0f);
  for (int32_t i = 0; i < 5; ++i) log.push(3, i, 1.0f);
  log.push(4, 2, 1.0f);
  log.push(5, 1, 1.0f);
  const Interactions known(log, 6, 5);
  const std::vector<int32_t> users{0, 1, 2, 3, 4};
  const auto s = user_strata({"none", 3, "quantiles", 2}, users, known);
  EXPECT_EQ(names(s), (std::vector<std::string>{"q1", "q2", "cold"}));
  EXPECT_EQ(s.group(1), 0);
  EXPECT_EQ(s.group(4), 0);
  EXPECT_EQ(s.group(0), 1);
  EXPECT_EQ(s.group(3), 1);
  EXPECT_EQ(s.group(2), 2);
  EXPECT_EQ(s.group(5), -1);  // not evaluated
  EXPECT_EQ(s.groups[0].description, "1 known item (least active)");
  EXPECT_EQ(s.groups[1].description, "3-5 known items");
  EXPECT_EQ(s.groups[2].members, 1);
}

}  // namespace
}  // namespace tailrec
