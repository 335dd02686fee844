// What every evaluation loop does to the protocol's cases before ranking (framework/run/evaluation_loop.hpp):
// protocol.cold_users (users without training interactions) and protocol.candidates=cold (only
// items without training interactions are ranked), on hand-made cases.
#include "framework/run/evaluation_loop.hpp"

#include <gtest/gtest.h>

#include "framework/run/experiment_plan.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {
namespace {

InteractionLog log_of(std::vector<std::pair<int32_t, int32_t>> pairs) {
  InteractionLog log;
  for (auto [u, i] : pairs) log.push(u, i, 1.0f);
  return log;
}

// Users 0 and 1 trained on items 0 and 1; users 2 and 3 have no training interaction. Items 2..4 are cold.
const Interactions kTrain(log_of({{0, 0}, {1, 1}, {0, 1}}), 4, 5);

std::vector<EvalCase> cases() { return {{0, {2, 4}, {}}, {1, {1}, {}}, {2, {0, 3}, {}}, {3, {1}, {}}, {3, {4}, {}}}; }

TEST(ColdUsers, ExcludedByDefaultAndCounted) {
  ExperimentPlan plan;
  auto c = cases();
  const auto cold = take_cold_users(c, kTrain, nullptr, plan, Logger::null());
  EXPECT_FALSE(cold.evaluated);
  EXPECT_EQ(cold.users, 2);  // users 2 and 3
  EXPECT_EQ(cold.cases, 3);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].user, 0);
  EXPECT_EQ(c[1].user, 1);
  EXPECT_EQ(cold.to_json()["policy"], "exclude");
}

TEST(ColdUsers, EvaluatedWhenAskedAndStillCounted) {
  ExperimentPlan plan;
  plan.evaluate_cold_users = true;
  auto c = cases();
  const auto cold = take_cold_users(c, kTrain, nullptr, plan, Logger::null());
  EXPECT_EQ(cold.users, 2);
  EXPECT_EQ(c.size(), 5u);
  EXPECT_EQ(cold.to_json()["policy"], "evaluate");
}

// A held-out user with a fold-in history (user 2 here) is not cold: only user 3 is left out.
TEST(ColdUsers, AUserWithAFoldInHistoryIsNotCold) {
  ExperimentPlan plan;
  auto c = cases();
  const Interactions history(log_of({{2, 1}}), 4, 5);
  const auto cold = take_cold_users(c, kTrain, &history, plan, Logger::null());
  EXPECT_EQ(cold.users, 1);
  EXPECT_EQ(cold.cases, 2);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[2].user, 2);
}

TEST(ColdCandidates, KeepOnlyColdRelevantItemsAndDropEmptyCases) {
  ExperimentPlan plan;
  plan.cold_candidates = true;
  auto c = cases();
  const auto candidates = take_candidate_items(c, kTrain, plan, Logger::null());
  EXPECT_EQ(candidates.excluded, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(candidates.in_catalog, (std::vector<uint8_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(candidates.catalog_items, 3);
  EXPECT_EQ(candidates.relevant_dropped, 3);  // case 1's item 1, case 2's item 0, case 3's item 1
  EXPECT_EQ(candidates.cases_dropped, 2);     // cases 1 and 3 had no cold item
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].relevant, (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(c[1].relevant, (std::vector<int32_t>{3}));
  EXPECT_EQ(c[2].relevant, (std::vector<int32_t>{4}));
}

TEST(ColdCandidates, AllByDefault) {
  ExperimentPlan plan;
  auto c = cases();
  const auto candidates = take_candidate_items(c, kTrain, plan, Logger::null());
  EXPECT_FALSE(candidates.cold_only);
  EXPECT_EQ(c.size(), 5u);
  EXPECT_EQ(candidates.candidates_json()["policy"], "all");
  EXPECT_EQ(candidates.catalog_json()["policy"], "all");
  EXPECT_EQ(candidates.catalog_json()["items"], 5);
  EXPECT_TRUE(candidates.excluded.empty());
  EXPECT_TRUE(candidates.in_catalog.empty());
}

// protocol.catalog=train: the cold items 2, 3 and 4 leave the catalog, with the relevant items
// among them; cases left without a relevant item are dropped.
TEST(TrainCatalog, DropsItemsWithoutTrainingInteractions) {
  ExperimentPlan plan;
  plan.train_catalog = true;
  auto c = cases();
  const auto candidates = take_candidate_items(c, kTrain, plan, Logger::null());
  EXPECT_EQ(candidates.excluded, (std::vector<int32_t>{2, 3, 4}));
  EXPECT_EQ(candidates.in_catalog, (std::vector<uint8_t>{1, 1, 0, 0, 0}));
  EXPECT_EQ(candidates.catalog_items, 2);
  EXPECT_EQ(candidates.relevant_dropped, 4);  // case 0's items 2 and 4, case 2's 3, case 4's 4
  EXPECT_EQ(candidates.cases_dropped, 2);     // cases 0 and 4
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].relevant, (std::vector<int32_t>{1}));
  EXPECT_EQ(c[1].relevant, (std::vector<int32_t>{0}));
  EXPECT_EQ(c[2].relevant, (std::vector<int32_t>{1}));
  const auto json = candidates.catalog_json();
  EXPECT_EQ(json["policy"], "train");
  EXPECT_EQ(json["items"], 2);
  EXPECT_EQ(json["relevant_dropped"], 4);
}

TEST(ColdCandidates, AnErrorWhenNoItemIsCold) {
  ExperimentPlan plan;
  plan.cold_candidates = true;
  const Interactions every_item_trained(log_of({{0, 0}, {0, 1}, {1, 2}}), 2, 3);
  std::vector<EvalCase> c{{0, {2}, {}}};
  try {
    take_candidate_items(c, every_item_trained, plan, Logger::null());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no cold item to rank; use split=cold_items"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec
