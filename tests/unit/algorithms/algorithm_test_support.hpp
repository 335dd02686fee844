#pragma once
// Helpers shared by the algorithm unit tests: a matrix from triples, fitting a registered algorithm
// from inline YAML, one user's score row, a row compared with hand-computed values, and the
// test-only `table` algorithm whose scores are given in its parameters.
#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "experiments/register_all.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec::test {

// Users x items from (user, item, rating) triples.
inline Interactions make_train(int32_t users, int32_t items, const std::vector<std::array<float, 3>>& triples) {
  InteractionLog log;
  for (const auto& t : triples) log.push(static_cast<int32_t>(t[0]), static_cast<int32_t>(t[1]), t[2]);
  log.has_ratings = true;
  return Interactions(log, users, items);
}

// Creates `name` with the parameters in `params_yaml` and fits it on `train` (no item content).
inline std::unique_ptr<Algorithm> fit_algorithm(const std::string& name, const Interactions& train,
                                                const std::string& params_yaml, int threads = 1) {
  const auto& entry = registries().algorithms.at(name);
  auto a = entry.create(Params::from_yaml(entry.params, YAML::Load(params_yaml)));
  const ItemContent content(train.num_items());
  a->fit(FitContext{train, content, nullptr, 7, threads, Device::Cpu, &Logger::null(), {}});
  return a;
}

inline std::vector<float> score_row(const Algorithm& a, int32_t user) {
  std::vector<float> out(static_cast<size_t>(a.num_items()));
  a.score(std::span<const int32_t>(&user, 1), out);
  return out;
}

inline void expect_row(const std::vector<float>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-5) << "item " << i;
}

// score(u, i) = scores[u * num_items + i], fixed in its parameters, so that a test can write every
// expected value down; with `explains`, explain() gives one reason {Term "cell", weight = the score}.
class TableScores final : public Algorithm {
 public:
  TableScores(std::vector<double> scores, bool explains) : scores_(std::move(scores)), explains_(explains) {}
  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    if (scores_.size() != static_cast<size_t>(context.train.num_users()) * static_cast<size_t>(num_items_))
      fail("table: {} scores for {} x {}", scores_.size(), context.train.num_users(), num_items_);
  }
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u)
      for (size_t i = 0; i < n; ++i) out[u * n + i] = static_cast<float>(at(users[u], static_cast<int32_t>(i)));
  }
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    if (!explains_ || max_reasons <= 0) return {};
    return {Reason{Reason::Kind::Term, -1, "cell", at(user, item), {}}};
  }
  bool explains() const override { return explains_; }

 private:
  double at(int32_t user, int32_t item) const {
    return scores_[static_cast<size_t>(user) * static_cast<size_t>(num_items_) + static_cast<size_t>(item)];
  }
  std::vector<double> scores_;
  bool explains_;
};

// Adds `table` (a TableScores without explanations) and `explained` (with them) to a test's registries.
inline void register_table_scores(Registries& registries) {
  for (const bool explains : {false, true})
    registries.algorithms.add({explains ? "explained" : "table", "test-only fixed scores",
                               {ParamSpec::needed("scores", ParamType::FloatList, "row-major users x items")},
                               [explains](const Params& p) { return std::make_unique<TableScores>(p.reals("scores"), explains); }});
}

}  // namespace tailrec::test
