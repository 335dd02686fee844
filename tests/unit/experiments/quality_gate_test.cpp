// Baselines of `tailrec check`: the tolerance rule and the comparison on hand-made numbers (means
// and sample standard deviations worked out by hand in the comments), the protocol hash against an
// independent FNV-1a, the YAML round trip, and the errors for damaged files.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>

#include <gtest/gtest.h>

#include "experiments/quality_gate.hpp"
#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

using testing::TempDir;

const double kNaN = std::numeric_limits<double>::quiet_NaN();

MetricRecord record(double mean, double std, std::vector<double> values) { return {mean, std, std::move(values)}; }

// A small baseline: one algorithm, two metrics over three seeds.
Baseline hand_made() {
  Baseline b;
  b.name = "unit";
  b.description = "a hand-made baseline";
  b.overrides = {"algorithms=[user_knn]", "run.threads=2"};
  b.seeds = {42, 43, 44};
  b.setup = {{"dataset", {{"name", "toy"}, {"hash", "00aa"}, {"users", 3}, {"items", 4}, {"interactions", 7}}},
             {"split", {{"name", "random_holdout"}, {"params", {{"name", "random_holdout"}, {"ratio", 0.2}}}, {"validation", 0.0}}},
             {"protocol", {{"name", "full"}}},
             {"metric_settings", {{"k", 10}, {"relevance_threshold", nullptr}, {"long_tail", "pareto(share=0.8)"}}},
             {"evaluate_on", "test"}};
  b.protocol_hash = setup_hash(b.setup);
  for (const uint64_t seed : b.seeds)
    b.per_seed[seed] = {{"split_hash", "h" + std::to_string(seed)}, {"evaluated_cases", 3}};
  AlgorithmRecord a;
  a.name = "user_knn";
  a.params = {{"k", 50}, {"similarity", "cosine"}};
  // values 0.30, 0.32, 0.34: mean 0.32; deviations -0.02, 0, 0.02; sample variance 0.0008 / 2 = 0.0004; std 0.02.
  a.metrics["ndcg@10"] = record(0.32, 0.02, {0.30, 0.32, 0.34});
  // values all 0.5: mean 0.5, std 0.
  a.metrics["coverage@10"] = record(0.5, 0.0, {0.5, 0.5, 0.5});
  b.algorithms["user_knn"] = a;
  return b;
}

const MetricComparison& row(const Comparison& c, const std::string& label, const std::string& metric) {
  for (const auto& m : c.metrics)
    if (m.label == label && m.metric == metric) return m;
  throw std::runtime_error("no row " + label + " " + metric);
}

TEST(Baseline, ToleranceIsTheLargerOfFloorAndZStd) {
  EXPECT_DOUBLE_EQ(allowed_difference({3, 0.005}, 0.001), 0.005);  // 3 * 0.001 = 0.003 < floor
  EXPECT_DOUBLE_EQ(allowed_difference({3, 0.005}, 0.01), 0.03);    // 3 * 0.01 = 0.03 > floor
  EXPECT_DOUBLE_EQ(allowed_difference({2, 0}, 0), 0);
  EXPECT_DOUBLE_EQ(allowed_difference({3, 0.005}, kNaN), 0.005);   // no spread known: the floor
}

TEST(Baseline, ToleranceOverridesMetricThenAlgorithm) {
  ToleranceSettings t;
  t.metrics["coverage@10"] = {std::nullopt, 0.02};
  t.metrics["user_knn/coverage@10"] = {1.0, std::nullopt};
  const auto other = t.for_metric("item_knn", "coverage@10");
  EXPECT_EQ(other.z, 3);
  EXPECT_EQ(other.abs_floor, 0.02);
  const auto own = t.for_metric("user_knn", "coverage@10");
  EXPECT_EQ(own.z, 1.0);          // the algorithm's rule
  EXPECT_EQ(own.abs_floor, 0.02); // inherited from the metric's rule
  const auto plain = t.for_metric("user_knn", "ndcg@10");
  EXPECT_EQ(plain.z, 3);
  EXPECT_EQ(plain.abs_floor, 0.005);
}

