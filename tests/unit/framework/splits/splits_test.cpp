// Splitters on tiny hand-made datasets: exact membership where the rule is deterministic, sizes and
// invariants where it is random, seeding, per-user independence and the user errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "framework/config/registries.hpp"
#include "framework/splits/split.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

struct Row {
  int32_t user;
  int32_t item;
  float rating;
  int64_t time;
};

Dataset make_dataset(const std::vector<Row>& rows, bool timestamps = true) {
  Dataset data;
  data.name = "tiny";
  std::vector<std::string> users;
  std::vector<std::string> items;
  for (const auto& r : rows) {
    users.push_back(std::to_string(r.user));
    items.push_back(std::to_string(r.item));
  }
  data.users = IdMap::from_ids(users);
  data.items = IdMap::from_ids(items);
  data.log.has_ratings = true;
  for (const auto& r : rows)
    data.log.push(data.users.find(std::to_string(r.user)), data.items.find(std::to_string(r.item)), r.rating,
                  timestamps ? r.time : kNoTimestamp);
  return data;
}

using Pairs = std::set<std::pair<int32_t, int32_t>>;
Pairs pairs(const InteractionLog& log) {
  Pairs out;
  for (size_t k = 0; k < log.size(); ++k) out.emplace(log.users[k], log.items[k]);
  return out;
}
Pairs pairs_of_user(const InteractionLog& log, int32_t user) {
  Pairs out;
  for (size_t k = 0; k < log.size(); ++k)
    if (log.users[k] == user) out.emplace(log.users[k], log.items[k]);
  return out;
}

std::unique_ptr<Splitter> make_split(const std::string& name, const std::string& yaml = "{}") {
  Registries registries;
  register_splits(registries);
  const auto& entry = registries.splits.at(name);
  return entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "split"));
}

// Users 0 (four rows, two at time 30), 1 (two rows), 2 (one row), in this file order.
Dataset tiny() {
  return make_dataset({{0, 0, 4, 10}, {0, 3, 5, 30}, {1, 0, 3, 5}, {0, 2, 2, 20}, {2, 1, 4, 40}, {0, 1, 1, 30}, {1, 2, 5, 50}});
}

// 40 users with 3..12 interactions each over 30 items; times are the row number.
Dataset medium(int32_t users = 40, int32_t first_user = 0) {
  std::vector<Row> rows;
  for (int32_t u = first_user; u < first_user + users; ++u) {
    const int n = 3 + u % 10;
    std::vector<int32_t> items(30);
    for (int32_t i = 0; i < 30; ++i) items[static_cast<size_t>(i)] = i;
    Random(static_cast<uint64_t>(u)).shuffle(items);
    for (int k = 0; k < n; ++k) rows.push_back({u, items[static_cast<size_t>(k)], 1, static_cast<int64_t>(rows.size())});
  }
  return make_dataset(rows);
}

Dataset reversed(const Dataset& data) {
  Dataset out = data;
  out.log = InteractionLog();
  out.log.has_ratings = data.log.has_ratings;
  for (size_t k = data.log.size(); k-- > 0;) out.log.append(data.log, k);
  return out;
}

TEST(SplitsTest, RegistersEverySplit) {
  Registries registries;
  register_splits(registries);
  EXPECT_EQ(registries.splits.names(),
            (std::vector<std::string>{"cold_items", "cold_users", "fixed", "kfold", "leave_one_out", "predefined", "random_holdout", "temporal_global",
                                      "temporal_user"}));
  for (const auto& entry : registries.splits.entries()) {
    EXPECT_NE(entry.description.find('\n'), std::string::npos) << entry.name << ": summary line + definition";
    for (const auto& p : entry.params) EXPECT_TRUE(p.name != "name" && p.name != "validation" && p.name != "seed");
  }
}

