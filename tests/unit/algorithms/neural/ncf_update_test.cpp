// update() of gmf, mlp, neumf and bpr_mf (algorithms/neural): fine-tuning on a round's new pairs
// raises their scores, is bit-for-bit repeatable, update_epochs = 0 is exactly a fresh fit on the
// union, the `how` text, a changed catalog is refused, and the update's sampler draws positives
// from the new pairs only and negatives outside everything the user has seen.
#include <algorithm>
#include <array>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "algorithms/neural/negative_sampler.hpp"
#include "framework/util/error.hpp"
#include "unit/algorithms/algorithm_test_support.hpp"

namespace tailrec {
namespace {

constexpr uint64_t kSeed = 7;

// Two taste groups: users 0-2 like items 0-4, users 3-5 items 5-9 (three each, so every user has
// unseen items of their own group left).
InteractionLog previous_log() {
  InteractionLog log;
  for (int32_t u = 0; u < 6; ++u) {
    const int32_t base = u < 3 ? 0 : 5;
    for (int32_t k = 0; k < 3; ++k) log.push(u, base + (u + k) % 5, 1.0f);
  }
  return log;
}

// The round's new interactions: user 0 crosses over to item 7 (twice: one pair), user 4 takes item 2.
InteractionLog added_log() {
  InteractionLog log;
  log.push(0, 7, 1.0f);
  log.push(4, 2, 1.0f);
  log.push(0, 7, 1.0f);
  return log;
}

Interactions matrix(const InteractionLog& log) { return Interactions(log, 6, 10); }

Interactions union_of(const InteractionLog& a, const InteractionLog& b) {
  InteractionLog all = a;
  std::set<std::pair<int32_t, int32_t>> have;
  for (size_t r = 0; r < a.size(); ++r) have.insert({a.users[r], a.items[r]});
  for (size_t r = 0; r < b.size(); ++r)
    if (have.insert({b.users[r], b.items[r]}).second) all.push(b.users[r], b.items[r], 1.0f);
  return matrix(all);
}

const std::string kGmf = "{factors: 4, epochs: 10, batch_size: 4, lr: 0.01}";

std::unique_ptr<Algorithm> make(const std::string& name, const std::string& params_yaml) {
  const auto& entry = registries().algorithms.at(name);
  return entry.create(Params::from_yaml(entry.params, YAML::Load(params_yaml)));
}

FitContext context_for(const Interactions& train, const ItemContent& content) {
  return FitContext{train, content, nullptr, kSeed, 1, Device::Cpu, &Logger::null(), {}};
}

std::vector<float> all_scores(const Algorithm& a, int32_t users) {
  std::vector<int32_t> ids(static_cast<size_t>(users));
  std::iota(ids.begin(), ids.end(), 0);
  std::vector<float> out(ids.size() * static_cast<size_t>(a.num_items()));
  a.score(ids, out);
  return out;
}

// fit on the previous interactions, then one update with the added ones; the scores after each.
struct Sequence {
  std::vector<float> before, after;
  UpdateResult result;
};

Sequence fit_then_update(const std::string& name, const std::string& params_yaml, int updates = 1) {
  const InteractionLog prev = previous_log(), added = added_log();
  const Interactions previous = matrix(prev);
  const Interactions all = union_of(prev, added);
  const ItemContent content(10);
  auto a = make(name, params_yaml);
  a->fit(context_for(previous, content));
  Sequence s;
  s.before = all_scores(*a, 6);
  const FitContext fit = context_for(all, content);
  for (int k = 0; k < updates; ++k) s.result = a->update(UpdateContext{fit, previous, added});
  s.after = all_scores(*a, 6);
  return s;
}

// Score of (user, item) minus the mean score of the items the user has in neither round.
double margin(const std::vector<float>& scores, const Interactions& all, int32_t user, int32_t item) {
  double sum = 0;
  int n = 0;
  for (int32_t j = 0; j < all.num_items(); ++j)
    if (!all.contains(user, j)) sum += scores[static_cast<size_t>(user * all.num_items() + j)], ++n;
  return scores[static_cast<size_t>(user * all.num_items() + item)] - sum / n;
}

struct KindCase {
  std::string name;
  std::string params;
};

class EveryNeuralKind : public ::testing::TestWithParam<KindCase> {};

TEST_P(EveryNeuralKind, UpdateRaisesTheNewPairsScores) {
  const auto s = fit_then_update(GetParam().name, GetParam().params);
  EXPECT_TRUE(s.result.incremental) << s.result.how;
  const Interactions all = union_of(previous_log(), added_log());
  for (const auto& [u, i] : {std::pair{0, 7}, std::pair{4, 2}}) {
    const auto at = static_cast<size_t>(u * 10 + i);
    EXPECT_GT(s.after[at], s.before[at]) << "user " << u << " item " << i;
    EXPECT_GT(margin(s.after, all, u, i), margin(s.before, all, u, i)) << "user " << u << " item " << i;
  }
}

TEST_P(EveryNeuralKind, TwoIdenticalRunsGiveIdenticalScores) {
  // Two updates in a row: the second draws from its own stream (update counter), still repeatable.
  const auto a = fit_then_update(GetParam().name, GetParam().params, 2);
  const auto b = fit_then_update(GetParam().name, GetParam().params, 2);
  EXPECT_EQ(a.before, b.before);
  EXPECT_EQ(a.after, b.after);
  EXPECT_NE(a.after, a.before);
}

INSTANTIATE_TEST_SUITE_P(
    NcfUpdate, EveryNeuralKind,
    ::testing::Values(KindCase{"gmf", kGmf},
                      KindCase{"mlp", "{layers: [8, 4], epochs: 10, batch_size: 4, lr: 0.01, update_epochs: 3}"},
                      KindCase{"neumf", "{factors: 4, layers: [8, 4], epochs: 10, batch_size: 4, lr: 0.01, "
                                        "optimizer: adam, pretrain: false, update_epochs: 3}"},
                      KindCase{"bpr_mf", "{factors: 4, epochs: 10, batch_size: 4, lr: 0.01, update_epochs: 3}"}),
    [](const auto& info) { return info.param.name; });

TEST(NcfUpdate, ZeroEpochsRefitsExactlyAsAFreshFitOnTheUnion) {
  const std::string params = "{factors: 4, epochs: 10, batch_size: 4, lr: 0.01, update_epochs: 0}";
  const auto s = fit_then_update("gmf", params);
  EXPECT_FALSE(s.result.incremental);
  EXPECT_EQ(s.result.how, "refit: update_epochs=0");
  const ItemContent content(10);
  auto fresh = make("gmf", params);
  fresh->fit(context_for(union_of(previous_log(), added_log()), content));
  EXPECT_EQ(s.after, all_scores(*fresh, 6));
}

TEST(NcfUpdate, HowNamesEpochsDistinctNewPairsAndNegatives) {
  // added_log() has 3 rows but 2 distinct pairs; gmf's default negatives are 4, bpr_mf's 1.
  EXPECT_EQ(fit_then_update("gmf", kGmf).result.how, "incremental: fine-tuned 1 epoch on 2 new interactions (4 negatives each)");
  EXPECT_EQ(fit_then_update("bpr_mf", "{factors: 4, epochs: 2, update_epochs: 3}").result.how,
            "incremental: fine-tuned 3 epochs on 2 new interactions (1 negatives each)");
}

TEST(NcfUpdate, AChangedCatalogIsAClearError) {
  const ItemContent content(10);
  auto a = make("gmf", kGmf);
  const Interactions previous = matrix(previous_log());
  a->fit(context_for(previous, content));
  const InteractionLog added = added_log();
  const Interactions bigger(union_of(previous_log(), added).to_log(), 7, 10);  // one more user
  const FitContext fit = context_for(bigger, content);
  try {
    a->update(UpdateContext{fit, previous, added});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("6 users x 10 items"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("update_epochs: 0"), std::string::npos) << e.what();
  }
}

TEST(NcfUpdate, SamplerDrawsPositivesFromTheNewPairsAndNegativesOutsideEverythingSeen) {
  InteractionLog distinct;
  distinct.push(0, 7, 1.0f);
  distinct.push(4, 2, 1.0f);
  const Interactions fresh = matrix(distinct);
  const Interactions seen = union_of(previous_log(), added_log());
  NegativeSampler sampler(fresh, seen);
  TrainingInstances out;
  for (int64_t epoch = 1; epoch <= 20; ++epoch) {
    sampler.pointwise(kSeed, epoch, 4, 1, out);
    ASSERT_EQ(out.size(), 2 * 5);
    int ones = 0;
    for (int64_t k = 0; k < out.size(); ++k) {
      const auto u = out.users[static_cast<size_t>(k)], i = out.items[static_cast<size_t>(k)];
      if (out.labels[static_cast<size_t>(k)] == 1.0f) {
        ++ones;
        EXPECT_TRUE(fresh.contains(u, i)) << u << " " << i;
      } else {
        EXPECT_FALSE(seen.contains(u, i)) << u << " " << i;  // not even a previous-round item
      }
    }
    EXPECT_EQ(ones, 2);
  }
}

}  // namespace
}  // namespace tailrec