TEST(Baseline, IdenticalRunsPass) {
  const auto b = hand_made();
  const auto c = compare_baseline(b, b);
  EXPECT_TRUE(c.passed());
  EXPECT_FALSE(c.protocol_changed());
  ASSERT_EQ(c.metrics.size(), 2u);
  for (const auto& m : c.metrics) {
    EXPECT_TRUE(m.passed);
    EXPECT_TRUE(m.identical);
  }
}

TEST(Baseline, MeanShiftAgainstZTimesStd) {
  const auto base = hand_made();
  auto now = base;
  // ndcg: allowed = max(0.005, 3 * 0.02) = 0.06. Values 0.35, 0.37, 0.39: mean 0.37, +0.05: passes.
  now.algorithms["user_knn"].metrics["ndcg@10"] = record(0.37, 0.02, {0.35, 0.37, 0.39});
  auto c = compare_baseline(base, now);
  EXPECT_TRUE(c.passed());
  EXPECT_NEAR(row(c, "user_knn", "ndcg@10").difference, 0.05, 1e-12);
  EXPECT_NEAR(row(c, "user_knn", "ndcg@10").allowed, 0.06, 1e-12);
  EXPECT_FALSE(row(c, "user_knn", "ndcg@10").identical);
  // Values 0.37, 0.39, 0.41: mean 0.39, +0.07 > 0.06: fails.
  now.algorithms["user_knn"].metrics["ndcg@10"] = record(0.39, 0.02, {0.37, 0.39, 0.41});
  c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_FALSE(row(c, "user_knn", "ndcg@10").passed);
  EXPECT_EQ(row(c, "user_knn", "ndcg@10").reason, "difference beyond tolerance");
  // A drop counts the same: mean 0.25, -0.07.
  now.algorithms["user_knn"].metrics["ndcg@10"] = record(0.25, 0.02, {0.23, 0.25, 0.27});
  EXPECT_FALSE(compare_baseline(base, now).passed());
}

TEST(Baseline, ZeroSpreadUsesTheFloor) {
  const auto base = hand_made();
  auto now = base;
  // coverage: std 0, allowed = 0.005. +0.004 passes, +0.006 fails.
  now.algorithms["user_knn"].metrics["coverage@10"] = record(0.504, 0.0, {0.504, 0.504, 0.504});
  EXPECT_TRUE(compare_baseline(base, now).passed());
  now.algorithms["user_knn"].metrics["coverage@10"] = record(0.506, 0.0, {0.506, 0.506, 0.506});
  const auto c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_NEAR(row(c, "user_knn", "coverage@10").allowed, 0.005, 1e-15);
  // A per-metric rule loosens it.
  auto loose = base;
  loose.tolerance.metrics["coverage@10"] = {std::nullopt, 0.01};
  EXPECT_TRUE(compare_baseline(loose, now).passed());
}

TEST(Baseline, UndefinedValues) {
  auto base = hand_made();
  base.algorithms["user_knn"].metrics["ndcg@10"] = record(kNaN, kNaN, {kNaN, kNaN, kNaN});
  EXPECT_TRUE(compare_baseline(base, base).passed());  // undefined then and now
  auto now = base;
  now.algorithms["user_knn"].metrics["ndcg@10"] = record(0.3, 0.0, {0.3, 0.3, 0.3});
  const auto c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_EQ(row(c, "user_knn", "ndcg@10").reason, "defined now, undefined in the baseline");
}

TEST(Baseline, MissingAndNewAlgorithmsAndMetricsFail) {
  const auto base = hand_made();
  auto now = base;
  now.algorithms["user_knn"].metrics.erase("coverage@10");
  auto c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_EQ(row(c, "user_knn", "coverage@10").reason, "metric missing now");

  now = base;
  now.algorithms["item_knn"] = base.algorithms.at("user_knn");
  now.algorithms["item_knn"].name = "item_knn";
  c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_EQ(row(c, "item_knn", "ndcg@10").reason, "new algorithm (not in the baseline)");

  now = base;
  now.algorithms.clear();
  c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_EQ(row(c, "user_knn", "ndcg@10").reason, "algorithm missing now");
}

TEST(Baseline, ParameterChangesAreNotes) {
  const auto base = hand_made();
  auto now = base;
  now.algorithms["user_knn"].params["k"] = 5;
  const auto c = compare_baseline(base, now);
  EXPECT_TRUE(c.passed());  // the metrics decide
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_EQ(c.notes[0], "user_knn: parameter k 50 -> 5");
}

