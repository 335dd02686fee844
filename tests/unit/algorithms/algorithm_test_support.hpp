#pragma once
// Helpers shared by the algorithm unit tests: a matrix from triples, fitting a registered algorithm
// from inline YAML, one user's score row, and a row compared with hand-computed values.
#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "experiments/register_all.hpp"
#include "framework/logger.hpp"

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

}  // namespace tailrec::test
