// Hybrids (weighted, bayesian, switching) against hand-computed values: the per-user
// normalisations, a weighted blend, alpha: auto on a constructed validation set, a Bayesian
// posterior computed by hand, the activity-bucket fallback, switching thresholds, and the
// errors of nested component configs. Components are a test-only `table` algorithm whose scores
// are given in its parameters, so every expected value can be written down.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "algorithms/hybrid/bayesian_hybrid.hpp"
#include "algorithms/hybrid/hybrid.hpp"
#include "algorithms/hybrid/score_normalization.hpp"
#include "algorithms/hybrid/weighted_hybrid.hpp"
#include "algorithms/register_algorithms.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "unit/algorithms/algorithm_test_support.hpp"

namespace tailrec {
namespace {

// Registries of this test: metrics, the baselines, `table` and the hybrids.
const Registries& test_registries() {
  static const Registries* registries = [] {
    auto* r = new Registries;
    register_metrics(*r);
    register_most_popular(*r);
    register_random(*r);
    test::register_table_scores(*r);
    register_hybrids(*r);
    return r;
  }();
  return *registries;
}

std::unique_ptr<Algorithm> make(const std::string& name, const std::string& yaml) {
  const auto& entry = test_registries().algorithms.at(name);
  return entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "algorithms[0]"));
}

Interactions interactions(int32_t users, int32_t items, const std::vector<std::pair<int32_t, int32_t>>& pairs) {
  InteractionLog log;
  for (const auto& [u, i] : pairs) log.push(u, i, 1.0f);
  return Interactions(log, users, items);
}

void fit(Algorithm& a, const Interactions& train, const Interactions* validation, int threads = 1) {
  const ItemContent content(train.num_items());
  a.fit(FitContext{train, content, validation, 5, threads, Device::Cpu, &Logger::null(), {}});
}

std::vector<float> score_users(const Algorithm& a, std::vector<int32_t> users) {
  std::vector<float> out(users.size() * static_cast<size_t>(a.num_items()));
  a.score(users, out);
  return out;
}

void expect_near(const std::vector<float>& actual, const std::vector<double>& expected, double tol = 1e-5) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tol) << "at " << i;
}

std::vector<float> normalized(std::vector<float> row, Normalization n) {
  normalize_row(row, n);
  return row;
}

