// The contract every registered algorithm keeps (after xgboost's test_objective.cc): it fits on a
// tiny fixture with its default parameters, scores every user with finite numbers, gives the
// same scores for a block and for each user alone, and is deterministic for a seed. Its config
// file configs/algorithm/<name>.yaml lists exactly its parameters, with the schema's defaults.
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "experiments/register_all.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "unit/support/schema_values.hpp"

namespace tailrec {
namespace {

struct Fixture {
  Interactions train;
  ItemContent content{6};
  Fixture() {
    InteractionLog log;
    // 5 users x 6 items with ratings; item 5 has no training interaction (a cold item).
    const int pairs[][3] = {{0, 0, 5}, {0, 1, 3}, {0, 2, 4}, {1, 0, 4}, {1, 2, 2}, {1, 3, 5}, {2, 1, 1},
                            {2, 3, 4}, {2, 4, 5}, {3, 0, 3}, {3, 4, 2}, {4, 2, 5}, {4, 3, 3}, {4, 4, 4}};
    for (const auto& p : pairs) log.push(p[0], p[1], static_cast<float>(p[2]));
    log.has_ratings = true;
    train = Interactions(log, 5, 6);
    auto& title = content.field("title");
    const char* titles[] = {"space war", "space love", "war story", "love story", "funny story", "space funny"};
    for (int i = 0; i < 6; ++i) title[static_cast<size_t>(i)] = titles[i];
  }
};

std::vector<float> score_all(const Algorithm& a, int32_t users, int32_t items) {
  std::vector<int32_t> ids(static_cast<size_t>(users));
  for (int32_t u = 0; u < users; ++u) ids[static_cast<size_t>(u)] = u;
  std::vector<float> out(static_cast<size_t>(users * items));
  a.score(ids, out);
  return out;
}

// Default parameters, except a `model` (a language-model checkpoint, which no default can ship):
// the tiny random BERT of ../shared/fixtures, or nullopt when that is absent.
std::optional<Params> contract_params(const RegistryEntry<std::unique_ptr<Algorithm>>& entry) {
  YAML::Node values(YAML::NodeType::Map);
  for (const auto& p : entry.params)
    if (p.name == "model") {
      const std::string model = std::string(TAILREC_SHARED_DIR) + "/fixtures/bert/tiny-random-bert";
      if (!std::filesystem::exists(model + "/model.safetensors")) return std::nullopt;
      values["model"] = model;
    }
  return Params::from_yaml(entry.params, values, "defaults");
}

class Contract : public ::testing::TestWithParam<std::string> {};

TEST_P(Contract, FitsAndScoresConsistently) {
  const auto& entry = registries().algorithms.at(GetParam());
  const auto params = contract_params(entry);
  if (!params) GTEST_SKIP() << GetParam() << " needs the model in ../shared/fixtures/bert";
  Fixture f;
  FitContext context{f.train, f.content, nullptr, 11, 2, Device::Cpu, &Logger::null(), {}};
  auto a = entry.create(*params);
  a->fit(context);
  EXPECT_EQ(a->num_items(), 6);
  const auto block = score_all(*a, 5, 6);
  for (float s : block) EXPECT_TRUE(std::isfinite(s)) << GetParam();
  for (int32_t u = 0; u < 5; ++u) {
    std::vector<float> one(6);
    a->score(std::span<const int32_t>(&u, 1), one);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(one[static_cast<size_t>(i)], block[static_cast<size_t>(u * 6 + i)]) << GetParam();
    const std::vector<int32_t> items{5, 1, 3};
    std::vector<float> some(3);
    a->score_items(u, items, some);
    for (size_t k = 0; k < 3; ++k) EXPECT_EQ(some[k], block[static_cast<size_t>(u * 6 + items[k])]) << GetParam();
  }
  auto again = entry.create(*params);
  again->fit(context);
  EXPECT_EQ(score_all(*again, 5, 6), block) << GetParam() << " is not deterministic for a fixed seed";
}

// Fold-in (Algorithm::score_history): a model that folds in scores histories of users it was not
// fitted on with finite numbers, the same for a block and for each user alone; one that does not
// says so with NotSupported.
TEST_P(Contract, FoldsInConsistentlyOrSaysItCannot) {
  const auto& entry = registries().algorithms.at(GetParam());
  const auto params = contract_params(entry);
  if (!params) GTEST_SKIP() << GetParam() << " needs the model in ../shared/fixtures/bert";
  Fixture f;
  FitContext context{f.train, f.content, nullptr, 11, 2, Device::Cpu, &Logger::null(), {}};
  auto a = entry.create(*params);
  a->fit(context);
  // The training rows of users 0..4 as the histories of users 5..9, who are not in training.
  InteractionLog log;
  log.has_ratings = true;
  for (int32_t u = 0; u < 5; ++u)
    for (size_t k = 0; k < f.train.items_of(u).size(); ++k) log.push(u + 5, f.train.items_of(u)[k], f.train.values_of(u)[k]);
  const Interactions history(log, 10, 6);
  const std::vector<int32_t> ids{5, 6, 7, 8, 9};
  std::vector<float> block(30);
  if (!a->folds_in()) {
    EXPECT_THROW(a->score_history(ids, history, block), NotSupported) << GetParam();
    return;
  }
  a->score_history(ids, history, block);
  for (float s : block) EXPECT_TRUE(std::isfinite(s)) << GetParam();
  for (size_t b = 0; b < ids.size(); ++b) {
    std::vector<float> one(6);
    a->score_history(std::span<const int32_t>(&ids[b], 1), history, one);
    for (size_t i = 0; i < 6; ++i) EXPECT_EQ(one[i], block[b * 6 + i]) << GetParam();
  }
}

TEST_P(Contract, ConfigFileListsExactlyTheParameters) {
  const auto& entry = registries().algorithms.at(GetParam());
  const auto file = std::filesystem::path(TAILREC_SOURCE_DIR) / "configs" / "algorithm" / (GetParam() + ".yaml");
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  const auto yaml = YAML::LoadFile(file.string());
  std::set<std::string> in_file, in_schema;
  if (yaml.IsMap())
    for (const auto& kv : yaml) in_file.insert(kv.first.Scalar());
  for (const auto& p : entry.params) in_schema.insert(p.name);
  EXPECT_EQ(in_file, in_schema) << file;
  // ... with the schema's default values: the C++ schema is the one source of defaults.
  for (const auto& p : entry.params) {
    if (!yaml[p.name]) continue;
    EXPECT_TRUE(test::same_value(p, yaml[p.name])) << file << ": " << p.name << " is not the default " << p.default_text();
  }
}

INSTANTIATE_TEST_SUITE_P(EveryAlgorithm, Contract, ::testing::ValuesIn(registries().algorithms.names()));

}  // namespace
}  // namespace tailrec
