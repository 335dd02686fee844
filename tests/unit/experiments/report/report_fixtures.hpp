#pragma once
// Hand-made run folders for the `tailrec report` tests: three algorithms (knn, pop, rand) over four
// users (u1..u4) and five items (i1..i5), with per-user values chosen so that every expected number
// in the tests can be worked out by hand (see the comments at each value).
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "framework/run/run_folder.hpp"
#include "framework/util/strings.hpp"

namespace tailrec::testing {

struct FixtureAlgorithm {
  std::string label;
  std::string name;
  nlohmann::json params = nlohmann::json::object();
  std::map<std::string, double> metrics;  // metrics.json values
  std::vector<double> ndcg, aplt;         // per user u1..u4 (NaN: empty cell)
  std::vector<int64_t> exposure;          // per item i1..i5 (popularity ranks 1..5)
};

struct FixtureRun {
  uint64_t seed = 1;
  std::string split_hash = "split-1";
  std::string dataset_hash = "data-1";
  std::string experiment = "default";
  std::vector<std::string> overrides;
  std::vector<FixtureAlgorithm> algorithms;
  std::vector<int64_t> activity = {1, 3, 5, 7};  // train_items of u1..u4
};

inline nlohmann::json fixture_metrics_json(const FixtureRun& run) {
  nlohmann::json algorithms = nlohmann::json::object();
  for (const auto& a : run.algorithms) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [name, value] : a.metrics) metrics[name] = value;
    algorithms[a.label] = {{"name", a.name}, {"params", a.params}, {"fit_seconds", 1.5},
                           {"eval_seconds", 0.5}, {"metrics", metrics}};
  }
  return {{"status", "complete"},
          {"experiment", run.experiment},
          {"started", "2026-01-01T10:00:00+0000"},
          {"finished", "2026-01-01T10:00:04+0000"},
          {"dataset",
           {{"name", "tiny"}, {"users", 4}, {"items", 5}, {"interactions", 16}, {"preprocess", "none"},
            {"hash", run.dataset_hash}}},
          {"split",
           {{"name", "random_holdout"}, {"params", {{"name", "random_holdout"}, {"ratio", 0.2}}}, {"validation", 0.0},
            {"seed", run.seed}, {"train", 12}, {"test", 4}, {"hash", run.split_hash}}},
          {"protocol", {{"name", "full"}}},
          {"metric_settings",
           {{"k", 10}, {"long_tail", "pareto(share=0.8)"}, {"head_items", 2}, {"tail_items", 3},
            {"relevance_threshold", nullptr}, {"evaluated_cases", 4}}},
          {"evaluate_on", "test"},
          {"seed", run.seed},
          {"threads", 1},
          {"hardware", {{"cpu", "Test CPU"}, {"cores", 2}, {"memory_gib", 8}}},
          {"wall_seconds", 4.0},
          {"device", "cpu"},
          {"git_commit", "abc123"},
          {"versions", {{"tailrec", "0.1.0"}, {"compiler", "gcc"}}},
          {"algorithms", algorithms}};
}

inline std::string fixture_cell(double v) { return std::isnan(v) ? std::string() : fmt::format("{:.17g}", v); }

// Writes a run folder the way `tailrec run` does (gzip files included). Without metrics.json when
// `complete` is false.
inline void write_fixture_run(const std::filesystem::path& dir, const FixtureRun& run, bool complete = true) {
  RunFolder folder(dir, true);
  std::string overrides;
  for (const auto& o : run.overrides) overrides += "- " + o + "\n";
  folder.write("overrides.yaml", overrides.empty() ? "[]\n" : overrides);
  folder.write("config.yaml", "run: {}\n");
  if (!complete) return;
  std::string csv = "algorithm\tname\tndcg@10\taplt@10\tgini@10\n";
  std::string per_user = "algorithm\tuser\tndcg@10\taplt@10\n";
  std::string exposure = "item\ttrain_users\tpopularity_rank\ttail";
  for (const auto& a : run.algorithms) {
    csv += a.label + "\t" + a.name + "\t\t\t\n";
    for (size_t u = 0; u < a.ndcg.size(); ++u)
      per_user += fmt::format("{}\tu{}\t{}\t{}\n", a.label, u + 1, fixture_cell(a.ndcg[u]), fixture_cell(a.aplt[u]));
    exposure += "\t" + a.label;
  }
  exposure += "\n";
  // Rows in reverse rank order: the reader must sort by popularity_rank.
  const int64_t train_users[] = {4, 3, 2, 1, 0};
  for (int item = 4; item >= 0; --item) {
    exposure += fmt::format("i{}\t{}\t{}\t{}", item + 1, train_users[item], item + 1, item >= 2 ? 1 : 0);
    for (const auto& a : run.algorithms) exposure += fmt::format("\t{}", a.exposure.empty() ? 0 : a.exposure[item]);
    exposure += "\n";
  }
  std::string activity = "user\ttrain_items\n";
  for (size_t u = 0; u < run.activity.size(); ++u) activity += fmt::format("u{}\t{}\n", u + 1, run.activity[u]);
  folder.write("metrics.csv", csv);
  folder.write_gzip("per_user_metrics.tsv.gz", per_user);
  folder.write_gzip("item_exposure.tsv.gz", exposure);
  folder.write_gzip("user_activity.tsv.gz", activity);
  folder.write("metrics.json", fixture_metrics_json(run).dump(2));
}

