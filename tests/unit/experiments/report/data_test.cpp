// `tailrec report` loading and grouping: run-folder parsers, plain runs, sweeps, incomplete runs.
#include "experiments/report/data.hpp"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "framework/util/error.hpp"
#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

using testing::FixtureRun;
using testing::TempDir;
using testing::standard_run;
using testing::write_fixture_run;

const Setting& setting_named(const Context& c, const std::string& name) {
  for (const auto& s : c.settings)
    if (s.name == name) return s;
  std::vector<std::string> names;
  for (const auto& s : c.settings) names.push_back(s.name);
  throw std::runtime_error("no setting " + name + " among " + join(names, ", "));
}

bool any_warning_contains(const ReportData& d, const std::string& text) {
  return std::any_of(d.warnings.begin(), d.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

TEST(ReportData, ParsesPerUserMetricsWithEmptyCellsAsNaN) {
  const auto t = parse_per_user_metrics("algorithm\tuser\tndcg@10\ttail_recall@10\na\tu1\t0.5\t\na\tu2\t0.25\t1\nb\tu1\t0\t0\n",
                                        "x.tsv");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at("a").users, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(t.at("a").columns.at("ndcg@10"), (std::vector<double>{0.5, 0.25}));
  EXPECT_TRUE(std::isnan(t.at("a").columns.at("tail_recall@10")[0]));
  EXPECT_EQ(t.at("a").columns.at("tail_recall@10")[1], 1.0);
  EXPECT_EQ(t.at("b").users, (std::vector<std::string>{"u1"}));
}

TEST(ReportData, ParserErrorsNameFileAndLine) {
  try {
    parse_per_user_metrics("algorithm\tuser\tndcg@10\na\tu1\tabc\n", "runs/x/per_user_metrics.tsv.gz");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("runs/x/per_user_metrics.tsv.gz:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'abc'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_item_exposure("item\tusers\n", "e.tsv"), Error);
}

TEST(ReportData, ExposureRowsAreSortedByPopularityRank) {
  const auto t = parse_item_exposure(
      "item\ttrain_users\tpopularity_rank\ttail\tknn\tpop\nc\t1\t3\t1\t5\t0\na\t9\t1\t0\t1\t7\nb\t4\t2\t0\t2\t3\n", "e.tsv");
  EXPECT_EQ(t.train_users, (std::vector<int64_t>{9, 4, 1}));
  EXPECT_EQ(t.counts.at("knn"), (std::vector<int64_t>{1, 2, 5}));
  EXPECT_EQ(t.counts.at("pop"), (std::vector<int64_t>{7, 3, 0}));
}

TEST(ReportData, SettingOverridesShowOnlyThisAlgorithmsParameters) {
  const std::vector<std::string> swept = {"algorithms.knn.k=20", "algorithms.pop.x=1", "split=temporal_user"};
  EXPECT_EQ(setting_overrides("knn", swept), (std::vector<std::string>{"k=20", "split=temporal_user"}));
  EXPECT_EQ(setting_overrides("pop", swept), (std::vector<std::string>{"x=1", "split=temporal_user"}));
  EXPECT_EQ(setting_overrides("rand", swept), (std::vector<std::string>{"split=temporal_user"}));
}

TEST(ReportData, ContextKeyIgnoresTheSplitSeedOnly) {
  auto a = testing::fixture_metrics_json(standard_run(1));
  auto b = testing::fixture_metrics_json(standard_run(2));
  EXPECT_EQ(context_key(a), context_key(b));
  b["split"]["params"]["ratio"] = 0.3;
  EXPECT_NE(context_key(a), context_key(b));
  b = testing::fixture_metrics_json(standard_run(2));
  b["dataset"]["hash"] = "other";
  EXPECT_NE(context_key(a), context_key(b));
}

TEST(ReportData, PlainRunsGroupBySettingAcrossSeeds) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  write_fixture_run(dir / "s2", standard_run(2));
  const auto data = load_report_data({dir / "s1", dir / "s2"});
  ASSERT_EQ(data.runs.size(), 2u);
  ASSERT_EQ(data.contexts.size(), 1u);
  const auto& c = data.contexts[0];
  // Labels and metrics in the experiment's order (metrics.csv), not metrics.json's alphabetical one.
  ASSERT_EQ(c.settings.size(), 3u);
  EXPECT_EQ(c.settings[0].name, "knn");
  EXPECT_EQ(c.settings[1].name, "pop");
  EXPECT_EQ(c.settings[2].name, "rand");
  EXPECT_EQ(c.metrics, (std::vector<std::string>{"ndcg@10", "aplt@10", "gini@10"}));
  for (const auto& s : c.settings) {
    ASSERT_EQ(s.runs.size(), 2u);
    EXPECT_EQ(data.runs[s.runs[0]].seed, 1u);
    EXPECT_EQ(data.runs[s.runs[1]].seed, 2u);
  }
  EXPECT_EQ(c.title, "tiny · random_holdout(ratio=0.2) · full · k=10");
  EXPECT_TRUE(data.warnings.empty()) << join(data.warnings, "\n");
  // Details were read (gzip files).
  EXPECT_EQ(data.runs[0].per_user.at("pop").columns.at("ndcg@10")[1], 0.45);
  EXPECT_EQ(data.runs[0].activity.at("u4"), 7);
  EXPECT_EQ(data.runs[1].exposure.counts.at("knn"), (std::vector<int64_t>{4, 2, 1, 1, 0}));
}

TEST(ReportData, PlainRunsWithDifferentOverridesAreDifferentSettings) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  auto other = standard_run(2);
  other.overrides.push_back("algorithms.knn.k=5");
  other.overrides.push_back("run.threads=4");  // results do not depend on threads: not a setting
  other.algorithms[0].params = {{"k", 5}};
  write_fixture_run(dir / "s2", other);
  const auto data = load_report_data({dir / "s1", dir / "s2"});
  const auto& c = data.contexts.at(0);
  EXPECT_EQ(setting_named(c, "knn").runs.size(), 1u);
  EXPECT_EQ(setting_named(c, "knn (k=5)").runs.size(), 1u);
  EXPECT_EQ(setting_named(c, "pop").runs.size(), 2u);
  EXPECT_EQ(c.settings.size(), 4u);
}

TEST(ReportData, SweepFolderUsesSweptOverridesAndWarnsAboutIncompleteJobs) {
  TempDir dir;
  const auto sweep = dir.path() / "sweep";
  std::string yaml = "command_line: [run, --multirun, 'algorithms.knn.k=10,20', sweep.seeds=2]\nconfig_dirs: []\njobs:\n";
  int index = 0;
  for (int k : {10, 20})
    for (int seed : {1, 2}) {
      yaml += fmt::format(
          "  - index: {0}\n    overrides: ['algorithms=[knn,pop,rand]', algorithms.knn.k={1}, run.seed={2}, "
          "run.dir={3}/{0}]\n    swept: [algorithms.knn.k={1}, run.seed={2}]\n",
          index, k, seed, sweep.string());
      auto run = standard_run(static_cast<uint64_t>(seed));
      run.overrides = {"algorithms=[knn,pop,rand]", fmt::format("algorithms.knn.k={}", k), fmt::format("run.seed={}", seed)};
      run.algorithms[0].params = {{"k", k}};
      if (k == 20) run.algorithms[0].metrics["ndcg@10"] += 0.01;
      write_fixture_run(sweep / std::to_string(index), run, /*complete=*/index != 3);
      ++index;
    }
  dir.write("sweep/multirun.yaml", yaml);
  const auto data = load_report_data({sweep});
  EXPECT_EQ(data.runs.size(), 3u);
  EXPECT_TRUE(any_warning_contains(data, (sweep / "3").string() + ": skipped, no metrics.json")) << join(data.warnings, "\n");
  ASSERT_EQ(data.contexts.size(), 1u);
  const auto& c = data.contexts[0];
  EXPECT_EQ(setting_named(c, "knn (k=10)").runs.size(), 2u);
  EXPECT_EQ(setting_named(c, "knn (k=20)").runs.size(), 1u);
  // pop ran in every job with the same result: one run per seed, no warning.
  EXPECT_EQ(setting_named(c, "pop").runs.size(), 2u);
  EXPECT_EQ(setting_named(c, "rand").runs.size(), 2u);
  EXPECT_EQ(c.settings.size(), 4u);
  EXPECT_FALSE(any_warning_contains(data, "different metrics"));
}

TEST(ReportData, FolderOfRunsIsSearchedAndEmptyInputIsAnError) {
  TempDir dir;
  write_fixture_run(dir / "all/a", standard_run(1));
  write_fixture_run(dir / "all/b", standard_run(2), /*complete=*/false);
  const auto data = load_report_data({dir / "all"});
  EXPECT_EQ(data.runs.size(), 1u);
  EXPECT_TRUE(any_warning_contains(data, (dir / "all/b").string()));
  std::filesystem::create_directories(dir / "empty");
  EXPECT_THROW(load_report_data({dir / "empty"}), Error);
  EXPECT_THROW(load_report_data({dir / "missing"}), Error);
  // Only incomplete runs: an error that says so.
  try {
    load_report_data({dir / "all/b"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no complete run"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec
