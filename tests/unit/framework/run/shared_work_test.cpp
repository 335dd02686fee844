// SharedWork: one computation per key however many threads ask, the same object for all, and a
// computation that throws is not kept.
#include "framework/run/shared_work.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tailrec {
namespace {

TEST(SharedWork, ComputesEachKeyOnceForConcurrentCallers) {
  SharedWork shared;
  std::atomic<int> calls{0};
  const std::function<std::vector<int>()> compute = [&] {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // others arrive while it runs
    return std::vector<int>{1, 2, 3};
  };
  std::vector<std::shared_ptr<const std::vector<int>>> got(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) threads.emplace_back([&, t] { got[t] = shared.get<std::vector<int>>("k", compute); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(shared.computed(), 1);
  for (const auto& g : got) EXPECT_EQ(g.get(), got[0].get());  // the very same object
  EXPECT_EQ(*got[0], (std::vector<int>{1, 2, 3}));
  const std::function<std::vector<int>()> other = [] { return std::vector<int>{4}; };
  EXPECT_EQ(*shared.get<std::vector<int>>("k2", other), (std::vector<int>{4}));
  EXPECT_EQ(shared.computed(), 2);
}

TEST(SharedWork, AFailedComputationIsRetriedByTheNextCaller) {
  SharedWork shared;
  const std::function<int()> throws = []() -> int { throw std::runtime_error("disk full"); };
  EXPECT_THROW(shared.get<int>("k", throws), std::runtime_error);
  const std::function<int()> works = [] { return 7; };
  EXPECT_EQ(*shared.get<int>("k", works), 7);
}

}  // namespace
}  // namespace tailrec
