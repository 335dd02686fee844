// The neural models' per-epoch training instances (algorithms/neural/negative_sampler): every
// training pair once per epoch as a positive, `negatives` draws per pair from the user's
// non-training items, uniform, reshuffled every epoch, identical for any thread count.
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <gtest/gtest.h>

#include "algorithms/neural/negative_sampler.hpp"
#include "framework/util/error.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

Interactions fixture() {
  InteractionLog log;
  Random rng(7);
  for (int32_t u = 0; u < 50; ++u)
    for (int32_t i = 0; i < 30; ++i)
      if (rng.uniform() < 0.2 || i == u % 30) log.push(u, i, 1.0f);
  return Interactions(log, 50, 30);
}

TEST(NegativeSampler, PointwiseHoldsEveryPositiveOnceAndOnlyUnseenNegatives) {
  const auto train = fixture();
  NegativeSampler sampler(train);
  TrainingInstances data;
  sampler.pointwise(1, 1, 4, 2, data);
  ASSERT_EQ(data.size(), train.nnz() * 5);
  ASSERT_EQ(data.labels.size(), data.users.size());
  EXPECT_TRUE(data.negatives.empty());
  std::multiset<std::pair<int32_t, int32_t>> positives;
  std::map<int32_t, int64_t> negatives_per_user;
  for (int64_t k = 0; k < data.size(); ++k) {
    const auto u = data.users[static_cast<size_t>(k)], i = data.items[static_cast<size_t>(k)];
    if (data.labels[static_cast<size_t>(k)] == 1.0f) {
      positives.insert({u, i});
    } else {
      EXPECT_EQ(data.labels[static_cast<size_t>(k)], 0.0f);
      EXPECT_FALSE(train.contains(u, i)) << u << " " << i;
      ++negatives_per_user[u];
    }
  }
  std::multiset<std::pair<int32_t, int32_t>> expected;
  for (int32_t u = 0; u < train.num_users(); ++u)
    for (int32_t i : train.items_of(u)) expected.insert({u, i});
  EXPECT_EQ(positives, expected);
  for (int32_t u = 0; u < train.num_users(); ++u) EXPECT_EQ(negatives_per_user[u], 4 * train.row_size(u));
}

TEST(NegativeSampler, PairwisePairsEveryPositiveWithUnseenItems) {
  const auto train = fixture();
  NegativeSampler sampler(train);
  TrainingInstances data;
  sampler.pairwise(1, 1, 2, 1, data);
  ASSERT_EQ(data.size(), train.nnz() * 2);
  EXPECT_TRUE(data.labels.empty());
  std::multiset<std::pair<int32_t, int32_t>> positives, expected;
  for (int64_t k = 0; k < data.size(); ++k) {
    const auto at = static_cast<size_t>(k);
    EXPECT_TRUE(train.contains(data.users[at], data.items[at]));
    EXPECT_FALSE(train.contains(data.users[at], data.negatives[at]));
    positives.insert({data.users[at], data.items[at]});
  }
  for (int32_t u = 0; u < train.num_users(); ++u)
    for (int32_t i : train.items_of(u)) expected.insert({u, i}), expected.insert({u, i});
  EXPECT_EQ(positives, expected);
}

TEST(NegativeSampler, SeededThreadIndependentAndFreshEachEpoch) {
  const auto train = fixture();
  NegativeSampler one(train), three(train);
  TrainingInstances a, b, c;
  one.pointwise(5, 2, 4, 1, a);
  three.pointwise(5, 2, 4, 3, b);
  EXPECT_EQ(a.users, b.users);
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.labels, b.labels);
  one.pointwise(5, 3, 4, 1, c);
  EXPECT_NE(a.items, c.items);  // new negatives and a new order every epoch
  EXPECT_NE(a.users, c.users);
}

// Negatives are uniform over the user's unseen items: with 10 unseen items and 20,000 draws each
// item gets 2,000 ± 5 standard deviations (sqrt(2000 · 0.9) ≈ 42).
TEST(NegativeSampler, NegativesAreUniformOverUnseenItems) {
  InteractionLog log;
  for (int32_t i = 0; i < 5; ++i) log.push(0, i, 1.0f);
  const Interactions train(log, 1, 15);
  NegativeSampler sampler(train);
  TrainingInstances data;
  sampler.pointwise(9, 1, 4000, 1, data);
  std::map<int32_t, int> counts;
  for (size_t k = 0; k < data.users.size(); ++k)
    if (data.labels[k] == 0.0f) ++counts[data.items[k]];
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [item, count] : counts) {
    EXPECT_GE(item, 5);
    EXPECT_NEAR(count, 2000, 5 * 42) << item;
  }
}

TEST(NegativeSampler, UserWithEveryItemIsAnError) {
  InteractionLog log;
  for (int32_t i = 0; i < 3; ++i) log.push(0, i, 1.0f);
  log.push(1, 0, 1.0f);
  EXPECT_THROW(NegativeSampler(Interactions(log, 2, 3)), Error);
}

}  // namespace
}  // namespace tailrec
