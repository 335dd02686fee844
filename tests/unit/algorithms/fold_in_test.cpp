// Fold-in scoring (Algorithm::score_history): a held-out user scored from her history with the
// fitted model unchanged. For item_knn and ease (and blends of them) the fold-in scores of history h
// equal, bit for bit, score() of a training user whose row is h in the same fitted model: both
// paths run the same float operations in the same order (item_knn: her weighted row times the same
// neighbour lists; ease: her row of X times the same B, summed in ascending item order). user_knn's
// neighbours are checked against an independent computation written here; the models that cannot
// fold in say so.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "tests/unit/algorithms/algorithm_test_support.hpp"

namespace tailrec {
namespace {

// 7 users x 8 items with ratings; user 6 ("the twin") has the row that the histories below copy.
const std::vector<std::array<float, 3>> kTriples = {
    {0, 0, 5}, {0, 1, 3}, {0, 2, 4}, {1, 1, 2}, {1, 3, 5}, {1, 4, 1}, {2, 0, 4}, {2, 4, 3}, {2, 5, 5},
    {3, 2, 1}, {3, 3, 4}, {3, 6, 2}, {3, 7, 5}, {4, 5, 3}, {4, 6, 4}, {5, 0, 2}, {5, 7, 3}, {5, 1, 4},
    {6, 0, 3}, {6, 3, 4}, {6, 5, 1}};
constexpr int32_t kTwin = 6;

Interactions train() { return test::make_train(7, 8, kTriples); }

// A history matrix over 12 users where user `who` has the twin's row (same items and ratings).
Interactions history_copying_the_twin(int32_t who) {
  std::vector<std::array<float, 3>> rows;
  for (const auto& t : kTriples)
    if (static_cast<int32_t>(t[0]) == kTwin) rows.push_back({static_cast<float>(who), t[1], t[2]});
  rows.push_back({11, 2, 5});  // another held-out user, so the matrix is not the twin's alone
  return test::make_train(12, 8, rows);
}

std::vector<float> fold_in_row(const Algorithm& a, const Interactions& history, int32_t user) {
  std::vector<float> out(static_cast<size_t>(a.num_items()));
  a.score_history(std::span<const int32_t>(&user, 1), history, out);
  return out;
}

TEST(FoldIn, ItemKnnAndEaseScoreAHistoryExactlyAsATrainingUserWithThatRow) {
  const auto history = history_copying_the_twin(9);
  for (const auto& [name, params] : std::vector<std::pair<std::string, std::string>>{
           {"item_knn", "{k: 3}"},
           {"item_knn", "{k: 3, weighting: tfidf, values: rating}"},
           {"item_knn", "{k: 100, weighting: bm25, values: rating, shrink: 2}"},
           {"ease", "{lambda: 2.0}"},
           {"weighted", "{components: [item_knn, ease], alpha: [0.3, 0.7]}"},
           {"switching", "{components: [item_knn, ease], threshold: 2}"}}) {
    const auto a = test::fit_algorithm(name, train(), params);
    ASSERT_TRUE(a->folds_in()) << name << " " << params;
    const auto expected = test::score_row(*a, kTwin);
    EXPECT_EQ(fold_in_row(*a, history, 9), expected) << name << " " << params;  // exact: same arithmetic
    EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [](float v) { return v != 0.0f; })) << name;
    // Blocks: the same row whatever else the block holds.
    const std::vector<int32_t> block{11, 9};
    std::vector<float> both(2 * 8);
    a->score_history(block, history, both);
    EXPECT_EQ(std::vector<float>(both.begin() + 8, both.end()), expected) << name << " " << params;
  }
}

