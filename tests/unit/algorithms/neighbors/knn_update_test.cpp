// user_knn's and item_knn's incremental update(): after one or two rounds of new interactions the
// updated model must equal a fresh fit on the union bit for bit (scores, and predictions for
// user_knn), and the number of recomputed neighbourhoods must be the count of rows new
// interactions can reach, computed here independently with plain sets.
#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/algorithms/algorithm_test_support.hpp"

#include "framework/util/logger.hpp"

namespace tailrec {
namespace {

using Triple = std::array<float, 3>;

constexpr int32_t kUsers = 60;
constexpr int32_t kItems = 80;
constexpr int32_t kNewUser = kUsers - 1;  // no interaction before the first round
constexpr int32_t kNewItem = kItems - 1;  // nobody has it before the first round

// A random sparse dataset (ratings 1..5) cut into a base and two rounds of additions. The rounds
// touch users 3, 17 and 42 (new items for them), the brand-new user, and the brand-new item.
struct Rounds {
  std::vector<Triple> base, first, second;
};

Rounds random_rounds(double density) {
  std::mt19937 rng(20240611);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::uniform_int_distribution<int> rating(1, 5);
  Rounds r;
  for (int32_t u = 0; u < kUsers; ++u)
    for (int32_t i = 0; i < kItems; ++i) {
      const bool first_round_user = u == 3 || u == 17;
      const bool second_round_user = u == 42;
      const Triple t{static_cast<float>(u), static_cast<float>(i), static_cast<float>(rating(rng))};
      const bool stored = coin(rng) < density;
      if (!stored && !(i == kNewItem && (u == 5 || u == 42))) continue;
      if (u == kNewUser || i == kNewItem) (u == kNewUser && i % 2 == 0 ? r.second : r.first).push_back(t);
      else if (first_round_user && i % 3 == 0) r.first.push_back(t);
      else if (second_round_user && i % 4 == 1) r.second.push_back(t);
      else r.base.push_back(t);
    }
  return r;
}

std::vector<Triple> join(std::vector<Triple> a, const std::vector<Triple>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

InteractionLog as_log(const std::vector<Triple>& triples) {
  InteractionLog log;
  for (const auto& t : triples) log.push(static_cast<int32_t>(t[0]), static_cast<int32_t>(t[1]), t[2]);
  log.has_ratings = true;
  return log;
}

Interactions as_matrix(const std::vector<Triple>& triples) { return test::make_train(kUsers, kItems, triples); }

UpdateResult update(Algorithm& a, const Interactions& previous, const std::vector<Triple>& added, const Interactions& train) {
  const ItemContent content(kItems);
  const FitContext fit{train, content, nullptr, 7, 2, Device::Cpu, &Logger::null(), {}};
  const auto log = as_log(added);
  return a.update(UpdateContext{fit, previous, log});
}

std::vector<float> all_scores(const Algorithm& a) {
  std::vector<int32_t> users(kUsers);
  for (int32_t u = 0; u < kUsers; ++u) users[static_cast<size_t>(u)] = u;
  std::vector<float> out(static_cast<size_t>(kUsers) * kItems);
  a.score(users, out);
  return out;
}

void expect_identical(const Algorithm& updated, const Algorithm& fresh, bool predicts, const std::string& label) {
  // Exact equality: the update must not even change the last bit of a score.
  const auto a = all_scores(updated), b = all_scores(fresh);
  for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], b[k]) << label << " user " << k / kItems << " item " << k % kItems;
  if (!predicts) return;
  for (int32_t u = 0; u < kUsers; ++u)
    for (int32_t i = 0; i < kItems; ++i) EXPECT_EQ(updated.predict(u, i), fresh.predict(u, i)) << label << " predict " << u << "," << i;
}

// Fits on the base, updates with both rounds, and compares with fresh fits after each round.
void check_rounds(const std::string& name, const std::string& params, const Rounds& r, bool expect_incremental) {
  const auto label = name + " " + params;
  const auto base = as_matrix(r.base);
  const auto mid = as_matrix(join(r.base, r.first));
  const auto all = as_matrix(join(join(r.base, r.first), r.second));
  auto model = test::fit_algorithm(name, base, params);
  const auto first = update(*model, base, r.first, mid);
  EXPECT_EQ(first.incremental, expect_incremental) << label << ": " << first.how;
  expect_identical(*model, *test::fit_algorithm(name, mid, params), name == "user_knn", label + " round 1");
  const auto second = update(*model, mid, r.second, all);
  EXPECT_EQ(second.incremental, expect_incremental) << label << ": " << second.how;
  expect_identical(*model, *test::fit_algorithm(name, all, params), name == "user_knn", label + " round 2");
  if (expect_incremental) EXPECT_TRUE(second.how.starts_with("incremental: recomputed")) << second.how;
  else EXPECT_TRUE(second.how.starts_with("refit: ")) << second.how;
}

// Density 0.03 leaves most neighbourhoods untouched (lists are reused); at 0.12 the rounds reach
// nearly every user and item.
TEST(KnnUpdate, UserKnnMatchesAFreshFitBitForBit) {
  for (const double density : {0.03, 0.12}) {
    const auto r = random_rounds(density);
    for (const std::string similarity : {"cosine", "pearson"})
      for (const std::string neighborhood : {"forward", "reverse"})
        for (const std::string shrink : {"0", "2.5"})
          for (const int k : {1, 4, 100})
            check_rounds("user_knn",
                         "{similarity: " + similarity + ", neighborhood: " + neighborhood + ", shrink: " + shrink +
                             ", k: " + std::to_string(k) + ", values: rating}",
                         r, true);
    check_rounds("user_knn", "{k: 5, values: binary}", r, true);
    // user_knn's tfidf weights a row by that user's own count only, so it stays incremental.
    check_rounds("user_knn", "{k: 5, weighting: tfidf}", r, true);
  }
}

TEST(KnnUpdate, UserKnnBm25Refits) {
  const auto r = random_rounds(0.12);
  check_rounds("user_knn", "{k: 5, weighting: bm25, neighborhood: reverse}", r, false);
  auto model = test::fit_algorithm("user_knn", as_matrix(r.base), "{weighting: bm25}");
  const auto mid = as_matrix(join(r.base, r.first));
  EXPECT_EQ(update(*model, as_matrix(r.base), r.first, mid).how, "refit: weighting=bm25 changes every weight (item lengths)");
}

TEST(KnnUpdate, ItemKnnMatchesAFreshFitBitForBit) {
  for (const double density : {0.03, 0.12}) {
    const auto r = random_rounds(density);
    for (const std::string values : {"binary", "rating"})
      for (const std::string shrink : {"0", "2.5"})
        for (const int k : {1, 4, 100})
          check_rounds("item_knn", "{values: " + values + ", shrink: " + shrink + ", k: " + std::to_string(k) + "}", r, true);
  }
}

TEST(KnnUpdate, ItemKnnWeightingRefitsAndStillMatches) {
  const auto r = random_rounds(0.12);
  check_rounds("item_knn", "{k: 5, weighting: tfidf}", r, false);
  check_rounds("item_knn", "{k: 5, weighting: bm25, values: rating}", r, false);
  auto model = test::fit_algorithm("item_knn", as_matrix(r.base), "{weighting: tfidf}");
  const auto mid = as_matrix(join(r.base, r.first));
  EXPECT_EQ(update(*model, as_matrix(r.base), r.first, mid).how, "refit: weighting=tfidf changes every weight");
}

// The users and items new interactions touch (the rounds only add entries).
std::set<int32_t> changed_users(const std::vector<Triple>& added) {
  std::set<int32_t> out;
  for (const auto& t : added) out.insert(static_cast<int32_t>(t[0]));
  return out;
}
std::set<int32_t> changed_items(const std::vector<Triple>& added) {
  std::set<int32_t> out;
  for (const auto& t : added) out.insert(static_cast<int32_t>(t[1]));
  return out;
}

TEST(KnnUpdate, OnlyReachableNeighbourhoodsAreRecomputed) {
  // Sparse enough (about 2.4 items a user) that many users share nothing with the changed ones.
  const auto r = random_rounds(0.03);
  const auto base = as_matrix(r.base);
  const auto all_triples = join(r.base, r.first);
  const auto mid = as_matrix(all_triples);

  // user_knn: the changed users, plus every user sharing an item (in the new data) with one.
  const auto users = changed_users(r.first);
  std::set<int32_t> reached_items;
  for (const auto& t : all_triples)
    if (users.count(static_cast<int32_t>(t[0]))) reached_items.insert(static_cast<int32_t>(t[1]));
  std::set<int32_t> affected_users = users;
  for (const auto& t : all_triples)
    if (reached_items.count(static_cast<int32_t>(t[1]))) affected_users.insert(static_cast<int32_t>(t[0]));
  ASSERT_LT(affected_users.size(), static_cast<size_t>(kUsers));

  auto user_model = test::fit_algorithm("user_knn", base, "{k: 3, similarity: pearson}");
  const auto u = update(*user_model, base, r.first, mid);
  EXPECT_TRUE(u.incremental);
  EXPECT_EQ(u.how, "incremental: recomputed " + std::to_string(affected_users.size()) + " of 60 user neighbourhoods");
  expect_identical(*user_model, *test::fit_algorithm("user_knn", mid, "{k: 3, similarity: pearson}"), true, "sparse user_knn");

  // item_knn: the changed items, plus every item some user has together with one (in the new data).
  const auto items = changed_items(r.first);
  std::set<int32_t> reaching_users;
  for (const auto& t : all_triples)
    if (items.count(static_cast<int32_t>(t[1]))) reaching_users.insert(static_cast<int32_t>(t[0]));
  std::set<int32_t> affected_items = items;
  for (const auto& t : all_triples)
    if (reaching_users.count(static_cast<int32_t>(t[0]))) affected_items.insert(static_cast<int32_t>(t[1]));
  ASSERT_LT(affected_items.size(), static_cast<size_t>(kItems));

  auto item_model = test::fit_algorithm("item_knn", base, "{k: 3}");
  const auto i = update(*item_model, base, r.first, mid);
  EXPECT_TRUE(i.incremental);
  EXPECT_EQ(i.how, "incremental: recomputed " + std::to_string(affected_items.size()) + " of 80 item neighbourhoods");
  expect_identical(*item_model, *test::fit_algorithm("item_knn", mid, "{k: 3}"), false, "sparse item_knn");
}

TEST(KnnUpdate, DatasetHasTheEdgeCasesTheTestsClaim) {
  // Guards the fixture: the rounds add a brand-new user row and a brand-new item column.
  for (const double density : {0.03, 0.12}) {
    const auto r = random_rounds(density);
    const auto base = as_matrix(r.base);
    EXPECT_EQ(base.row_size(kNewUser), 0);
    EXPECT_EQ(base.item_user_counts()[kNewItem], 0);
    const auto all = as_matrix(join(join(r.base, r.first), r.second));
    EXPECT_GT(all.row_size(kNewUser), 0) << density;
    EXPECT_GT(all.item_user_counts()[kNewItem], 0);
    EXPECT_FALSE(r.first.empty());
    EXPECT_FALSE(r.second.empty());
  }
}

}  // namespace
}  // namespace tailrec