std::string error_of(const std::string& name, const std::string& yaml) {
  try {
    make(name, yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// --- normalisations ---------------------------------------------------------------------------

TEST(HybridNormalization, HandMadeRows) {
  const std::vector<float> row{1, 3, 2, 3};
  // minmax: min 1, max 3 -> (s - 1) / 2.
  expect_near(normalized(row, Normalization::MinMax), {0, 1, 0.5, 1});
  // zscore: mean 9/4 = 2.25; squared deviations 1.5625 + 0.5625 + 0.0625 + 0.5625 = 2.75;
  // population std sqrt(2.75 / 4) = 0.8291562 -> (-1.25, 0.75, -0.25, 0.75) / 0.8291562.
  expect_near(normalized(row, Normalization::ZScore), {-1.5075567, 0.9045340, -0.3015113, 0.9045340});
  // rank: items 1 and 3 (3) share ranks 0 and 1 -> 0.5, item2 rank 2, item0 rank 3; 1 - rank / 3.
  expect_near(normalized(row, Normalization::Rank), {0, 1 - 0.5 / 3, 1.0 / 3, 1 - 0.5 / 3});
  expect_near(normalized(row, Normalization::None), {1, 3, 2, 3});
}

TEST(HybridNormalization, DegenerateRows) {
  const std::vector<float> constant{2, 2, 2};
  expect_near(normalized(constant, Normalization::MinMax), {0, 0, 0});  // max == min -> 0
  expect_near(normalized(constant, Normalization::ZScore), {0, 0, 0});  // std == 0 -> 0
  expect_near(normalized(constant, Normalization::Rank), {0.5, 0.5, 0.5});  // ties share their mean rank
  expect_near(normalized({7}, Normalization::Rank), {1});
  // -inf becomes the lowest finite score (1): minmax over {1, 1, 3} -> (0, 0, 1).
  expect_near(normalized({-INFINITY, 1, 3}, Normalization::MinMax), {0, 0, 1});
}

// --- weighted ---------------------------------------------------------------------------------

// 2 users x 3 items. A: u0 (0, 5, 10), u1 (1, 1, 4); B: u0 (3, 1, 2), u1 (0, 2, 1).
const char* kTwoTables = "[{name: table, label: a, scores: [0, 5, 10, 1, 1, 4]}, "
                         "{name: table, label: b, scores: [3, 1, 2, 0, 2, 1]}]";

TEST(WeightedHybrid, HandComputedBlend) {
  const auto train = interactions(2, 3, {{0, 0}, {1, 2}});
  auto a = make("weighted", std::string("{components: ") + kTwoTables + ", alpha: [0.25, 0.75]}");
  fit(*a, train, nullptr);
  // minmax: A u0 (0, 0.5, 1), u1 (0, 0, 1); B u0 (1, 0, 0.5), u1 (0, 1, 0.5).
  // u0: 0.25 (0, 0.5, 1) + 0.75 (1, 0, 0.5) = (0.75, 0.125, 0.625)
  // u1: 0.25 (0, 0, 1) + 0.75 (0, 1, 0.5) = (0, 0.75, 0.625)
  expect_near(score_users(*a, {0, 1}), {0.75, 0.125, 0.625, 0, 0.75, 0.625});
  // Block and single-user scores agree.
  expect_near(score_users(*a, {1}), {0, 0.75, 0.625});
}

TEST(WeightedHybrid, DefaultAlphaIsEqualWeightsAndRankNormalization) {
  const auto train = interactions(2, 3, {{0, 0}, {1, 2}});
  auto a = make("weighted", std::string("{components: ") + kTwoTables + ", normalization: rank}");
  fit(*a, train, nullptr);
  EXPECT_EQ(dynamic_cast<WeightedHybrid&>(*a).alpha(), (std::vector<double>{0.5, 0.5}));
  // rank, u0: A (0, 5, 10) -> (0, 0.5, 1); B (3, 1, 2) -> (1, 0, 0.5); mean (0.5, 0.25, 0.75).
  expect_near(score_users(*a, {0}), {0.5, 0.25, 0.75});
}

// A blend ranks cold users (and scores cold items) only through components it actually blends: a
// component of weight 0 is skipped by combine(), so it cannot lend its information.
TEST(WeightedHybrid, ColdUserAndItemInformationComesFromWeightedComponentsOnly) {
  const std::string table = "{name: table, scores: [0, 5, 10, 1, 1, 4]}";
  EXPECT_TRUE(make("weighted", "{components: [" + table + ", random]}")->ranks_cold_users());
  EXPECT_TRUE(make("weighted", "{components: [" + table + ", random]}")->scores_cold_items());
  EXPECT_FALSE(make("weighted", "{components: [" + table + ", random], alpha: [1, 0]}")->ranks_cold_users());
  EXPECT_FALSE(make("weighted", "{components: [" + table + ", random], alpha: [1, 0]}")->scores_cold_items());
  EXPECT_FALSE(make("weighted", "{components: [" + table + ", most_popular]}")->scores_cold_items());
  EXPECT_TRUE(make("weighted", "{components: [" + table + ", most_popular]}")->ranks_cold_users());
}

TEST(WeightedHybrid, SimplexGridOrder) {
  EXPECT_EQ(simplex_grid(2, 0.5), (std::vector<std::vector<double>>{{0, 1}, {0.5, 0.5}, {1, 0}}));
  EXPECT_EQ(simplex_grid(3, 0.5), (std::vector<std::vector<double>>{
                                      {0, 0, 1}, {0, 0.5, 0.5}, {0, 1, 0}, {0.5, 0, 0.5}, {0.5, 0.5, 0}, {1, 0, 0}}));
  EXPECT_EQ(simplex_grid(2, 0.1).size(), 11u);
  EXPECT_EQ(simplex_grid(3, 0.1).size(), 66u);  // C(12, 2)
  EXPECT_THROW(simplex_grid(2, 0.3), Error);    // 1 / 0.3 is not an integer
}

// 3 users x 6 items; each user has 2 training items and 2 validation items. The oracle scores
// exactly the validation items 1 (others 0); `reversed` scores 1 - oracle.
struct AutoFixture {
  Interactions train = interactions(3, 6, {{0, 0}, {0, 1}, {1, 2}, {1, 3}, {2, 4}, {2, 5}});
  Interactions validation = interactions(3, 6, {{0, 4}, {0, 5}, {1, 0}, {1, 1}, {2, 2}, {2, 3}});
  std::string components() const {
    std::vector<double> oracle(18, 0.0);
    for (int32_t u = 0; u < 3; ++u)
      for (int32_t i : validation.items_of(u)) oracle[static_cast<size_t>(u * 6 + i)] = 1;
    std::string o, r;
    for (double v : oracle) o += fmt::format("{}{}", o.empty() ? "" : ", ", v), r += fmt::format("{}{}", r.empty() ? "" : ", ", 1 - v);
    return "[{name: table, label: oracle, scores: [" + o + "]}, {name: table, label: reversed, scores: [" + r + "]}]";
  }
};

TEST(WeightedHybrid, AutoAlphaPicksTheOracle) {
  AutoFixture f;
  auto a = make("weighted", "{components: " + f.components() + ", alpha: auto}");
  fit(*a, f.train, &f.validation, 2);
  const auto& w = dynamic_cast<WeightedHybrid&>(*a);
  // Blend = a2 + (a1 - a2) * oracle: validation items on top iff a1 > a2 (ndcg@10 = 1). Grid order
  // is (0, 1), (0.1, 0.9), ..., (1, 0); the first with a1 > a2 is (0.6, 0.4): ties keep the first.
  ASSERT_EQ(w.tune_trace().size(), 11u);
  EXPECT_NEAR(w.alpha()[0], 0.6, 1e-12);
  EXPECT_NEAR(w.alpha()[1], 0.4, 1e-12);
  for (size_t g = 6; g < 11; ++g) EXPECT_DOUBLE_EQ(w.tune_trace()[g].value, 1.0) << g;
  // a1 < a2: the 2 validation items rank last of the 4 candidates (positions 3 and 4):
  // DCG = 1/log2(4) + 1/log2(5) = 0.5 + 0.4306766; IDCG = 1 + 1/log2(3) = 1.6309298 -> 0.5706417.
  for (size_t g = 0; g < 5; ++g) EXPECT_NEAR(w.tune_trace()[g].value, 0.5706417, 1e-6) << g;
  // The same fit on one thread chooses the same.
  auto b = make("weighted", "{components: " + f.components() + ", alpha: auto}");
  fit(*b, f.train, &f.validation, 1);
  EXPECT_EQ(dynamic_cast<WeightedHybrid&>(*b).alpha(), w.alpha());
}

TEST(WeightedHybrid, AutoAlphaNeedsValidation) {
  AutoFixture f;
  auto a = make("weighted", "{components: " + f.components() + ", alpha: auto}");
  try {
    fit(*a, f.train, nullptr);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config key 'algorithms[0].alpha' (inline): alpha: auto needs a validation "
                                         "carve-out: set split.validation=0.1"),
              std::string::npos)
        << e.what();
  }
}

TEST(WeightedHybrid, BadParameters) {
  const std::string c = std::string("{components: ") + kTwoTables;
  EXPECT_NE(error_of("weighted", c + ", alpha: [1]}").find("1 weights given for 2 components"), std::string::npos);
  EXPECT_NE(error_of("weighted", c + ", alpha: [1, -1]}").find("not a number >= 0"), std::string::npos);
  EXPECT_NE(error_of("weighted", c + ", alpha: best}").find("algorithms[0].alpha"), std::string::npos);
  EXPECT_NE(error_of("weighted", c + ", tune_metric: ndgc@10}").find("did you mean 'ndcg'"), std::string::npos);
  EXPECT_NE(error_of("weighted", c + ", tune_grid: 0.3}").find("1/tune_grid an integer"), std::string::npos);
  EXPECT_NE(error_of("weighted", "{components: [most_popular]}").find("1 components given, 2 to 64 needed"),
            std::string::npos);
}

// --- nested component configs -------------------------------------------------------------------

TEST(HybridComponents, UnknownNameGivesDidYouMean) {
  const auto error = error_of("weighted", "{components: [most_popular, most_populr]}");
  EXPECT_NE(error.find("config key 'algorithms[0].components[1]'"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown algorithm 'most_populr'"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean 'most_popular'"), std::string::npos) << error;
}

TEST(HybridComponents, UnknownNestedParameter) {
  const auto error = error_of("bayesian", "{components: [random, {name: table, scorez: [1]}]}");
  EXPECT_NE(error.find("config key 'algorithms[0].components[1].scorez'"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown parameter 'scorez'"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean 'scores'"), std::string::npos) << error;
}

TEST(HybridComponents, ShapeErrors) {
  EXPECT_NE(error_of("switching", "{components: [random, most_popular, random]}").find("exactly 2 needed"),
            std::string::npos);
  const auto not_a_list = error_of("weighted", "{components: random}");
  EXPECT_NE(not_a_list.find("config key 'algorithms[0].components'"), std::string::npos) << not_a_list;
  EXPECT_NE(not_a_list.find("expected a list of algorithms"), std::string::npos) << not_a_list;
  const auto no_name = error_of("weighted", "{components: [random, {k: 3}]}");
  EXPECT_NE(no_name.find("a registered name or a map {name: ..., <params>}, got {k: 3}"), std::string::npos) << no_name;
  EXPECT_NE(error_of("weighted", "{components: [random]}").find("1 components given, 2 to 64 needed"),
            std::string::npos);
  EXPECT_NE(error_of("weighted", "{components: [random, random]}").find("label 'random' is used twice"),
            std::string::npos);
  // A label makes the same algorithm twice fine; a hybrid may nest another hybrid.
  EXPECT_NO_THROW(make("weighted", "{components: [random, {name: random, label: again}]}"));
  EXPECT_NO_THROW(make("switching", "{components: [most_popular, {name: weighted, components: [random, most_popular]}]}"));
}

// --- bayesian -----------------------------------------------------------------------------------

// 1 user x 3 items; item 0 is in train, item 1 is the validation item; candidates C = {1, 2}.
//   A = (5, 2, 0): z over C = (2, 0): P(V|A) = e^2 / (e^2 + e^0) = 7.389056 / 8.389056 = 0.8807971
//   B = (0, 0, 1): z over C = (0, 1): P(V|B) = 1 / (1 + e) = 0.2689414
// Uniform prior: P(A|R) = 0.8807971 / (0.8807971 + 0.2689414) = 0.7660847, P(B|R) = 0.2339153.
// Scores (normalization none): 0.7660847 (5, 2, 0) + 0.2339153 (0, 0, 1) = (3.830424, 1.532169, 0.233915).
const char* kPosteriorComponents = "[{name: table, label: a, scores: [5, 2, 0]}, {name: table, label: b, scores: [0, 0, 1]}]";

TEST(BayesianHybrid, PosteriorByHand) {
  const auto train = interactions(1, 3, {{0, 0}});
  const auto validation = interactions(1, 3, {{0, 1}});
  auto a = make("bayesian", std::string("{normalization: none, temperature: 1.0, components: ") + kPosteriorComponents + "}");
  fit(*a, train, &validation);
  const auto& b = dynamic_cast<BayesianHybrid&>(*a);
  EXPECT_NEAR(b.posterior(0)[0], 0.7660847, 1e-6);
  EXPECT_NEAR(b.posterior(0)[1], 0.2339153, 1e-6);
  expect_near(score_users(*a, {0}), {3.830424, 1.532169, 0.233915});
}

TEST(BayesianHybrid, PriorAndTemperature) {
  const auto train = interactions(1, 3, {{0, 0}});
  const auto validation = interactions(1, 3, {{0, 1}});
  // prior (1, 3) -> (0.25, 0.75): 0.25 * 0.8807971 = 0.2201993, 0.75 * 0.2689414 = 0.2017061;
  // P(A|R) = 0.2201993 / 0.4219053 = 0.5219163.
  auto a = make("bayesian", std::string("{normalization: none, prior: [1, 3], components: ") + kPosteriorComponents + "}");
  fit(*a, train, &validation);
  EXPECT_NEAR(dynamic_cast<BayesianHybrid&>(*a).posterior(0)[0], 0.5219163, 1e-6);
  // T = 2: A z = (1, 0): e / (e + 1) = 0.7310586; B z = (0, 0.5): 1 / (1 + e^0.5) = 0.3775407;
  // P(A|R) = 0.7310586 / 1.1085992 = 0.6594435.
  auto t = make("bayesian", std::string("{normalization: none, temperature: 2, components: ") + kPosteriorComponents + "}");
  fit(*t, train, &validation);
  EXPECT_NEAR(dynamic_cast<BayesianHybrid&>(*t).posterior(0)[0], 0.6594435, 1e-6);
}

// 5 users x 4 items, buckets [1, 3, 10] -> 0-1, 2-3, 4+.
//   u0: 1 training item, validation {3}     u1: 1 training item, no validation
//   u2: 3 training items, validation {3}    u3: 2 training items, no validation
//   u4: 4 training items (the catalog), no validation; bucket 4+ has no validation user.
// A scores item 3 high for every user, B scores item 3 low, so P(A|R) > 0.5 where observed.
TEST(BayesianHybrid, BucketFallback) {
  const auto train = interactions(5, 4, {{0, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 2}, {3, 0}, {3, 1}, {4, 0}, {4, 1}, {4, 2}, {4, 3}});
  const auto validation = interactions(5, 4, {{0, 3}, {2, 3}});
  const std::string components =
      "[{name: table, label: a, scores: [0, 1, 0, 3,  0, 0, 0, 0,  0, 0, 0, 2,  0, 0, 0, 0,  0, 0, 0, 0]},"
      " {name: table, label: b, scores: [0, 0, 2, 0,  0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0]}]";
  auto a = make("bayesian", "{normalization: none, buckets: [1, 3, 10], components: " + components + "}");
  fit(*a, train, &validation, 3);
  const auto& b = dynamic_cast<BayesianHybrid&>(*a);
  // u0: C = {1, 2, 3}. A z = (1, 0, 3): P = e^3 / (e + 1 + e^3) = 20.085537 / 23.803819 = 0.8437947;
  //     B z = (0, 2, 0): P = 1 / (1 + e^2 + 1) = 1 / 9.389056 = 0.1065070; P(A|R) = 0.8437947 / 0.9503017 = 0.8879230.
  // u2: C = {3}: every model gives P = 1, so the posterior is the prior (0.5, 0.5).
  EXPECT_NEAR(b.posterior(0)[0], 0.8879230, 1e-6);
  EXPECT_NEAR(b.posterior(2)[0], 0.5, 1e-12);
  EXPECT_EQ(b.posterior(1)[0], b.posterior(0)[0]);  // bucket 0-1 mean = u0's posterior
  EXPECT_EQ(b.posterior(3)[0], b.posterior(2)[0]);  // bucket 2-3 mean = u2's posterior
  // Bucket 4+ has no validation user: the mean over all validation users (0.8879230 + 0.5) / 2 = 0.6939615.
  EXPECT_NEAR(b.posterior(4)[0], 0.6939615, 1e-6);
  const auto& buckets = b.bucket_posteriors();
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0].users, 2);
  EXPECT_EQ(buckets[0].validation_users, 1);
  EXPECT_EQ(buckets[1].users, 2);
  EXPECT_EQ(buckets[2].users, 1);
  EXPECT_EQ(buckets[2].validation_users, 0);
  EXPECT_EQ(buckets[2].source, "all validation users");
  EXPECT_NE(b.bucket_table().find("w(a)"), std::string::npos);
  // Any thread count gives the same posteriors.
  auto one = make("bayesian", "{normalization: none, buckets: [1, 3, 10], components: " + components + "}");
  fit(*one, train, &validation, 1);
  for (int32_t u = 0; u < 5; ++u)
    EXPECT_EQ(dynamic_cast<BayesianHybrid&>(*one).posterior(u)[0], b.posterior(u)[0]) << u;

  // Without a validation carve-out every user gets the prior (here (0.2, 0.8)).
  auto p = make("bayesian", "{normalization: none, prior: [1, 4], buckets: [1, 3, 10], components: " + components + "}");
  fit(*p, train, nullptr);
  const auto& q = dynamic_cast<BayesianHybrid&>(*p);
  for (int32_t u = 0; u < 5; ++u) EXPECT_NEAR(q.posterior(u)[0], 0.2, 1e-12);
  EXPECT_EQ(q.bucket_posteriors()[0].source, "prior");
}

