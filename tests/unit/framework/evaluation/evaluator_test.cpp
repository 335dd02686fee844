// The evaluator: masking, the tie rules, candidate protocols, and thread-count independence.
#include "framework/evaluation/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "experiments/register_all.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/metrics/topk.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

// Scores from a fixed users x items table.
class TableScores final : public Algorithm {
 public:
  TableScores(std::vector<std::vector<float>> table, bool ranks_cold = false, bool scores_cold_items = false)
      : table_(std::move(table)), ranks_cold_(ranks_cold), scores_cold_items_(scores_cold_items) {
    num_items_ = static_cast<int32_t>(table_[0].size());
  }
  bool ranks_cold_users() const override { return ranks_cold_; }
  bool scores_cold_items() const override { return scores_cold_items_; }
  void fit(const FitContext&) override {}
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    for (size_t u = 0; u < users.size(); ++u)
      std::copy(table_[static_cast<size_t>(users[u])].begin(), table_[static_cast<size_t>(users[u])].end(),
                out.begin() + static_cast<long>(u * static_cast<size_t>(num_items_)));
  }

 private:
  std::vector<std::vector<float>> table_;
  bool ranks_cold_ = false;
  bool scores_cold_items_ = false;
};

InteractionLog log_of(std::vector<std::pair<int32_t, int32_t>> pairs) {
  InteractionLog log;
  for (auto [u, i] : pairs) log.push(u, i, 1.0f);
  return log;
}

TEST(TopK, BreaksTiesByItemIndexAndSkipsExcluded) {
  const std::vector<float> scores{0.5f, 0.9f, 0.5f, 0.9f, 0.1f};
  std::vector<Scored> heap, out;
  const std::vector<int32_t> excluded{1};
  top_k_excluding(scores, excluded, 3, heap, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].item, 3);  // 0.9 (item 1 is excluded)
  EXPECT_EQ(out[1].item, 0);  // 0.5, lower index first
  EXPECT_EQ(out[2].item, 2);
}

TEST(TopK, TwoExclusionListsMayOverlap) {
  const std::vector<float> scores{0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f};
  std::vector<Scored> heap, out;
  const std::vector<int32_t> excluded{0, 2, 4}, also{1, 2, 3};  // 2 in both
  top_k_excluding(scores, excluded, 6, heap, out, also);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].item, 5);
}

TEST(TopK, NaNRanksLast) {
  const std::vector<float> scores{std::nanf(""), 0.1f, 0.2f};
  std::vector<Scored> heap, out;
  top_k_excluding(scores, {}, 3, heap, out);
  EXPECT_EQ(out[0].item, 2);
  EXPECT_EQ(out[1].item, 1);
  EXPECT_EQ(out[2].item, 0);
}

// protocol.cold_users=evaluate: user 1 has no training interaction. A model without information
// about cold users gives her an empty list (hit = ndcg = 0), never its tie order; a model that ranks
// cold users (most_popular-like) ranks her as usual. Without fitted_on nobody is cold.
TEST(Evaluator, ColdUsersGetAnEmptyListFromAModelWithoutInformation) {
  const Interactions train(log_of({{0, 0}}), 2, 4);
  const Interactions test(log_of({{0, 2}, {1, 0}}), 2, 4);
  // User 1's row is all ties: by item index her list would be [0, 1] and hit item 0.
  const std::vector<std::vector<float>> table{{0.9f, 0.1f, 0.8f, 0.0f}, {0.0f, 0.0f, 0.0f, 0.0f}};
  std::vector<EvalCase> cases{{0, {2}, {}}, {1, {0}, {}}};
  MetricContext context;
  context.num_items = 4;
  context.num_train_users = 1;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto metrics = make_metrics(registries(), {"hit", "ndcg"}, {2});
  EvaluationOptions options;
  options.list_length = 2;
  options.fitted_on = &train;

  const TableScores personalised(table);
  const auto blind = evaluate(personalised, {train, test, cases, false, context}, metrics, options);
  EXPECT_EQ(blind.list_size[0], 2);
  EXPECT_EQ(blind.list_size[1], 0);
  EXPECT_EQ(blind.uninformed_users, std::vector<int32_t>{1});
  EXPECT_DOUBLE_EQ(blind.per_user[0][1], 0.0);  // hit@2 of user 1: a miss
  EXPECT_DOUBLE_EQ(blind.values[0], 0.5);       // hit@2: user 0 hits item 2 (rank 1 after masking item 0)

  const TableScores popular(table, /*ranks_cold=*/true);
  const auto ranked = evaluate(popular, {train, test, cases, false, context}, metrics, options);
  EXPECT_EQ(ranked.list_size[1], 2);
  EXPECT_TRUE(ranked.uninformed_users.empty());
  EXPECT_DOUBLE_EQ(ranked.values[0], 1.0);  // the tie order happens to hit item 0

  options.fitted_on = nullptr;
  EXPECT_EQ(evaluate(personalised, {train, test, cases, false, context}, metrics, options).list_size[1], 2);
}

