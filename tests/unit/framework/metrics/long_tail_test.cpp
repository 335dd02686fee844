// Head/tail partitions of docs/metrics.md ("Long tail") on hand-made popularity vectors.
#include "framework/metrics/long_tail.hpp"

#include <gtest/gtest.h>

#include "framework/util/error.hpp"

namespace tailrec {
namespace {

std::vector<int32_t> head_items(const LongTail& t) {
  std::vector<int32_t> head;
  for (size_t i = 0; i < t.is_tail.size(); ++i)
    if (!t.is_tail[i]) head.push_back(static_cast<int32_t>(i));
  return head;
}

using Items = std::vector<int32_t>;

TEST(LongTail, ParetoTakesShortestPrefixReachingShare) {
  // phi = [5,1,3,0,1], sum 10, target 0.8*10 = 8. By phi desc: 0(5), 2(3), 1(1), 4(1), 3(0).
  // Cumulative 5 < 8, then 8 >= 8: head = {0, 2}; tail = {1, 3, 4}.
  const auto t = pareto_tail({5, 1, 3, 0, 1});
  EXPECT_EQ(head_items(t), (Items{0, 2}));
  EXPECT_EQ(t.head_count, 2);
  EXPECT_EQ(t.tail_count, 3);
  EXPECT_TRUE(t.tail(1));
  EXPECT_FALSE(t.tail(2));
  EXPECT_EQ(t.definition, "pareto(share=0.8)");
}

TEST(LongTail, ParetoBoundaryTiesBrokenByDenseIndex) {
  // phi = [4,2,2,2], sum 10, target 8. Order 0(4), 1(2), 2(2), 3(2): cumulative 4, 6, 8 -> head
  // {0,1,2}. Item 3 has the same phi as items 1 and 2 but the higher index, so it is tail.
  EXPECT_EQ(head_items(pareto_tail({4, 2, 2, 2})), (Items{0, 1, 2}));
  // All equal: phi = [2,2,2,2,2], target 8 -> the first four by index.
  EXPECT_EQ(head_items(pareto_tail({2, 2, 2, 2, 2})), (Items{0, 1, 2, 3}));
  // Ties ordered by index even when the tied items are not adjacent: phi = [1,3,3,1,2], target 8;
  // order 1(3), 2(3), 4(2), 0(1), 3(1); cumulative 3, 6, 8 -> head {1,2,4}.
  EXPECT_EQ(head_items(pareto_tail({1, 3, 3, 1, 2})), (Items{1, 2, 4}));
}

TEST(LongTail, ParetoOtherShares) {
  // phi = [3,0,1], sum 4. share 1.0: target 4 -> 0(3), 2(1) reach 4; item 1 (phi 0) stays tail.
  EXPECT_EQ(head_items(pareto_tail({3, 0, 1}, 1.0)), (Items{0, 2}));
  // share 0.5: target 2 -> item 0 alone (3 >= 2).
  EXPECT_EQ(head_items(pareto_tail({3, 0, 1}, 0.5)), (Items{0}));
}

TEST(LongTail, ParetoShareProductSnapsToInteger) {
  // 100 items with phi 1, share 0.07: 0.07*100 is 7.000000000000001 in doubles, but the head must be
  // the 7 items whose cumulative phi is exactly 7, not 8.
  const auto t = pareto_tail(std::vector<int32_t>(100, 1), 0.07);
  EXPECT_EQ(t.head_count, 7);
  EXPECT_EQ(t.tail_count, 93);
}

TEST(LongTail, NoTrainingInteractionsMeansAllTail) {
  const auto t = pareto_tail({0, 0, 0});
  EXPECT_EQ(t.head_count, 0);
  EXPECT_EQ(t.tail_count, 3);
}

TEST(LongTail, TopFraction) {
  // phi = [0,5,5,1,2,9,0,3,3,1]; order 5(9), 1(5), 2(5), 7(3), 8(3), 4(2), 3(1), 9(1), 0(0), 6(0).
  const std::vector<int32_t> phi{0, 5, 5, 1, 2, 9, 0, 3, 3, 1};
  // x = 0.2: ceil(0.2*10) = 2 -> {5, 1}; ties 1/2 broken by index.
  const auto t = top_fraction_tail(phi);
  EXPECT_EQ(head_items(t), (Items{1, 5}));
  EXPECT_EQ(t.definition, "top_fraction(x=0.2)");
  // x = 0.25: ceil(2.5) = 3 -> {5, 1, 2}.
  EXPECT_EQ(head_items(top_fraction_tail(phi, 0.25)), (Items{1, 2, 5}));
  // x = 0.07 on 100 items: ceil(0.07*100) must be 7 even though the double product is 7.000000000000001.
  EXPECT_EQ(top_fraction_tail(std::vector<int32_t>(100, 1), 0.07).head_count, 7);
}

TEST(LongTail, TopFractionKeepsUnseenItemsInTail) {
  // phi = [3,0,0,0], x = 0.5: the 2 most popular are items 0 and 1, but item 1 has phi 0 -> tail.
  const auto t = top_fraction_tail({3, 0, 0, 0}, 0.5);
  EXPECT_EQ(head_items(t), (Items{0}));
  EXPECT_EQ(t.head_count, 1);
  EXPECT_EQ(t.tail_count, 3);
}

TEST(LongTail, BottomFraction) {
  // phi = [4,1,3,2,5]; order 4(5), 0(4), 2(3), 3(2), 1(1).
  // x = 0.2: tail = ceil(1) = 1 least popular = {1}.
  const auto t = bottom_fraction_tail({4, 1, 3, 2, 5}, 0.2);
  EXPECT_EQ(head_items(t), (Items{0, 2, 3, 4}));
  EXPECT_EQ(t.definition, "bottom_fraction(x=0.2)");
  // x = 0.3: ceil(1.5) = 2 -> tail {1, 3}.
  EXPECT_EQ(head_items(bottom_fraction_tail({4, 1, 3, 2, 5}, 0.3)), (Items{0, 2, 4}));
  // Default x = 0.1 on 10 items: ceil(1) = 1 tail item, the last by (phi desc, index asc): item 9.
  EXPECT_EQ(bottom_fraction_tail(std::vector<int32_t>(10, 1)).tail_count, 1);
  EXPECT_TRUE(bottom_fraction_tail(std::vector<int32_t>(10, 1)).tail(9));
  // Ties: phi = [2,1,1], x = 0.3 -> ceil(0.9) = 1 tail item; of the tied 1 and 2, the higher index is tail.
  EXPECT_EQ(head_items(bottom_fraction_tail({2, 1, 1}, 0.3)), (Items{0, 1}));
}

TEST(LongTail, RejectsFractionsOutsideTheUnitInterval) {
  EXPECT_THROW(pareto_tail({1, 2}, 0.0), Error);
  EXPECT_THROW(pareto_tail({1, 2}, 1.5), Error);
  EXPECT_THROW(top_fraction_tail({1, 2}, -0.1), Error);
  EXPECT_THROW(bottom_fraction_tail({1, 2}, 2.0), Error);
}

}  // namespace
}  // namespace tailrec