TEST(BayesianHybrid, BadParameters) {
  const std::string c = std::string("{components: ") + kPosteriorComponents;
  EXPECT_NE(error_of("bayesian", c + ", prior: [1]}").find("1 prior weights given for 2 components"), std::string::npos);
  EXPECT_NE(error_of("bayesian", c + ", prior: [1, 0]}").find("must be > 0"), std::string::npos);
  EXPECT_NE(error_of("bayesian", c + ", temperature: 0}").find("must be > 0"), std::string::npos);
  EXPECT_NE(error_of("bayesian", c + ", buckets: [5, 5]}").find("strictly increasing"), std::string::npos);
}

// --- switching ----------------------------------------------------------------------------------

// 3 users x 3 items; training counts: u0 1, u1 2, u2 3; item counts: i0 3, i1 2, i2 1.
// Content C: every user (0, 1, 2) -> minmax (0, 0.5, 1). CF F: every user (4, 0, 2) -> (1, 0, 0.5).
struct SwitchFixture {
  Interactions train = interactions(3, 3, {{0, 0}, {1, 0}, {1, 1}, {2, 0}, {2, 1}, {2, 2}});
  std::string components = "[{name: table, label: content, scores: [0, 1, 2, 0, 1, 2, 0, 1, 2]},"
                           " {name: table, label: cf, scores: [4, 0, 2, 4, 0, 2, 4, 0, 2]}]";
};

