// update() of the hybrids and the re-ranker (protocol=replay): with components whose update is the
// default refit (random and two test-only models that depend on the training data: `cooccur` and
// `popular`), updating a model fitted on `previous` with `added` must give
// exactly the scores of a fresh fit on previous + added, for weighted (fixed and tuned alpha),
// bayesian (posteriors recomputed), switching (counts recomputed: a user and an item cross the
// threshold) and rerank (popularity recomputed). A test-only `probe` component checks what
// HybridComponents::update passes down (work_dir/<label>) and how it reports the components.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "algorithms/hybrid/bayesian_hybrid.hpp"
#include "algorithms/hybrid/hybrid.hpp"
#include "algorithms/hybrid/score_normalization.hpp"
#include "algorithms/hybrid/weighted_hybrid.hpp"
#include "algorithms/register_algorithms.hpp"
#include "algorithms/rerank/rerank.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {
namespace {

// cooccur: score(u, i) = sum_{j in train_u} C(i, j), C(i, j) = users with both i and j in train.
// popular: score(u, i) = training users of i. Both keep the default update (a refit).
class Cooccur final : public Algorithm {
 public:
  void fit(const FitContext& context) override {
    const auto& train = context.train;
    num_items_ = train.num_items();
    const auto n = static_cast<size_t>(num_items_);
    std::vector<float> c(n * n, 0.0f);
    for (int32_t u = 0; u < train.num_users(); ++u)
      for (int32_t i : train.items_of(u))
        for (int32_t j : train.items_of(u)) c[static_cast<size_t>(i) * n + static_cast<size_t>(j)] += 1;
    scores_.assign(static_cast<size_t>(train.num_users()) * n, 0.0f);
    for (int32_t u = 0; u < train.num_users(); ++u)
      for (int32_t j : train.items_of(u))
        for (size_t i = 0; i < n; ++i) scores_[static_cast<size_t>(u) * n + i] += c[i * n + static_cast<size_t>(j)];
  }
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u)
      std::copy_n(scores_.begin() + static_cast<long>(static_cast<size_t>(users[u]) * n), n,
                  out.begin() + static_cast<long>(u * n));
  }

 private:
  std::vector<float> scores_;
};

class Popular final : public Algorithm {
 public:
  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    phi_ = context.train.item_user_counts();
  }
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u)
      for (size_t i = 0; i < n; ++i) out[u * n + i] = static_cast<float>(phi_[i]);
  }

 private:
  std::vector<int32_t> phi_;
};

// probe: scores = training users per item; update() refits and reports `incremental` as given,
// recording the work_dir it received.
std::vector<std::string>& probe_work_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

class Probe final : public Algorithm {
 public:
  explicit Probe(bool incremental) : incremental_(incremental) {}
  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    phi_ = context.train.item_user_counts();
  }
  UpdateResult update(const UpdateContext& context) override {
    probe_work_dirs().push_back(context.fit.work_dir.string());
    fit(context.fit);
    return {incremental_, incremental_ ? "incremental: probe" : "refit: probe"};
  }
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u)
      for (size_t i = 0; i < n; ++i) out[u * n + i] = static_cast<float>(phi_[i]);
  }

 private:
  bool incremental_;
  std::vector<int32_t> phi_;
};

const Registries& update_registries() {
  static const Registries* registries = [] {
    auto* r = new Registries;
    register_metrics(*r);
    register_random(*r);
    r->algorithms.add({"cooccur", "test-only co-occurrence scores", {},
                       [](const Params&) { return std::make_unique<Cooccur>(); }});
    r->algorithms.add({"popular", "test-only popularity", {},
                       [](const Params&) { return std::make_unique<Popular>(); }});
    r->algorithms.add({"probe", "test-only popularity with a reported update",
                       {ParamSpec::boolean("incremental", false, "what update() reports")},
                       [](const Params& p) { return std::make_unique<Probe>(p.boolean("incremental")); }});
    register_hybrids(*r);
    register_rerank(*r);
    return r;
  }();
  return *registries;
}

std::unique_ptr<Algorithm> make(const std::string& name, const std::string& yaml) {
  const auto& entry = update_registries().algorithms.at(name);
  return entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "algorithms[0]"));
}