// Stratified accuracy: items 0 and 1 form group 0, items 2 and 3 group 1. User 0's list is [1, 2]
// and her relevant items are 1 (group 0) and 3 (group 1); user 1's list is [3, 0], relevant 3 only.
// Group 0 counts user 0 alone: recall@2 = 1, ndcg@2 = 1. Group 1 counts both: recall 0 and 1, mean
// 0.5; ndcg 0 and 1, mean 0.5. aplt is not stratified (it does not judge relevance).
TEST(Evaluator, StratifiedAccuracyCountsOnlyTheGroupsRelevantItems) {
  const Interactions train(log_of({{0, 0}, {1, 1}}), 2, 5);
  const Interactions test(log_of({{0, 1}, {0, 3}, {1, 3}}), 2, 5);
  const std::vector<std::vector<float>> table{{0.0f, 0.9f, 0.8f, 0.1f, 0.0f}, {0.5f, 0.0f, 0.1f, 0.9f, 0.0f}};
  std::vector<EvalCase> cases{{0, {1, 3}, {}}, {1, {3}, {}}};
  MetricContext context;
  context.num_items = 5;
  context.num_train_users = 2;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto metrics = make_metrics(registries(), {"recall", "ndcg", "aplt"}, {2});
  Strata strata;
  strata.groups = {{"a", "", 2}, {"b", "", 2}};
  strata.group_of = {0, 0, 1, 1, -1};
  EvaluationOptions options;
  options.list_length = 2;
  options.item_strata = &strata;
  const TableScores model(table);
  const auto r = evaluate(model, {train, test, cases, false, context}, metrics, options);
  EXPECT_EQ(std::vector<int32_t>(r.lists.begin(), r.lists.begin() + 2), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(std::vector<int32_t>(r.lists.begin() + 2, r.lists.begin() + 4), (std::vector<int32_t>{3, 0}));
  EXPECT_EQ(r.stratified_names, (std::vector<std::string>{"recall@2", "ndcg@2"}));
  ASSERT_EQ(r.item_strata_values.size(), 2u);
  EXPECT_DOUBLE_EQ(r.item_strata_values[0][0], 1.0);
  EXPECT_DOUBLE_EQ(r.item_strata_values[0][1], 1.0);
  EXPECT_DOUBLE_EQ(r.item_strata_values[1][0], 0.5);
  EXPECT_DOUBLE_EQ(r.item_strata_values[1][1], 0.5);
  EXPECT_DOUBLE_EQ(r.values[0], 0.75);  // overall recall@2: (1/2 + 1) / 2

  options.item_strata = nullptr;
  EXPECT_TRUE(evaluate(model, {train, test, cases, false, context}, metrics, options).item_strata_values.empty());
}

// Fold-in: a model whose history score of item i is 10 * (number of history items) - i, and whose
// score() is all 0. User 1 has no training row but a history {0, 1}: she is scored through
// score_history (row 20, 19, 18, 17), her history items are masked (they are in `seen`), so her
// list is [2, 3]; she is not cold, so a model without information about cold users still ranks her.
class HistoryScores final : public Algorithm {
 public:
  HistoryScores() { num_items_ = 4; }
  void fit(const FitContext&) override {}
  void score(std::span<const int32_t>, std::span<float> out) const override { std::fill(out.begin(), out.end(), 0.0f); }
  bool folds_in() const override { return true; }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    for (size_t u = 0; u < users.size(); ++u)
      for (int32_t i = 0; i < 4; ++i)
        out[u * 4 + static_cast<size_t>(i)] = static_cast<float>(10 * history.row_size(users[u]) - i);
  }
};