// FNV-1a 64 of the length (8 bytes, little-endian) then the bytes: written out independently of
// framework/util/hashing.hpp.
std::string fnv1a_of_text(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  const auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(static_cast<uint64_t>(text.size()) >> (8 * i)));
  for (const char c : text) mix(static_cast<unsigned char>(c));
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

TEST(Baseline, ProtocolHashIsFnvOfCanonicalJson) {
  const nlohmann::json setup = {{"split", {{"ratio", 0.2}}}, {"dataset", {{"hash", "00aa"}}}};
  // nlohmann sorts object keys: the canonical text does not depend on insertion order.
  EXPECT_EQ(setup_hash(setup), fnv1a_of_text(R"({"dataset":{"hash":"00aa"},"split":{"ratio":0.2}})"));
  nlohmann::json reordered = nlohmann::json::object();
  reordered["split"]["ratio"] = 0.2;
  reordered["dataset"]["hash"] = "00aa";
  EXPECT_EQ(setup_hash(reordered), setup_hash(setup));
}

TEST(Baseline, ProtocolChangeNamesThePart) {
  const auto base = hand_made();
  auto now = base;
  now.setup["split"]["params"]["ratio"] = 0.3;
  now.protocol_hash = setup_hash(now.setup);
  const auto c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_TRUE(c.protocol_changed());
  EXPECT_NE(c.baseline_hash, c.now_hash);
  ASSERT_EQ(c.setup_changes.size(), 1u);
  EXPECT_EQ(c.setup_changes[0].part, "split");
  EXPECT_EQ(c.setup_changes[0].path, "split.params.ratio");
  EXPECT_EQ(c.setup_changes[0].before, "0.2");
  EXPECT_EQ(c.setup_changes[0].after, "0.3");

  now = base;
  now.setup["metric_settings"]["k"] = 20;
  now.protocol_hash = setup_hash(now.setup);
  const auto k = compare_baseline(base, now);
  ASSERT_EQ(k.setup_changes.size(), 1u);
  EXPECT_EQ(k.setup_changes[0].part, "metric settings");

  now = base;
  now.setup["dataset"]["hash"] = "00bb";
  now.protocol_hash = setup_hash(now.setup);
  EXPECT_EQ(compare_baseline(base, now).setup_changes.at(0).part, "dataset");
}

TEST(Baseline, SplitChangeWithSameRecipeFails) {
  const auto base = hand_made();
  auto now = base;
  now.per_seed[43]["split_hash"] = "other";
  const auto c = compare_baseline(base, now);
  EXPECT_FALSE(c.passed());
  EXPECT_FALSE(c.protocol_changed());
  ASSERT_EQ(c.seed_changes.size(), 1u);
  EXPECT_EQ(c.seed_changes[0].part, "split");
  EXPECT_EQ(c.seed_changes[0].path, "seed 43: split_hash");
  EXPECT_EQ(c.seed_changes[0].before, "h43");
  EXPECT_EQ(c.seed_changes[0].after, "other");
}

