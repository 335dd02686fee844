// `tailrec report` over the folds of a k-fold split: the runs of one setting that differ only in
// the split's replicate parameter (metrics.json split.replicate) are one row, their mean and std
// are over folds, and the paired test pairs (fold, user) values. Expected values are worked out by
// hand from tests/unit/experiments/report/report_fixtures.hpp.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "experiments/report/analysis.hpp"
#include "experiments/report/data.hpp"
#include "experiments/report/tables.hpp"
#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

using testing::TempDir;
using testing::standard_run;
using testing::write_fixture_run;

// Fold `fold` of a 2-fold split, seed 1: the per-user values of standard_run(fold + 1) (so the two
// folds hold different numbers), marked as kfold runs the way the runner writes them.
void write_fold(const std::filesystem::path& dir, int fold, bool mark_replicate = true) {
  auto run = standard_run(static_cast<uint64_t>(fold + 1));
  run.seed = 1;
  run.split_hash = fmt::format("kfold-{}", fold);
  run.overrides = {"algorithms=[knn,pop,rand]", "split=kfold", fmt::format("split.fold={}", fold), "run.seed=1"};
  write_fixture_run(dir, run);
  std::ifstream in(dir / "metrics.json");
  auto m = nlohmann::json::parse(in);
  in.close();
  m["split"]["name"] = "kfold";
  m["split"]["params"] = {{"name", "kfold"}, {"folds", 2}, {"fold", fold}, {"seed", nullptr}};
  if (mark_replicate) m["split"]["replicate"] = "fold";
  std::ofstream(dir / "metrics.json") << m.dump(2);
}

size_t row(const ResultTable& t, const std::string& setting) {
  return static_cast<size_t>(std::find(t.settings.begin(), t.settings.end(), setting) - t.settings.begin());
}

TEST(ReportReplicates, FoldsOfOneSettingAreOneRow) {
  TempDir dir;
  write_fold(dir / "f1", 1);
  write_fold(dir / "f0", 0);
  const auto data = load_report_data({dir / "f1", dir / "f0"});
  ASSERT_EQ(data.contexts.size(), 1u);
  const auto& context = data.contexts[0];
  EXPECT_EQ(context.title.find("fold="), std::string::npos) << context.title;
  EXPECT_NE(context.title.find("folds=2"), std::string::npos) << context.title;
  ASSERT_EQ(context.settings.size(), 3u);
  for (const auto& s : context.settings) {
    EXPECT_EQ(s.name, s.label);  // split.fold=N is the replicate, not part of the name
    ASSERT_EQ(s.runs.size(), 2u);
    EXPECT_EQ(data.runs[s.runs[0]].replicate, "0");  // ordered by fold
    EXPECT_EQ(data.runs[s.runs[1]].replicate, "1");
  }
  const auto t = build_table(data, context, TestKind::Wilcoxon, 0.05);
  EXPECT_EQ(t.replicate_parameter, "fold");
  const auto& knn = t.cells[row(t, "knn")][0];
  ASSERT_EQ(t.metrics[0], "ndcg@10");
  // Folds 0.65 and 0.70: mean 0.675, sample std 0.05 / sqrt(2).
  EXPECT_EQ(knn.summary.n, 2u);
  EXPECT_NEAR(knn.summary.mean, 0.675, 1e-12);
  EXPECT_NEAR(knn.summary.std, 0.05 / std::sqrt(2.0), 1e-12);
  EXPECT_EQ(replicates_text(t, row(t, "knn")), "fold 0, 1 · seed 1");
}

TEST(ReportReplicates, PairsFoldAndUser) {
  TempDir dir;
  write_fold(dir / "f0", 0);
  write_fold(dir / "f1", 1);
  const auto data = load_report_data({dir / "f0", dir / "f1"});
  const auto& c = data.contexts[0];
  const auto paired = paired_per_user(data, c.settings[0], c.settings[1], "ndcg@10");  // knn, pop
  // One pair per (fold, user): four users in each of two folds, never averaged across folds.
  EXPECT_EQ(paired.seeds, 2u);
  const std::vector<double> knn = {0.5, 0.6, 0.7, 0.8, 0.55, 0.65, 0.75, 0.85};
  const std::vector<double> pop = {0.4, 0.45, 0.3, 0.2, 0.35, 0.35, 0.30, 0.15};
  ASSERT_EQ(paired.a.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_DOUBLE_EQ(paired.a[i], knn[i]) << i;
    EXPECT_DOUBLE_EQ(paired.b[i], pop[i]) << i;
  }
  // The table's test uses the eight pairs; knn - pop is positive in all of them.
  const auto t = build_table(data, c, TestKind::Wilcoxon, 0.05);
  const auto& pop_cell = t.cells[row(t, "pop")][0];
  EXPECT_TRUE(pop_cell.tested);
  EXPECT_EQ(pop_cell.pairs, 8u);
}

TEST(ReportReplicates, SeedRunsStillPairPerUser) {
  // Runs without a replicate parameter keep the seed convention: one pair per user, averaged over seeds.
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  write_fixture_run(dir / "s2", standard_run(2));
  const auto data = load_report_data({dir / "s1", dir / "s2"});
  const auto& c = data.contexts[0];
  const auto paired = paired_per_user(data, c.settings[0], c.settings[1], "ndcg@10");
  ASSERT_EQ(paired.a.size(), 4u);
  EXPECT_DOUBLE_EQ(paired.a[0], (0.5 + 0.55) / 2);
  const auto t = build_table(data, c, TestKind::Wilcoxon, 0.05);
  EXPECT_EQ(t.replicate_parameter, "");
  EXPECT_EQ(replicates_text(t, 0), "1, 2");
}

TEST(ReportReplicates, WithoutTheReplicateMarkFoldsAreSeparateTables) {
  // Runs that do not state split.replicate (written before it existed) are not merged by guesswork.
  TempDir dir;
  write_fold(dir / "f0", 0, false);
  write_fold(dir / "f1", 1, false);
  const auto data = load_report_data({dir / "f0", dir / "f1"});
  EXPECT_EQ(data.contexts.size(), 2u);
}

}  // namespace
}  // namespace tailrec