// cold_items: whole items go to test. medium() has 30 items; fraction 0.2 -> round(6) = 6 items,
// count 4 -> 4. Every row of a chosen item is test, every other row train; no item is on both sides.
TEST(SplitsTest, ColdItemsHoldsOutWholeItems) {
  const auto data = medium();
  for (const std::string yaml : {"{fraction: 0.2}", "{count: 4}"}) {
    const auto result = make_split("cold_items", yaml)->split(data, 7);
    std::set<int32_t> train_items(result.train.items.begin(), result.train.items.end());
    std::set<int32_t> test_items(result.test.items.begin(), result.test.items.end());
    std::set<int32_t> all_items(data.log.items.begin(), data.log.items.end());
    const auto m = static_cast<double>(all_items.size());
    EXPECT_EQ(static_cast<double>(test_items.size()), yaml == "{count: 4}" ? 4.0 : std::round(0.2 * m)) << yaml;
    EXPECT_EQ(train_items.size() + test_items.size(), all_items.size()) << yaml;
    for (int32_t item : test_items) EXPECT_EQ(train_items.count(item), 0u) << yaml << ": item " << item << " on both sides";
    EXPECT_EQ(result.train.size() + result.test.size(), data.log.size()) << yaml;
    // Every row of a cold item is in test.
    size_t cold_rows = 0;
    for (int32_t item : data.log.items) cold_rows += test_items.count(item);
    EXPECT_EQ(result.test.size(), cold_rows) << yaml;
  }
  // Seeded: the same seed the same items; another seed other items; independent of row order.
  const auto a = make_split("cold_items", "{fraction: 0.2}")->split(data, 7);
  EXPECT_EQ(pairs(a.test), pairs(make_split("cold_items", "{fraction: 0.2}")->split(reversed(data), 7).test));
  EXPECT_NE(pairs(a.test), pairs(make_split("cold_items", "{fraction: 0.2}")->split(data, 8).test));
}

TEST(SplitsTest, ColdItemsValidationHoldsOutItemsOfItsOwn) {
  const auto data = medium();
  const auto splitter = make_split("cold_items", "{fraction: 0.2}");
  auto result = splitter->split(data, 7);
  const std::set<int32_t> test_items(result.test.items.begin(), result.test.items.end());
  const auto train_rows = result.train.size();
  const std::set<int32_t> before(result.train.items.begin(), result.train.items.end());
  splitter->add_validation(result, 0.25, 7);  // a quarter of the training items
  std::set<int32_t> train_items(result.train.items.begin(), result.train.items.end());
  std::set<int32_t> validation_items(result.validation.items.begin(), result.validation.items.end());
  EXPECT_EQ(static_cast<double>(validation_items.size()), std::round(0.25 * static_cast<double>(before.size())));
  EXPECT_EQ(train_items.size() + validation_items.size(), before.size());
  for (int32_t item : validation_items) {
    EXPECT_EQ(train_items.count(item), 0u);
    EXPECT_EQ(test_items.count(item), 0u);
  }
  EXPECT_EQ(result.train.size() + result.validation.size(), train_rows);
}