TEST(Baseline, YamlRoundTrip) {
  TempDir dir;
  auto b = hand_made();
  // Values that a careless writer would turn into something else on reading.
  b.description = "quotes \" and: colons # not a comment";
  b.overrides.push_back("algorithms=[most_popular,{name: weighted, label: w, components: [user_knn, tfidf], alpha: [0.7, 0.3]}]");
  b.setup["protocol"]["file"] = "${tailrec.home}/data/negatives.tsv";
  b.setup["protocol"]["tag"] = "yes";     // a YAML 1.1 boolean word, kept a string
  b.setup["protocol"]["code"] = "0123";   // digits, kept a string
  b.setup["protocol"]["empty"] = nlohmann::json::object();
  b.protocol_hash = setup_hash(b.setup);
  b.per_seed[42]["protocol.negatives_dropped"] = 4;
  b.tolerance.base = {2.5, 0.001};
  b.tolerance.metrics["user_knn/ndcg@10"] = {4.0, std::nullopt};
  b.algorithms["user_knn"].params["alpha"] = nlohmann::json::array({0.7, 0.3});
  // 0.1 + 0.2 = 0.30000000000000004 must come back bit for bit.
  const double sum = 0.1 + 0.2;
  b.algorithms["user_knn"].metrics["mrr@10"] = record(sum, 0.0, {sum, sum, sum});
  // One undefined seed: mean and std over the two defined values 0.2 and 0.4: 0.3 and sqrt(0.02).
  b.algorithms["user_knn"].metrics["hit@10"] = record(0.30000000000000004, std::sqrt(0.02), {0.2, kNaN, 0.4});
  b.recorded = {{"date", "2025-01-01T00:00:00"}, {"git_commit", "abc"}, {"run_seconds", 1.5}};

  const auto path = dir / "unit.yaml";
  write_baseline(path, b);
  const auto text = testing::read_text(path);
  EXPECT_NE(text.find("# Regenerate after an intended change:"), std::string::npos);
  EXPECT_NE(text.find("--update"), std::string::npos);

  const auto r = read_baseline(path);
  EXPECT_EQ(r.name, b.name);
  EXPECT_EQ(r.description, b.description);
  EXPECT_EQ(r.overrides, b.overrides);
  EXPECT_EQ(r.seeds, b.seeds);
  EXPECT_EQ(r.tolerance.base.z, 2.5);
  EXPECT_EQ(r.tolerance.base.abs_floor, 0.001);
  ASSERT_EQ(r.tolerance.metrics.count("user_knn/ndcg@10"), 1u);
  EXPECT_EQ(*r.tolerance.metrics.at("user_knn/ndcg@10").z, 4.0);
  EXPECT_FALSE(r.tolerance.metrics.at("user_knn/ndcg@10").abs_floor.has_value());
  EXPECT_EQ(r.setup, b.setup);
  EXPECT_EQ(r.setup["protocol"]["tag"], "yes");
  EXPECT_EQ(r.setup["protocol"]["code"], "0123");
  EXPECT_TRUE(r.setup["metric_settings"]["relevance_threshold"].is_null());
  EXPECT_TRUE(r.setup["split"]["validation"].is_number_float());
  EXPECT_EQ(r.protocol_hash, b.protocol_hash);
  EXPECT_EQ(r.per_seed, b.per_seed);
  EXPECT_EQ(r.algorithms.at("user_knn").params, b.algorithms.at("user_knn").params);
  EXPECT_EQ(r.algorithms.at("user_knn").metrics.at("mrr@10").values[0], sum);
  const auto& hit = r.algorithms.at("user_knn").metrics.at("hit@10");
  EXPECT_TRUE(std::isnan(hit.values[1]));
  EXPECT_EQ(hit.values[2], 0.4);
  EXPECT_EQ(r.recorded, b.recorded);
  // Written again, the text is the same.
  EXPECT_EQ(baseline_to_yaml(r), text);
  EXPECT_TRUE(compare_baseline(b, r).passed());
}