TEST(Evaluator, HeldOutUsersAreScoredFromTheirHistoryWithItsItemsMasked) {
  const Interactions train(log_of({{0, 0}}), 2, 4);
  const Interactions history(log_of({{1, 0}, {1, 1}}), 2, 4);
  const Interactions seen(log_of({{0, 0}, {1, 0}, {1, 1}}), 2, 4);  // training + history
  const Interactions test(log_of({{1, 3}}), 2, 4);
  std::vector<EvalCase> cases{{1, {3}, {}}};
  MetricContext context;
  context.num_items = 4;
  context.num_train_users = 1;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto metrics = make_metrics(registries(), {"hit"}, {2});
  EvaluationOptions options;
  options.list_length = 2;
  options.fitted_on = &train;
  options.history = &history;
  const HistoryScores model;
  const auto result = evaluate(model, {seen, test, cases, false, context}, metrics, options);
  ASSERT_EQ(result.list_size[0], 2);
  EXPECT_EQ(result.lists[0], 2);
  EXPECT_EQ(result.lists[1], 3);
  EXPECT_FLOAT_EQ(result.list_scores[0], 18.0f);
  EXPECT_TRUE(result.uninformed_users.empty());
  EXPECT_DOUBLE_EQ(result.values[0], 1.0);  // hit@2: item 3 at rank 2
  // Without the history she is a cold user, and the model has no information about her.
  options.history = nullptr;
  EXPECT_EQ(evaluate(model, {seen, test, cases, false, context}, metrics, options).list_size[0], 0);
}

