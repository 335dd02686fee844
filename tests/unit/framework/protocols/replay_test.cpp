// replay_rounds(): rounds by equal counts (equal timestamps never split) and by equal time windows,
// on logs small enough to cut by hand.
#include <gtest/gtest.h>

#include "framework/protocols/replay_protocol.hpp"
#include "framework/util/error.hpp"

namespace tailrec {
namespace {

InteractionLog timed(const std::vector<int64_t>& times) {
  InteractionLog log;
  // Users descending so that the rounds' (time, user) order differs from the log order.
  for (size_t r = 0; r < times.size(); ++r) log.push(static_cast<int32_t>(times.size() - r), 0, 1.0f, times[r]);
  return log;
}

std::vector<std::vector<int64_t>> round_times(const std::vector<ReplayRound>& rounds) {
  std::vector<std::vector<int64_t>> out;
  for (const auto& r : rounds) out.push_back(r.log.timestamps);
  return out;
}

TEST(ReplayRounds, EqualCountsKeepEqualTimestampsTogether) {
  // Sorted times 10 20 30 30 40 50 60; 3 rounds end at ceil(7/3) = 3 and ceil(14/3) = 5. Position 3
  // shares time 30 with position 2, so round 1 ends at 4: {10,20,30,30}; round 2 is position 4
  // alone, {40}; round 3 takes the rest, {50,60}.
  const auto rounds = replay_rounds(timed({60, 30, 10, 30, 20, 50, 40}), 3, false);
  EXPECT_EQ(round_times(rounds), (std::vector<std::vector<int64_t>>{{10, 20, 30, 30}, {40}, {50, 60}}));
  EXPECT_EQ(rounds[0].start, 10);
  EXPECT_EQ(rounds[0].end, 30);
  EXPECT_EQ(rounds[2].end, 60);
}

TEST(ReplayRounds, TiesAtTheLastBoundaryLeaveFewerRounds) {
  // Every row at one time: one round, however many are asked for.
  const auto rounds = replay_rounds(timed({5, 5, 5, 5}), 3, false);
  ASSERT_EQ(rounds.size(), 1u);
  EXPECT_EQ(rounds[0].log.size(), 4u);
}

TEST(ReplayRounds, EqualTimeWindowsDropEmptyOnes) {
  // first 0, last 100, 4 windows of 25: [0,25) {0, 10}, [25,50) {}, [50,75) {50, 74}, [75,100] {75, 100}.
  const auto rounds = replay_rounds(timed({100, 0, 50, 10, 75, 74}), 4, true);
  EXPECT_EQ(round_times(rounds), (std::vector<std::vector<int64_t>>{{0, 10}, {50, 74}, {75, 100}}));
}

TEST(ReplayRounds, RowsInsideARoundFollowTimeThenUser) {
  InteractionLog log;
  log.push(3, 1, 1.0f, 7);
  log.push(1, 2, 1.0f, 7);
  log.push(2, 3, 1.0f, 5);
  const auto rounds = replay_rounds(log, 1, false);
  ASSERT_EQ(rounds.size(), 1u);
  EXPECT_EQ(rounds[0].log.users, (std::vector<int32_t>{2, 1, 3}));
  EXPECT_EQ(rounds[0].log.items, (std::vector<int32_t>{3, 2, 1}));
}

TEST(ReplayRounds, NeedsTimestamps) {
  InteractionLog log;
  log.push(0, 0, 1.0f);
  EXPECT_THROW(replay_rounds(log, 2, true), Error);
}

}  // namespace
}  // namespace tailrec