// The standard three settings for seed 1 or 2.
//  ndcg@10 per user:      seed 1                    seed 2
//    knn   0.50 0.60 0.70 0.80 (mean 0.65)    0.55 0.65 0.75 0.85 (mean 0.70)
//    pop   0.40 0.45 0.30 0.20 (mean 0.3375)  0.35 0.35 0.30 0.15 (mean 0.2875)
//    rand  0.51 0.40 0.40 0.40 (mean 0.4275)  0.50 0.50 0.50 0.50 (mean 0.50)
//  knn - pop: 0.10 0.15 0.40 0.60 | 0.20 0.30 0.45 0.70: eight distinct positive differences.
//  knn - rand: -0.01 0.20 0.30 0.40 | 0.05 0.15 0.25 0.35: distinct, only the smallest negative.
//  aplt@10 (per user constant): knn 0.10 | 0.12, pop 0 | 0, rand 0.50 | 0.60.
//  gini@10 (aggregate, smaller is better): knn 0.80 | 0.82, pop 0.95 | 0.95, rand 0.40 | 0.42.
//  exposure (times in top-k lists, items by popularity rank): knn 3 3 1 1 0, pop 8 0 0 0 0,
//  rand 1 2 2 1 2 for seed 1; seed 2: knn 4 2 1 1 0, pop 8 0 0 0 0, rand 2 2 2 1 1.
inline FixtureRun standard_run(uint64_t seed) {
  FixtureRun run;
  run.seed = seed;
  run.split_hash = fmt::format("split-{}", seed);
  run.overrides = {"algorithms=[knn,pop,rand]", fmt::format("run.seed={}", seed), fmt::format("run.dir=/tmp/s{}", seed)};
  const bool one = seed == 1;
  FixtureAlgorithm knn{"knn", "item_knn", {{"k", 100}}, {}, {}, {}, {}};
  knn.ndcg = one ? std::vector<double>{0.5, 0.6, 0.7, 0.8} : std::vector<double>{0.55, 0.65, 0.75, 0.85};
  knn.aplt = std::vector<double>(4, one ? 0.1 : 0.12);
  knn.metrics = {{"ndcg@10", one ? 0.65 : 0.70}, {"aplt@10", one ? 0.1 : 0.12}, {"gini@10", one ? 0.8 : 0.82}};
  knn.exposure = one ? std::vector<int64_t>{3, 3, 1, 1, 0} : std::vector<int64_t>{4, 2, 1, 1, 0};
  FixtureAlgorithm pop{"pop", "most_popular", nlohmann::json::object(), {}, {}, {}, {}};
  pop.ndcg = one ? std::vector<double>{0.4, 0.45, 0.3, 0.2} : std::vector<double>{0.35, 0.35, 0.30, 0.15};
  pop.aplt = std::vector<double>(4, 0.0);
  pop.metrics = {{"ndcg@10", one ? 0.3375 : 0.2875}, {"aplt@10", 0.0}, {"gini@10", 0.95}};
  pop.exposure = {8, 0, 0, 0, 0};
  FixtureAlgorithm rnd{"rand", "random", {{"seed", 0}}, {}, {}, {}, {}};
  rnd.ndcg = one ? std::vector<double>{0.51, 0.4, 0.4, 0.4} : std::vector<double>{0.5, 0.5, 0.5, 0.5};
  rnd.aplt = std::vector<double>(4, one ? 0.5 : 0.6);
  rnd.metrics = {{"ndcg@10", one ? 0.4275 : 0.5}, {"aplt@10", one ? 0.5 : 0.6}, {"gini@10", one ? 0.4 : 0.42}};
  rnd.exposure = one ? std::vector<int64_t>{1, 2, 2, 1, 2} : std::vector<int64_t>{2, 2, 2, 1, 1};
  run.algorithms = {knn, pop, rnd};
  return run;
}

}  // namespace tailrec::testing