TEST(SplitsTest, ColdItemsRefusesSplitsThatLeaveASideEmpty) {
  const auto data = medium();
  const auto m = std::set<int32_t>(data.log.items.begin(), data.log.items.end()).size();
  const auto error = [&](const std::string& yaml) -> std::string {
    try {
      make_split("cold_items", yaml)->split(data, 1);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error(fmt::format("{{count: {}}}", m)).find("leaving none on the other side"), std::string::npos);
  EXPECT_NE(error("{fraction: 1.0}").find("strictly between 0 and 1"), std::string::npos);
  EXPECT_NE(error("{fraction: 0}").find("strictly between 0 and 1"), std::string::npos);
  EXPECT_NE(error("{count: 0}").find("below the minimum 1"), std::string::npos);
  EXPECT_EQ(error(fmt::format("{{count: {}}}", m - 1)), "(no error)");
}

// cold_users. Users 0..5 with 1, 2, 3, 4, 5 and 10 interactions (user u's items are 0..n-1): user 0
// has one and is never held out, so m = 5 users are eligible.
//  held-out users: fraction 0.2 -> round(1.0) = 1; 0.5 -> round(2.5) = 3 (half away from zero);
//                  0.05 -> max(1, round(0.25)) = 1; count 4 -> 4.
//  test rows of a held-out user with k interactions, fold_in 0.8: clamp(round(0.2 k), 1, k - 1):
//    k = 2 -> round(0.4) = 0 -> 1; 3 -> 1; 4 -> round(0.8) = 1; 5 -> 1; 10 -> 2.
//  fold_in 0.5: k = 2 -> 1; 3 -> round(1.5) = 2; 4 -> 2; 5 -> round(2.5) = 3; 10 -> 5.
//  fold_in 0.1: k = 2 -> round(1.8) = 2 -> clamped to 1; 3 -> round(2.7) = 3 -> 2; 10 -> 9.
Dataset cold_users_fixture() {
  std::vector<Row> rows;
  const int sizes[] = {1, 2, 3, 4, 5, 10};
  for (int32_t u = 0; u < 6; ++u)
    for (int32_t i = 0; i < sizes[u]; ++i) rows.push_back({u, i, static_cast<float>(1 + i % 5), 100 * u + i});
  return make_dataset(rows);
}

std::set<int32_t> users_of(const InteractionLog& log) { return {log.users.begin(), log.users.end()}; }

size_t rows_of(const InteractionLog& log, int32_t user) {
  return static_cast<size_t>(std::count(log.users.begin(), log.users.end(), user));
}

TEST(SplitsTest, ColdUsersHoldsOutWholeUsersWithAFoldInShare) {
  const auto data = cold_users_fixture();
  const std::map<std::string, std::pair<size_t, std::map<size_t, size_t>>> expected{
      // yaml -> (held-out users, test rows by interactions k)
      {"{fraction: 0.2}", {1, {{2, 1}, {3, 1}, {4, 1}, {5, 1}, {10, 2}}}},
      {"{fraction: 0.5}", {3, {{2, 1}, {3, 1}, {4, 1}, {5, 1}, {10, 2}}}},
      {"{fraction: 0.05}", {1, {{2, 1}, {3, 1}, {4, 1}, {5, 1}, {10, 2}}}},
      {"{count: 4}", {4, {{2, 1}, {3, 1}, {4, 1}, {5, 1}, {10, 2}}}},
      {"{count: 4, fold_in: 0.5}", {4, {{2, 1}, {3, 2}, {4, 2}, {5, 3}, {10, 5}}}},
      {"{count: 4, fold_in: 0.1}", {4, {{2, 1}, {3, 2}, {4, 3}, {5, 4}, {10, 9}}}},
  };
  for (const auto& [yaml, want] : expected) {
    const auto splitter = make_split("cold_users", yaml);
    EXPECT_TRUE(splitter->needs_fold_in());
    const auto result = splitter->split(data, 7);
    const auto held = users_of(result.test);
    EXPECT_EQ(held.size(), want.first) << yaml;
    EXPECT_EQ(users_of(result.test_history), held) << yaml;  // every held-out user has a history
    EXPECT_EQ(held.count(0), 0u) << yaml;                      // one interaction: always training
    EXPECT_EQ(rows_of(result.train, 0), 1u) << yaml;
    for (int32_t u : held) {
      EXPECT_EQ(rows_of(result.train, u), 0u) << yaml << ": user " << u << " is also in training";
      const size_t k = rows_of(data.log, u);
      EXPECT_EQ(rows_of(result.test, u), want.second.at(k)) << yaml << ": user " << u << " with " << k;
      EXPECT_EQ(rows_of(result.test_history, u), k - want.second.at(k)) << yaml;
    }
    // The three logs partition the data; test and history of a user never share an item.
    Pairs all = pairs(result.train);
    for (const auto* log : {&result.test, &result.test_history})
      for (const auto& p : pairs(*log)) EXPECT_TRUE(all.insert(p).second) << yaml << ": a row on two sides";
    EXPECT_EQ(all, pairs(data.log)) << yaml;
    EXPECT_EQ(result.train.size() + result.test.size() + result.test_history.size(), data.log.size()) << yaml;
  }
}

TEST(SplitsTest, ColdUsersIsSeededAndItsHashCoversTheHistories) {
  const auto data = medium();
  const auto splitter = make_split("cold_users", "{fraction: 0.3}");
  const auto a = splitter->split(data, 7);
  // Seeded: the same split for the same seed, whatever the file order; other seeds differ.
  const auto again = splitter->split(reversed(data), 7);
  EXPECT_EQ(pairs(a.test), pairs(again.test));
  EXPECT_EQ(pairs(a.test_history), pairs(again.test_history));
  EXPECT_EQ(a.hash(), again.hash());
  const auto other = splitter->split(data, 8);
  EXPECT_NE(pairs(a.test), pairs(other.test));
  EXPECT_NE(a.hash(), other.hash());
  // Moving one row from test to the history changes the hash; train, test and validation alone do not cover it.
  auto moved = a;
  moved.test_history.append(moved.test, 0);
  EXPECT_NE(moved.hash(), a.hash());
  auto without = a;
  without.test_history = InteractionLog();
  EXPECT_NE(without.hash(), a.hash());
  // A split without fold-in logs hashes as it always did: the three logs only.
  const auto plain = make_split("random_holdout")->split(data, 7);
  EXPECT_EQ(plain.hash(), Hasher().text(plain.train.hash()).text(plain.test.hash()).text(plain.validation.hash()).hex());
}

TEST(SplitsTest, ColdUsersValidationHoldsOutUsersOfItsOwn) {
  const auto data = medium();  // 40 users, 3..12 interactions each: every one is eligible
  const auto splitter = make_split("cold_users", "{fraction: 0.25, fold_in: 0.5}");
  auto result = splitter->split(data, 7);
  EXPECT_EQ(users_of(result.test).size(), 10u);  // round(0.25 * 40)
  const auto train_rows = pairs(result.train);
  splitter->add_validation(result, 0.2, 7);  // round(0.2 * 30) = 6 of the remaining 30 users
  const auto validation_users = users_of(result.validation);
  EXPECT_EQ(validation_users.size(), 6u);
  EXPECT_EQ(users_of(result.validation_history), validation_users);
  for (int32_t u : validation_users) {
    EXPECT_EQ(rows_of(result.train, u), 0u);
    EXPECT_EQ(rows_of(result.test, u), 0u);
    const size_t k = rows_of(data.log, u);
    EXPECT_EQ(rows_of(result.validation, u), std::clamp<size_t>(static_cast<size_t>(std::llround(0.5 * static_cast<double>(k))), 1, k - 1));
  }
  Pairs all = pairs(result.train);
  for (const auto& p : pairs(result.validation)) all.insert(p);
  for (const auto& p : pairs(result.validation_history)) all.insert(p);
  EXPECT_EQ(all, train_rows);
  EXPECT_EQ(result.train.size() + result.validation.size() + result.validation_history.size(), train_rows.size());
}

TEST(SplitsTest, ColdUsersRefusesBadSharesAndSplitsThatLeaveNoTrainingUser) {
  const auto data = cold_users_fixture();  // 5 eligible users
  const auto error = [&](const std::string& yaml, double validation = 0) -> std::string {
    try {
      const auto splitter = make_split("cold_users", yaml);
      auto result = splitter->split(data, 1);
      if (validation > 0) splitter->add_validation(result, validation, 1);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  for (const char* yaml : {"{fraction: 0}", "{fraction: 1.0}", "{fraction: -0.5}"})
    EXPECT_NE(error(yaml).find("split.fraction"), std::string::npos) << yaml;
  for (const char* yaml : {"{fold_in: 0}", "{fold_in: 1}"}) {
    const auto message = error(yaml);
    EXPECT_NE(message.find("split.fold_in"), std::string::npos) << yaml << ": " << message;
    EXPECT_NE(message.find("strictly between 0 and 1"), std::string::npos) << yaml << ": " << message;
  }
  EXPECT_NE(error("{fold_in: 1.5}").find("split.fold_in' (inline): 1.5 is above the maximum 1"), std::string::npos);
  EXPECT_NE(error("{count: 5}").find("leaving no such user in training; lower split.count"), std::string::npos);
  EXPECT_NE(error("{fraction: 0.9}").find("lower split.fraction"), std::string::npos);  // round(4.5) = 5 of 5
  EXPECT_EQ(error("{count: 4}"), "(no error)");
  // Validation: after 4 test users one eligible user is left, and validation would take it.
  EXPECT_NE(error("{count: 4}", 0.1).find("lower split.validation"), std::string::npos);
  EXPECT_EQ(error("{count: 3}", 0.1), "(no error)");  // round(0.2) -> 1 of the 2 left
}

TEST(SplitsTest, LeaveOneOutLatestBreaksTimeTiesByLaterRow) {
  // User 0's latest time 30 is shared by item 3 (row 1) and item 1 (row 5): the later row wins, item 1.
  // User 1's latest is item 2 (t=50); user 2 has one interaction and stays in train.
  const auto result = make_split("leave_one_out")->split(tiny(), 1);
  EXPECT_EQ(pairs(result.test), (Pairs{{0, 1}, {1, 2}}));
  EXPECT_EQ(pairs(result.train), (Pairs{{0, 0}, {0, 2}, {0, 3}, {1, 0}, {2, 1}}));
  EXPECT_TRUE(std::is_sorted(result.train.users.begin(), result.train.users.end()));
  EXPECT_EQ(result.test.timestamps, (std::vector<int64_t>{30, 50}));
}

TEST(SplitsTest, LeaveOneOutRandomTakesOnePerUserAndIsSeeded) {
  const auto data = medium();
  const auto split = make_split("leave_one_out", "{order: random}");
  const auto a = split->split(data, 3);
  EXPECT_EQ(a.test.size(), 40u);  // every user has >= 3 interactions
  for (int32_t u = 0; u < 40; ++u) EXPECT_EQ(pairs_of_user(a.test, u).size(), 1u);
  EXPECT_EQ(a.hash(), split->split(reversed(data), 3).hash());  // file order does not matter
  EXPECT_NE(a.hash(), split->split(data, 4).hash());
}

TEST(SplitsTest, TemporalUserTakesLatestShareWithItemTies) {
  // ratio 0.5: user 0 (n=4) -> min(round(2), 3) = 2 test rows; by (time, item): i0@10, i2@20, i1@30, i3@30,
  // so items 1 and 3. User 1 (n=2) -> min(round(1), 1) = 1: item 2 @50. User 2 (n=1) -> 0.
  auto result = make_split("temporal_user", "{ratio: 0.5}")->split(tiny(), 0);
  EXPECT_EQ(pairs(result.test), (Pairs{{0, 1}, {0, 3}, {1, 2}}));
  // ratio 0.25: user 0 -> round(1) = 1: of the two at time 30 the higher item id (3) is later.
  // User 1 -> round(0.5) = 1 (half away from zero) -> item 2.
  result = make_split("temporal_user", "{ratio: 0.25}")->split(tiny(), 0);
  EXPECT_EQ(pairs(result.test), (Pairs{{0, 3}, {1, 2}}));
  EXPECT_EQ(pairs(result.train), (Pairs{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {2, 1}}));
}

TEST(SplitsTest, TemporalGlobalCutsAtQuantileWithTiesToTest) {
  // Times sorted: 5 10 20 30 30 40 50 (N = 7).
  // ratio 0.3: m = round(2.1) = 2, cut = t[7-2] = 40 -> rows at 40 and 50.
  auto result = make_split("temporal_global", "{ratio: 0.3}")->split(tiny(), 0);
  EXPECT_EQ(pairs(result.test), (Pairs{{2, 1}, {1, 2}}));
  // ratio 0.4: m = round(2.8) = 3, cut = t[4] = 30; both rows at 30 go to test, so 4 > 3 test rows.
  result = make_split("temporal_global", "{ratio: 0.4}")->split(tiny(), 0);
  EXPECT_EQ(pairs(result.test), (Pairs{{0, 1}, {0, 3}, {2, 1}, {1, 2}}));
  EXPECT_EQ(pairs(result.train), (Pairs{{0, 0}, {0, 2}, {1, 0}}));
}

TEST(SplitsTest, TemporalSplitsNeedTimestamps) {
  const auto data = make_dataset({{0, 0, 1, 0}, {0, 1, 1, 0}, {1, 0, 1, 0}}, false);
  for (const std::string name : {"temporal_global", "temporal_user"}) {
    try {
      make_split(name)->split(data, 0);
      FAIL() << name << " accepted a dataset without timestamps";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'tiny'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("random_holdout"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(make_split("leave_one_out")->split(data, 0), Error);              // latest needs time
  EXPECT_NO_THROW(make_split("leave_one_out", "{order: random}")->split(data, 0));  // random does not
}

TEST(SplitsTest, RandomHoldoutSizesFollowTheRoundingRule) {
  // ratio 0.5: user 0 n=4 -> 2, user 1 n=2 -> min(1, 1) = 1, user 2 n=1 -> 0: 3 test, 4 train.
  const auto result = make_split("random_holdout", "{ratio: 0.5}")->split(tiny(), 9);
  EXPECT_EQ(pairs_of_user(result.test, 0).size(), 2u);
  EXPECT_EQ(pairs_of_user(result.test, 1).size(), 1u);
  EXPECT_EQ(pairs_of_user(result.test, 2).size(), 0u);
  EXPECT_EQ(result.train.size(), 4u);
  EXPECT_EQ(holdout_count(0.2, 5), 1u);   // round(1.0)
  EXPECT_EQ(holdout_count(0.5, 5), 3u);   // round(2.5) = 3, half away from zero
  EXPECT_EQ(holdout_count(0.9, 2), 1u);   // round(1.8) = 2, capped at n - 1
  EXPECT_EQ(holdout_count(0.9, 1), 0u);   // a single interaction stays in train
  EXPECT_EQ(holdout_count(0.1, 4), 0u);   // round(0.4) = 0
}

TEST(SplitsTest, RandomHoldoutIsSeededAndIndependentOfOrderAndOtherUsers) {
  const auto split = make_split("random_holdout");
  const auto data = medium();
  const auto a = split->split(data, 11);
  EXPECT_EQ(a.hash(), split->split(data, 11).hash());
  EXPECT_EQ(a.hash(), split->split(reversed(data), 11).hash());
  EXPECT_NE(a.hash(), split->split(data, 12).hash());
  EXPECT_EQ(a.train.size() + a.test.size(), data.log.size());
  // Users 40..49 appended: users 0..39 keep exactly their split (per-user streams).
  auto bigger = medium(50);
  const auto b = split->split(bigger, 11);
  for (int32_t u = 0; u < 40; ++u) {
    EXPECT_EQ(pairs_of_user(a.test, u), pairs_of_user(b.test, u)) << "user " << u;
    EXPECT_EQ(pairs_of_user(a.train, u), pairs_of_user(b.train, u)) << "user " << u;
  }
}

TEST(SplitsTest, KFoldFoldsPartitionTheData) {
  const auto data = medium();
  Pairs all = pairs(data.log);
  Pairs seen;
  size_t total = 0;
  for (int fold = 0; fold < 3; ++fold) {
    const auto result = make_split("kfold", "{folds: 3, fold: " + std::to_string(fold) + "}")->split(data, 5);
    EXPECT_EQ(result.train.size() + result.test.size(), data.log.size());
    for (const auto& p : pairs(result.test)) EXPECT_TRUE(seen.insert(p).second) << "in two test folds";
    total += result.test.size();
    // Round-robin: each user's test size is floor(n/3) or ceil(n/3).
    for (int32_t u = 0; u < 40; ++u) {
      const size_t n = static_cast<size_t>(3 + u % 10);
      const size_t t = pairs_of_user(result.test, u).size();
      EXPECT_TRUE(t == n / 3 || t == (n + 2) / 3) << "user " << u << " fold " << fold;
    }
  }
  EXPECT_EQ(total, data.log.size());
  EXPECT_EQ(seen, all);
  const auto split = make_split("kfold", "{folds: 3, fold: 1}");
  EXPECT_EQ(split->split(data, 5).hash(), split->split(reversed(data), 5).hash());
  EXPECT_NE(split->split(data, 5).hash(), split->split(data, 6).hash());
  const auto bigger = split->split(medium(45), 5);
  const auto smaller = split->split(data, 5);
  for (int32_t u = 0; u < 40; ++u) EXPECT_EQ(pairs_of_user(smaller.test, u), pairs_of_user(bigger.test, u));
}

TEST(SplitsTest, FixedUsesPredefinedFolds) {
  // Without its two files the split cannot be built: the error names the key.
  EXPECT_THROW(
      {
        try {
          make_split("fixed");
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("config key 'split.train'"), std::string::npos) << e.what();
          EXPECT_NE(std::string(e.what()).find("split=fixed needs split.train=PATH"), std::string::npos) << e.what();
          throw;
        }
      },
      Error);
  const auto fixed = make_split("fixed", "{train: a/u1.base, test: a/u1.test}");
  // It declares the files that supply the interactions, in fold order (train 0, test 1).
  EXPECT_EQ(fixed->interaction_files(),
            (std::vector<std::filesystem::path>{"a/u1.base", "a/u1.test"}));
  EXPECT_FALSE(fixed->cuts_at_global_time());
  auto data = tiny();
  EXPECT_THROW(fixed->split(data, 0), Error);  // a dataset not loaded from those files has no folds
  data.predefined_fold = {0, 1, 0, 0, 1, 0, 0};  // rows 1 (u0,i3) and 4 (u2,i1) are test
  const auto result = fixed->split(data, 0);
  EXPECT_EQ(pairs(result.test), (Pairs{{0, 3}, {2, 1}}));
  EXPECT_EQ(result.train.size(), 5u);
}

TEST(SplitsTest, OnlyTemporalGlobalCutsAtOneGlobalTime) {
  Registries registries;
  register_splits(registries);
  for (const auto& entry : registries.splits.entries()) {
    if (entry.name == "fixed") continue;  // needs its files (above)
    const auto split = entry.create(Params::defaults(entry.params));
    EXPECT_EQ(split->cuts_at_global_time(), entry.name == "temporal_global") << entry.name;
    EXPECT_TRUE(split->interaction_files().empty()) << entry.name;
  }
}

TEST(SplitsTest, BadParametersAreErrors) {
  EXPECT_THROW(make_split("random_holdout", "{ratio: 0}"), Error);
  EXPECT_THROW(make_split("random_holdout", "{ratio: 1.0}"), Error);
  EXPECT_THROW(make_split("temporal_user", "{ratio: 1.5}"), Error);
  EXPECT_THROW(make_split("kfold", "{folds: 1}"), Error);
  EXPECT_THROW(make_split("kfold", "{folds: 3, fold: 3}"), Error);
  EXPECT_THROW(make_split("leave_one_out", "{order: earliest}"), Error);
  EXPECT_THROW(make_split("random_holdout", "{ratoi: 0.1}"), Error);
  try {
    make_split("random_holdout", "{ratio: 0}");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("split.ratio"), std::string::npos) << e.what();
  }
}

TEST(SplitsTest, DescribeNamesParameters) {
  EXPECT_EQ(make_split("random_holdout")->describe(), (nlohmann::json{{"name", "random_holdout"}, {"ratio", 0.2}}));
  EXPECT_EQ(make_split("kfold", "{folds: 4}")->describe(),
            (nlohmann::json{{"name", "kfold"}, {"folds", 4}, {"fold", 0}}));
}

TEST(SplitsTest, OnlyKFoldHasAReplicateParameter) {
  // The folds of one k-fold recipe are replicates of one experiment (tailrec report aggregates them).
  EXPECT_EQ(make_split("kfold", "{folds: 4, fold: 2}")->replicate_parameter(), "fold");
  for (const char* name : {"random_holdout", "temporal_user", "leave_one_out", "cold_items"})
    EXPECT_EQ(make_split(name)->replicate_parameter(), "") << name;
}

TEST(SplitsTest, CarveValidationMovesAShareOfTrain) {
  // Train after leave_one_out latest: user 0 {0,2,3} (n=3), user 1 {0} (n=1), user 2 {1} (n=1).
  // ratio 0.5: user 0 -> min(round(1.5), 2) = 2 rows to validation; users 1 and 2 keep their single row.
  auto result = make_split("leave_one_out")->split(tiny(), 1);
  const auto before = result.hash();
  const auto test = pairs(result.test);
  carve_validation(result, 0.5, 1);
  EXPECT_EQ(pairs_of_user(result.validation, 0).size(), 2u);
  EXPECT_EQ(pairs_of_user(result.train, 0).size(), 1u);
  EXPECT_EQ(result.validation.size(), 2u);
  EXPECT_EQ(result.train.size(), 3u);
  EXPECT_EQ(pairs(result.test), test);
  EXPECT_NE(result.hash(), before);
  // Deterministic.
  auto again = make_split("leave_one_out")->split(tiny(), 1);
  carve_validation(again, 0.5, 1);
  EXPECT_EQ(again.hash(), result.hash());
  // ratio 0 is a no-op; ratio 1 is an error.
  auto none = make_split("leave_one_out")->split(tiny(), 1);
  carve_validation(none, 0.0, 1);
  EXPECT_EQ(none.hash(), before);
  EXPECT_THROW(carve_validation(none, 1.0, 1), Error);
}

TEST(SplitsTest, ConfigFilesListEveryParameterWithItsDefault) {
  Registries registries;
  register_splits(registries);
  for (const auto& entry : registries.splits.entries()) {
    const auto path = std::string(TAILREC_SOURCE_DIR) + "/configs/split/" + entry.name + ".yaml";
    const YAML::Node file = YAML::LoadFile(path);
    ASSERT_TRUE(file.IsMap()) << path;
    EXPECT_EQ(file.begin()->first.Scalar(), "name") << path << ": name comes first";
    EXPECT_EQ(file["name"].Scalar(), entry.name) << path;
    EXPECT_EQ(file["validation"].as<double>(), 0.0) << path;
    EXPECT_TRUE(file["seed"].IsNull()) << path;
    EXPECT_EQ(file.size(), entry.params.size() + 3) << path << ": name, validation, seed + every parameter";
    YAML::Node params = YAML::Clone(file);
    for (const char* key : {"name", "validation", "seed"}) params.remove(key);
    for (const auto& p : entry.params) EXPECT_TRUE(params[p.name]) << path << " lacks " << p.name;
    EXPECT_EQ(Params::from_yaml(entry.params, params, "split").to_json(), Params::defaults(entry.params).to_json())
        << path << ": values must be the defaults";
  }
}

TEST(SplitsTest, HashSeesEveryLog) {
  auto a = make_split("leave_one_out")->split(tiny(), 1);
  auto b = a;
  EXPECT_EQ(a.hash(), b.hash());
  std::swap(b.train, b.test);
  EXPECT_NE(a.hash(), b.hash());
  auto c = a;
  c.validation = c.test;
  EXPECT_NE(a.hash(), c.hash());
}

}  // namespace
}  // namespace tailrec