TEST(Baseline, MeasuresFromMetricsJson) {
  const auto run = [](uint64_t seed, double ndcg, nlohmann::json coverage, int dropped) {
    return nlohmann::json{
        {"dataset", {{"name", "toy"}, {"hash", "00aa"}, {"users", 3}, {"items", 4}, {"interactions", 7},
                     {"params", {{"data_dir", "/somewhere/else"}}}}},
        {"split", {{"name", "random_holdout"}, {"params", {{"ratio", 0.2}}}, {"validation", 0.0}, {"seed", seed},
                   {"hash", "s" + std::to_string(seed)}, {"train", 5}, {"test", 2}}},
        {"protocol", {{"name", "fixed_negatives"}, {"path", "/home/x/tailrec/data/neg.tsv"}, {"negatives_dropped", dropped}}},
        {"metric_settings", {{"k", 10}, {"relevance_threshold", nullptr}, {"long_tail", "pareto(share=0.8)"},
                             {"head_items", 1}, {"tail_items", 3}, {"evaluated_cases", 3}}},
        {"evaluate_on", "test"},
        {"algorithms", {{"user_knn", {{"name", "user_knn"}, {"params", {{"k", 50}}},
                                      {"metrics", {{"ndcg@10", ndcg}, {"coverage@10", coverage}}}}}}}};
  };
  Baseline b;
  b.name = "m";
  b.seeds = {1, 2};
  measure_baseline(b, {run(1, 0.25, 0.5, 0), run(2, 0.35, nullptr, 2)}, "/home/x/tailrec");
  // Seed-independent leaves form the setup; the path under the home is relative to it; dataset
  // params (machine-specific paths) are left out.
  EXPECT_EQ(b.setup["protocol"]["path"], "${tailrec.home}/data/neg.tsv");
  EXPECT_FALSE(b.setup["dataset"].contains("params"));
  EXPECT_FALSE(b.setup["protocol"].contains("negatives_dropped"));
  EXPECT_EQ(b.per_seed.at(1)["protocol.negatives_dropped"], 0);
  EXPECT_EQ(b.per_seed.at(2)["protocol.negatives_dropped"], 2);
  EXPECT_EQ(b.per_seed.at(2)["split_hash"], "s2");
  EXPECT_EQ(b.per_seed.at(2)["evaluated_cases"], 3);
  EXPECT_EQ(b.protocol_hash, setup_hash(b.setup));
  // ndcg 0.25 and 0.35: mean 0.3, sample std sqrt(((-0.05)^2 + 0.05^2) / 1) = sqrt(0.005).
  const auto& ndcg = b.algorithms.at("user_knn").metrics.at("ndcg@10");
  EXPECT_NEAR(ndcg.mean, 0.3, 1e-15);
  EXPECT_NEAR(ndcg.std, std::sqrt(0.005), 1e-15);
  // coverage undefined for seed 2: over the one defined value, std 0.
  const auto& coverage = b.algorithms.at("user_knn").metrics.at("coverage@10");
  EXPECT_EQ(coverage.mean, 0.5);
  EXPECT_EQ(coverage.std, 0.0);
  EXPECT_TRUE(std::isnan(coverage.values[1]));
}

// Writes a valid baseline, applies `edit` to its text, and returns read_baseline's error.
std::string error_after(const std::function<void(std::string&)>& edit, bool settings_only = false) {
  TempDir dir;
  const auto path = dir / "broken.yaml";
  write_baseline(path, hand_made());
  auto text = testing::read_text(path);
  edit(text);
  dir.write("broken.yaml", text);
  try {
    read_baseline(path, settings_only);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
void replace(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

TEST(Baseline, DamagedFilesNameFileLineAndKey) {
  auto e = error_after([](std::string& t) { replace(t, "seeds:", "sedes:"); });
  EXPECT_NE(e.find("broken.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("key 'sedes'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'seeds'"), std::string::npos) << e;

  e = error_after([](std::string& t) { replace(t, "protocol_hash:", "# protocol_hash:"); });
  EXPECT_NE(e.find("key 'protocol_hash': missing"), std::string::npos) << e;
  EXPECT_NE(e.find("--update"), std::string::npos) << e;  // the measured part can be regenerated

  e = error_after([](std::string& t) { replace(t, "ratio: 0.2", "ratio: 0.25"); });
  EXPECT_NE(e.find("key 'protocol_hash'"), std::string::npos) << e;
  EXPECT_NE(e.find("edited by hand"), std::string::npos) << e;

  e = error_after([](std::string& t) { replace(t, "mean: 0.32,", "mean: 0.33,"); });
  EXPECT_NE(e.find("key 'algorithms.user_knn.metrics.ndcg@10.mean'"), std::string::npos) << e;

  e = error_after([](std::string& t) { replace(t, "values: [0.3, 0.32, 0.34]", "values: [0.3, 0.32]"); });
  EXPECT_NE(e.find("ndcg@10.values': expected a list of 3 values"), std::string::npos) << e;

  e = error_after([](std::string& t) { replace(t, "z: 3", "z: three"); });
  EXPECT_NE(e.find("key 'tolerance.z': expected a number"), std::string::npos) << e;
  EXPECT_NE(e.find("docs/check.md"), std::string::npos) << e;

  e = error_after([](std::string& t) { replace(t, "overrides:", "overrides: [\n"); });
  EXPECT_NE(e.find("not valid YAML"), std::string::npos) << e;

  // --update reads only the settings: a damaged measured part is no obstacle.
  EXPECT_EQ(error_after([](std::string& t) { replace(t, "mean: 0.32,", "mean: 0.33,"); }, true), "");
}

}  // namespace
}  // namespace tailrec