// 6 users x 8 items. `added` moves u3 from 1 to 3 training items and item 5 from 1 to 2 users.
struct ReplayFixture {
  static constexpr int32_t kUsers = 6, kItems = 8;
  std::vector<std::pair<int32_t, int32_t>> before{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 3}, {2, 1},
                                                  {2, 2}, {2, 4}, {3, 5}, {4, 3}, {4, 6}, {5, 2}, {5, 7}};
  std::vector<std::pair<int32_t, int32_t>> new_pairs{{3, 0}, {3, 1}, {5, 4}, {4, 5}};
  InteractionLog added_log = log_of(new_pairs);
  Interactions previous = Interactions(log_of(before), kUsers, kItems);
  Interactions all = Interactions(log_of(concat(before, new_pairs)), kUsers, kItems);
  Interactions validation = Interactions(log_of({{0, 5}, {1, 4}, {2, 0}, {4, 7}, {5, 6}}), kUsers, kItems);
  ItemContent content{kItems};

  static InteractionLog log_of(const std::vector<std::pair<int32_t, int32_t>>& pairs) {
    InteractionLog log;
    for (const auto& [u, i] : pairs) log.push(u, i, 1.0f);
    return log;
  }
  static std::vector<std::pair<int32_t, int32_t>> concat(std::vector<std::pair<int32_t, int32_t>> a,
                                                         const std::vector<std::pair<int32_t, int32_t>>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  FitContext context(const Interactions& train, bool with_validation, std::filesystem::path work_dir = {}) const {
    return FitContext{train, content, with_validation ? &validation : nullptr, 5, 1, Device::Cpu, &Logger::null(),
                      std::move(work_dir)};
  }
};

std::vector<float> all_scores(const Algorithm& a) {
  std::vector<int32_t> users(ReplayFixture::kUsers);
  for (int32_t u = 0; u < ReplayFixture::kUsers; ++u) users[static_cast<size_t>(u)] = u;
  std::vector<float> out(users.size() * static_cast<size_t>(a.num_items()));
  a.score(users, out);
  return out;
}

// Fits `name` on previous, updates it with added, and checks it scores exactly as a fresh fit on
// the union (and that the update changed the scores, so the check is not vacuous).
UpdateResult expect_update_equals_refit(const std::string& name, const std::string& yaml, bool with_validation) {
  ReplayFixture f;
  auto updated = make(name, yaml);
  updated->fit(f.context(f.previous, with_validation));
  const auto before = all_scores(*updated);
  const auto fit = f.context(f.all, with_validation);
  const auto result = updated->update(UpdateContext{fit, f.previous, f.added_log});
  auto fresh = make(name, yaml);
  fresh->fit(f.context(f.all, with_validation));
  const auto after = all_scores(*updated);
  const auto expected = all_scores(*fresh);
  EXPECT_EQ(after, expected) << name << " " << yaml;
  EXPECT_NE(after, before) << name << " " << yaml << ": the added interactions changed nothing";
  return result;
}

TEST(HybridUpdate, ComponentsReportEachUpdateAndGetTheirOwnWorkDir) {
  ReplayFixture f;
  for (const bool second_incremental : {false, true}) {
    auto a = make("weighted", fmt::format("{{components: [{{name: probe, label: p1, incremental: true}}, "
                                          "{{name: probe, label: p2, incremental: {}}}], alpha: [0.5, 0.5]}}",
                                          second_incremental));
    a->fit(f.context(f.previous, false, "/tmp/run/work"));
    probe_work_dirs().clear();
    const auto fit = f.context(f.all, false, "/tmp/run/work");
    const auto result = a->update(UpdateContext{fit, f.previous, f.added_log});
    EXPECT_EQ(probe_work_dirs(), (std::vector<std::string>{"/tmp/run/work/p1", "/tmp/run/work/p2"}));
    EXPECT_EQ(result.incremental, second_incremental);  // incremental only when every component is
    EXPECT_EQ(result.how, fmt::format("components: p1: incremental: probe; p2: {}: probe; alpha [0.5, 0.5] fixed",
                                      second_incremental ? "incremental" : "refit"));
  }
}

TEST(HybridUpdate, WeightedWithFixedAlphaEqualsAFreshFit) {
  const auto result = expect_update_equals_refit(
      "weighted", "{components: [cooccur, popular, random], alpha: [0.5, 0.3, 0.2]}", false);
  EXPECT_FALSE(result.incremental);  // every component refits
  EXPECT_EQ(result.how, "components: cooccur: refit: no incremental update for this algorithm; popular: refit: no "
                        "incremental update for this algorithm; random: refit: no incremental update for this "
                        "algorithm; alpha [0.5, 0.3, 0.2] fixed");
  expect_update_equals_refit("weighted", "{components: [cooccur, popular], alpha: [0.7, 0.3], normalization: zscore}",
                             false);
}