// user_knn (forward, cosine): sim(h, v) = <x_h, x_v> / (|x_h| |x_v|) over the training users v, the
// k best with sim > 0 (ties: lower index), s(h, i) = sum_v sim(h, v) x_vi, in double here.
std::vector<double> independent_user_knn(const Interactions& t, std::span<const int32_t> items,
                                         std::span<const float> values, size_t k, bool binary) {
  const auto x = [&](std::span<const float> v, size_t at) { return binary ? 1.0 : static_cast<double>(v[at]); };
  double hh = 0;
  for (size_t a = 0; a < items.size(); ++a) hh += x(values, a) * x(values, a);
  std::vector<std::pair<double, int32_t>> sims;
  for (int32_t v = 0; v < t.num_users(); ++v) {
    const auto vi = t.items_of(v);
    const auto vv = t.values_of(v);
    double dot = 0, norm = 0;
    for (size_t b = 0; b < vi.size(); ++b) {
      norm += x(vv, b) * x(vv, b);
      for (size_t a = 0; a < items.size(); ++a)
        if (items[a] == vi[b]) dot += x(values, a) * x(vv, b);
    }
    if (dot > 0) sims.emplace_back(dot / (std::sqrt(hh) * std::sqrt(norm)), v);
  }
  std::sort(sims.begin(), sims.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  sims.resize(std::min(k, sims.size()));
  std::vector<double> scores(static_cast<size_t>(t.num_items()), 0.0);
  for (const auto& [sim, v] : sims) {
    const auto vi = t.items_of(v);
    const auto vv = t.values_of(v);
    for (size_t b = 0; b < vi.size(); ++b) scores[static_cast<size_t>(vi[b])] += sim * x(vv, b);
  }
  return scores;
}

TEST(FoldIn, UserKnnFindsTheHistorysNeighboursAmongTheTrainingUsers) {
  const auto t = train();
  const auto history = history_copying_the_twin(9);
  for (const auto& [params, k, binary] : std::vector<std::tuple<std::string, size_t, bool>>{
           {"{k: 2}", 2, true}, {"{k: 3, values: rating}", 3, false}, {"{k: 50}", 50, true}}) {
    const auto a = test::fit_algorithm("user_knn", t, params);
    ASSERT_TRUE(a->folds_in());
    for (int32_t user : {9, 11}) {
      const auto expected = independent_user_knn(t, history.items_of(user), history.values_of(user), k, binary);
      test::expect_row(fold_in_row(*a, history, user), expected);
    }
  }
  // By hand, k = 2, binary: h = {0, 3, 5}, |h| = sqrt(3). The twin (user 6) has the same row: sim 1;
  // user 2 shares items 0 and 5: 2/3; users 0, 1, 5 share one item: 1/3; user 3: 1/(2 sqrt(3));
  // user 4: 1/sqrt(6). N_2 = {6: 1, 2: 2/3}: s = x_6 + 2/3 x_2.
  const auto a = test::fit_algorithm("user_knn", t, "{k: 2}");
  test::expect_row(fold_in_row(*a, history, 9), {1 + 2.0 / 3, 0, 0, 1, 2.0 / 3, 1 + 2.0 / 3, 0, 0});
  // A reverse neighbourhood needs her in the other users' lists: no fold-in without a refit.
  EXPECT_FALSE(test::fit_algorithm("user_knn", t, "{neighborhood: reverse}")->folds_in());
}

TEST(FoldIn, NonPersonalisedModelsIgnoreTheHistoryAndModelsWithoutFoldInSaySo) {
  const auto history = history_copying_the_twin(9);
  const auto popular = test::fit_algorithm("most_popular", train(), "{}");
  EXPECT_EQ(fold_in_row(*popular, history, 9), test::score_row(*popular, 9));
  const auto random = test::fit_algorithm("random", train(), "{}");
  EXPECT_EQ(fold_in_row(*random, history, 9), test::score_row(*random, 9));
  // A weighted blend folds in only when every weighted component does; alpha: auto never does.
  const auto& weighted = registries().algorithms.at("weighted");
  const auto make = [&](const std::string& yaml) { return weighted.create(Params::from_yaml(weighted.params, YAML::Load(yaml))); };
  EXPECT_TRUE(make("{components: [item_knn, ease]}")->folds_in());
  EXPECT_FALSE(make("{components: [item_knn, ease], alpha: auto}")->folds_in());
  EXPECT_FALSE(make("{components: [item_knn, {name: user_knn, neighborhood: reverse}]}")->folds_in());
  EXPECT_TRUE(make("{components: [item_knn, {name: user_knn, neighborhood: reverse}], alpha: [1, 0]}")->folds_in());
  const auto reverse = test::fit_algorithm("user_knn", train(), "{neighborhood: reverse}");
  std::vector<float> out(8);
  const int32_t user = 9;
  EXPECT_THROW(reverse->score_history(std::span<const int32_t>(&user, 1), history, out), NotSupported);
}

}  // namespace
}  // namespace tailrec