TEST(SwitchingHybrid, ByUserThreshold) {
  SwitchFixture f;
  auto a = make("switching", "{threshold: 2, components: " + f.components + "}");
  fit(*a, f.train, nullptr);
  // u0 has 1 < 2 interactions -> content; u1 (2) and u2 (3) -> cf.
  expect_near(score_users(*a, {0, 1, 2}), {0, 0.5, 1, 1, 0, 0.5, 1, 0, 0.5});
  expect_near(score_users(*a, {1, 0}), {1, 0, 0.5, 0, 0.5, 1});  // any block order
  auto b = make("switching", "{threshold: 3, components: " + f.components + "}");
  fit(*b, f.train, nullptr);
  expect_near(score_users(*b, {1, 2}), {0, 0.5, 1, 1, 0, 0.5});  // u1 (2 < 3) now content
}

TEST(SwitchingHybrid, ByItemThreshold) {
  SwitchFixture f;
  auto a = make("switching", "{threshold: 2, by: item, components: " + f.components + "}");
  fit(*a, f.train, nullptr);
  // i2 has 1 < 2 training users -> content 1; i0, i1 -> cf (1, 0).
  expect_near(score_users(*a, {0}), {1, 0, 1});
  auto b = make("switching", "{threshold: 3, by: item, components: " + f.components + "}");
  fit(*b, f.train, nullptr);
  // i1 (2) and i2 (1) -> content (0.5, 1); i0 (3) -> cf 1.
  expect_near(score_users(*b, {2}), {1, 0.5, 1});
}

// --- with the real registries ---------------------------------------------------------------------

TEST(HybridRegistered, DefaultsBuildWithTheProgramRegistries) {
  for (const char* name : {"weighted", "bayesian", "switching"}) {
    const auto& entry = registries().algorithms.at(name);
    EXPECT_NO_THROW(entry.create(Params::defaults(entry.params))) << name;
  }
}

}  // namespace
}  // namespace tailrec