TEST(HybridUpdate, WeightedWithTunedAlphaKeepsIt) {
  ReplayFixture f;
  const std::string components = "components: [cooccur, popular]";
  auto tuned = make("weighted", "{" + components + ", alpha: auto, tune_grid: 0.25}");
  tuned->fit(f.context(f.previous, true));
  const auto alpha = dynamic_cast<WeightedHybrid&>(*tuned).alpha();
  const auto fit = f.context(f.all, true);
  const auto result = tuned->update(UpdateContext{fit, f.previous, f.added_log});
  EXPECT_EQ(dynamic_cast<WeightedHybrid&>(*tuned).alpha(), alpha);
  EXPECT_NE(result.how.find("not re-tuned"), std::string::npos) << result.how;
  // Same scores as a fresh fit on the union with alpha fixed at the tuned value.
  auto fixed = make("weighted", fmt::format("{{{}, alpha: [{}, {}]}}", components, alpha[0], alpha[1]));
  fixed->fit(f.context(f.all, false));
  EXPECT_EQ(all_scores(*tuned), all_scores(*fixed));
}

TEST(HybridUpdate, BayesianRecomputesThePosteriors) {
  ReplayFixture f;
  const std::string yaml = "{components: [cooccur, popular], temperature: 0.5, buckets: [2, 100]}";
  expect_update_equals_refit("bayesian", yaml, true);
  // The posteriors themselves match a fresh fit's (they depend on the updated components and train).
  auto updated = make("bayesian", yaml);
  updated->fit(f.context(f.previous, true));
  const auto fit = f.context(f.all, true);
  const auto result = updated->update(UpdateContext{fit, f.previous, f.added_log});
  EXPECT_NE(result.how.find("posteriors recomputed"), std::string::npos) << result.how;
  auto fresh = make("bayesian", yaml);
  fresh->fit(f.context(f.all, true));
  const auto& u = dynamic_cast<BayesianHybrid&>(*updated);
  const auto& r = dynamic_cast<BayesianHybrid&>(*fresh);
  for (int32_t user = 0; user < ReplayFixture::kUsers; ++user) {
    const auto a = u.posterior(user), b = r.posterior(user);
    EXPECT_EQ(std::vector<double>(a.begin(), a.end()), std::vector<double>(b.begin(), b.end())) << "user " << user;
  }
  ASSERT_EQ(u.bucket_posteriors().size(), r.bucket_posteriors().size());
  for (size_t b = 0; b < u.bucket_posteriors().size(); ++b) {
    EXPECT_EQ(u.bucket_posteriors()[b].users, r.bucket_posteriors()[b].users) << "bucket " << b;
    EXPECT_EQ(u.bucket_posteriors()[b].mean_weight, r.bucket_posteriors()[b].mean_weight) << "bucket " << b;
  }
  // Without a validation carve-out every user keeps the prior.
  expect_update_equals_refit("bayesian", "{components: [cooccur, popular], prior: [1, 3]}", false);
}

TEST(HybridUpdate, SwitchingRecountsAfterTheUpdate) {
  // by user, threshold 2: u3 had 1 training item (first component) and has 3 after the update.
  auto result = expect_update_equals_refit("switching", "{components: [popular, cooccur], threshold: 2}", false);
  EXPECT_NE(result.how.find("recomputed"), std::string::npos) << result.how;
  // by item, threshold 2: item 5 had 1 training user and has 2 after the update.
  expect_update_equals_refit("switching", "{components: [popular, cooccur], threshold: 2, by: item}", false);
  // Only the switch changes: the components are random (train-independent), so the update changes
  // u3's row purely because u3 now uses the second component.
  ReplayFixture f;
  auto a = make("switching", "{components: [random, {name: cooccur, label: cf}], threshold: 2}");
  a->fit(f.context(f.previous, false));
  const auto fit = f.context(f.all, false);
  a->update(UpdateContext{fit, f.previous, f.added_log});
  auto cf = make("cooccur", "{}");
  cf->fit(f.context(f.all, false));
  std::vector<float> row(ReplayFixture::kItems);
  const int32_t u3 = 3;
  cf->score(std::span<const int32_t>(&u3, 1), row);
  normalize_row(row, Normalization::MinMax);
  std::vector<float> got(ReplayFixture::kItems);
  a->score(std::span<const int32_t>(&u3, 1), got);
  EXPECT_EQ(got, row);
}

TEST(HybridUpdate, RerankUpdatesItsBaseAndPopularity) {
  for (const std::string method : {"popularity_penalty", "xquad", "calibrated_popularity"}) {
    const auto result = expect_update_equals_refit(
        "rerank", "{base: {name: cooccur, label: cf}, method: " + method + ", lambda: 0.5, candidates: 5}", false);
    // The base's own report is passed on: what cooccur's update says on the same data.
    ReplayFixture f;
    auto base = make("cooccur", "{}");
    base->fit(f.context(f.previous, false));
    const auto fit = f.context(f.all, false);
    const auto own = base->update(UpdateContext{fit, f.previous, f.added_log});
    EXPECT_EQ(result.incremental, own.incremental);
    EXPECT_EQ(result.how.rfind("base cf: " + own.how + "; ", 0), 0u) << result.how;
  }
}

}  // namespace
}  // namespace tailrec