// protocol.candidates=cold: items 0 and 1 have training interactions (warm), 2..4 are cold. Only cold
// items are candidates, so user 0's list is [3, 2] although item 1 scores highest; a model that
// cannot score cold items gives empty lists.
TEST(Evaluator, ColdCandidatesRankOnlyItemsWithoutTrainingInteractions) {
  const Interactions train(log_of({{0, 0}, {1, 1}}), 2, 5);
  const Interactions test(log_of({{0, 2}, {1, 4}}), 2, 5);
  const std::vector<std::vector<float>> table{{0.9f, 0.8f, 0.5f, 0.6f, 0.1f}, {0.2f, 0.9f, 0.1f, 0.1f, 0.3f}};
  std::vector<EvalCase> cases{{0, {2}, {}}, {1, {4}, {}}};
  MetricContext context;
  context.num_items = 5;
  context.num_train_users = 2;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto metrics = make_metrics(registries(), {"hit", "ndcg"}, {2});
  EvaluationOptions options;
  options.list_length = 2;
  const std::vector<int32_t> warm{0, 1};
  options.excluded_items = &warm;
  options.cold_candidates = true;

  const TableScores content(table, false, /*scores_cold_items=*/true);
  const auto r = evaluate(content, {train, test, cases, false, context}, metrics, options);
  EXPECT_FALSE(r.blind_to_candidates);
  EXPECT_EQ(std::vector<int32_t>(r.lists.begin(), r.lists.begin() + 2), (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(std::vector<int32_t>(r.lists.begin() + 2, r.lists.begin() + 4), (std::vector<int32_t>{4, 2}));  // 0.3, then 0.1 tie: 2 < 3
  EXPECT_DOUBLE_EQ(r.values[0], 1.0);  // both hit within the top 2

  const TableScores collaborative(table);
  const auto blind = evaluate(collaborative, {train, test, cases, false, context}, metrics, options);
  EXPECT_TRUE(blind.blind_to_candidates);
  EXPECT_EQ(blind.list_size, (std::vector<int32_t>{0, 0}));
  EXPECT_DOUBLE_EQ(blind.values[0], 0.0);
}

TEST(Evaluator, FullRankingMasksTrainingItemsAndComputesMetrics) {
  // 2 users, 5 items. User 0 trained on item 0 (its top score), test item 2.
  const Interactions train(log_of({{0, 0}, {1, 1}}), 2, 5);
  const Interactions test(log_of({{0, 2}, {1, 4}}), 2, 5);
  TableScores algo({{0.9f, 0.8f, 0.7f, 0.1f, 0.0f}, {0.1f, 0.9f, 0.3f, 0.3f, 0.2f}});
  std::vector<EvalCase> cases{{0, {2}, {}}, {1, {4}, {}}};
  MetricContext context;
  context.num_items = 5;
  context.num_train_users = 2;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto metrics = make_metrics(registries(), {"hit", "ndcg"}, {2});
  EvaluationOptions options;
  options.list_length = 2;
  const auto r = evaluate(algo, {train, test, cases, false, context}, metrics, options);
  // User 0: list [1, 2] -> hit, ndcg = (1/log2(3)) / 1 = 0.6309.
  // User 1: candidates 0,2,3,4 with scores .1,.3,.3,.2 -> list [2, 3] (tie by index) -> miss.
  EXPECT_EQ(r.lists[0], 1);
  EXPECT_EQ(r.lists[1], 2);
  EXPECT_EQ(r.lists[2], 2);
  EXPECT_EQ(r.lists[3], 3);
  EXPECT_DOUBLE_EQ(r.values[0], 0.5);
  EXPECT_NEAR(r.values[1], 0.5 / std::log2(3.0), 1e-12);
  EXPECT_EQ(r.per_user_names, (std::vector<std::string>{"hit@2", "ndcg@2"}));
  EXPECT_DOUBLE_EQ(r.per_user[0][0], 1.0);
  EXPECT_DOUBLE_EQ(r.per_user[0][1], 0.0);
}

TEST(Evaluator, CandidateProtocolRanksTheRelevantItemBelowTies) {
  const Interactions train(log_of({{0, 0}}), 1, 4);
  const Interactions test(log_of({{0, 1}}), 1, 4);
  // Item 1 (relevant) ties item 3: under the NCF rule item 3 ranks first.
  TableScores algo({{0.0f, 0.5f, 0.1f, 0.5f}});
  std::vector<EvalCase> cases{{0, {1}, {1, 2, 3}}};
  MetricContext context;
  context.num_items = 4;
  context.num_train_users = 1;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto metrics = make_metrics(registries(), {"hit", "ndcg"}, {1});
  EvaluationOptions options;
  options.list_length = 1;
  const auto pessimistic = evaluate(algo, {train, test, cases, true, context}, metrics, options);
  EXPECT_EQ(pessimistic.lists[0], 3);
  EXPECT_DOUBLE_EQ(pessimistic.values[0], 0.0);
  const auto by_index = evaluate(algo, {train, test, cases, false, context}, metrics, options);
  EXPECT_EQ(by_index.lists[0], 1);
  EXPECT_DOUBLE_EQ(by_index.values[0], 1.0);
}

TEST(Evaluator, ResultsAreIdenticalForOneAndTwoThreadsAndSmallBudgets) {
  // 300 users x 200 items of random scores and random train/test data.
  const int32_t users = 300, items = 200;
  Random rng(7);
  InteractionLog train_log, test_log;
  std::vector<std::vector<float>> table(users, std::vector<float>(items));
  for (int32_t u = 0; u < users; ++u) {
    for (int32_t i = 0; i < items; ++i) {
      table[static_cast<size_t>(u)][static_cast<size_t>(i)] = static_cast<float>(rng.below(50));  // many ties
      const auto draw = rng.below(20);
      if (draw == 0) train_log.push(u, i, 1.0f);
      else if (draw == 1) test_log.push(u, i, 1.0f);
    }
  }
  const Interactions train(train_log, users, items), test(test_log, users, items);
  std::vector<EvalCase> cases;
  for (int32_t u = 0; u < users; ++u) {
    const auto t = test.items_of(u);
    if (!t.empty()) cases.push_back({u, {t.begin(), t.end()}, {}});
  }
  MetricContext context;
  context.num_items = items;
  context.num_train_users = train.active_users();
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto metrics = make_metrics(registries(), {"all"}, {5, 10});
  TableScores algo(table);
  auto run = [&](int threads, int64_t budget) {
    EvaluationOptions o;
    o.threads = threads;
    o.memory_budget_bytes = budget;
    o.list_length = 10;
    return evaluate(algo, {train, test, cases, false, context}, metrics, o);
  };
  const auto one = run(1, int64_t{1} << 30);
  const auto two = run(2, int64_t{1} << 30);
  const auto tiny = run(2, 8 * items * 4 * 3);  // blocks of 3 users
  EXPECT_EQ(tiny.block_size, 3);
  EXPECT_EQ(one.lists, two.lists);
  EXPECT_EQ(one.lists, tiny.lists);
  ASSERT_EQ(one.values.size(), two.values.size());
  for (size_t m = 0; m < one.values.size(); ++m) {
    // Bit-identical, not merely close.
    EXPECT_EQ(std::memcmp(&one.values[m], &two.values[m], sizeof(double)), 0) << one.metric_names[m];
    EXPECT_EQ(std::memcmp(&one.values[m], &tiny.values[m], sizeof(double)), 0) << one.metric_names[m];
  }
}

TEST(Evaluator, BlockSizeDependsOnlyOnBudgetAndCatalog) {
  EXPECT_EQ(evaluation_block_size(3706, int64_t{1} << 30), 256);
  EXPECT_EQ(evaluation_block_size(1000, 8 * 1000 * 4 * 10), 10);
  EXPECT_EQ(evaluation_block_size(1000, 1), 1);
}

// metrics.k beyond the catalog stores lists of the catalog's length (not k), and changes no value
// but precision@k, which divides by k: 6 items ranked, k = 6 and k = 1006.
TEST(Evaluator, ACutOffBeyondTheCatalogStoresCatalogLengthListsAndChangesNoList) {
  const Interactions train(log_of({{0, 0}, {1, 1}, {2, 5}}), 3, 6);
  const Interactions test(log_of({{0, 2}, {0, 4}, {1, 5}, {2, 3}}), 3, 6);
  TableScores algo({{0.9f, 0.8f, 0.7f, 0.1f, 0.0f, 0.5f},
                    {0.1f, 0.9f, 0.3f, 0.3f, 0.2f, 0.05f},
                    {0.4f, 0.6f, 0.2f, 0.1f, 0.8f, 0.9f}});
  std::vector<EvalCase> cases{{0, {2, 4}, {}}, {1, {5}, {}}, {2, {3}, {}}};
  MetricContext context;
  context.num_items = 6;
  context.num_train_users = 3;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  const auto run = [&](int k) {
    EvaluationOptions options;
    options.list_length = k;
    return evaluate(algo, {train, test, cases, false, context},
                    make_metrics(registries(), {"hit", "recall", "ndcg", "coverage", "precision"}, {k}), options);
  };
  const auto at_catalog = run(6), beyond = run(1006);
  EXPECT_EQ(stored_list_length(1006, 6), 6);
  EXPECT_EQ(stored_list_length(100000, 9742), 9742);  // ml-latest-small: 610 cases x 9,742 x 8 bytes = 47.5 MB
  EXPECT_EQ(stored_list_length(0, 6), 1);
  EXPECT_EQ(at_catalog.list_length, 6);
  EXPECT_EQ(beyond.list_length, 6);
  EXPECT_EQ(beyond.lists.size(), 3u * 6u);
  EXPECT_EQ(beyond.lists, at_catalog.lists);
  EXPECT_EQ(beyond.list_size, (std::vector<int32_t>{5, 5, 5}));  // every item but the one trained on
  for (size_t m = 0; m < 4; ++m) EXPECT_DOUBLE_EQ(beyond.values[m], at_catalog.values[m]) << beyond.metric_names[m];
  // Every list holds every relevant item: hit = recall = coverage = 1; precision = 4 hits / (3 lists x k).
  EXPECT_DOUBLE_EQ(beyond.values[0], 1.0);
  EXPECT_DOUBLE_EQ(beyond.values[1], 1.0);
  EXPECT_DOUBLE_EQ(beyond.values[3], 1.0);
  EXPECT_DOUBLE_EQ(at_catalog.values[4], (2.0 / 6 + 1.0 / 6 + 1.0 / 6) / 3);
  EXPECT_DOUBLE_EQ(beyond.values[4], (2.0 / 1006 + 1.0 / 1006 + 1.0 / 1006) / 3);
}

}  // namespace
}  // namespace tailrec
