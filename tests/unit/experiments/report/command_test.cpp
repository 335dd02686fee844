// `tailrec report` end to end on hand-made run folders: the files it writes, atomicity, the
// missing-gnuplot note, and --reproduction against results/published/.

#include <gtest/gtest.h>

#include "experiments/commands.hpp"
#include "experiments/report/reproduction.hpp"
#include "framework/util/error.hpp"
#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using testing::FixtureAlgorithm;
using testing::FixtureRun;
using testing::TempDir;
using testing::read_text;
using testing::standard_run;
using testing::write_fixture_run;

bool has_staging(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().starts_with(".staging")) return true;
  return false;
}

TEST(ReportCommand, WritesEveryFormatIntoTheDefaultFolder) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  write_fixture_run(dir / "s2", standard_run(2));
  ReportCommand c;
  c.inputs = {(dir / "s1").string(), (dir / "s2").string()};
  c.no_plots = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(report_command(c), 0);
  ::testing::internal::GetCapturedStdout();
  const auto out = dir / "s1" / "report";
  for (const char* f : {"report.md", "report.csv", "report.tex", "report.html"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  EXPECT_FALSE(fs::exists(out / "plots"));
  EXPECT_FALSE(has_staging(out));
  EXPECT_NE(read_text(out / "report.md").find("| knn | 1, 2 | **0.6750 ± 0.0354** |"), std::string::npos);
}

TEST(ReportCommand, ChosenFormatsOnly) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  ReportCommand c;
  c.inputs = {(dir / "s1").string()};
  c.out = (dir / "out").string();
  c.formats = {"md", "latex"};
  c.no_plots = true;
  ::testing::internal::CaptureStdout();
  report_command(c);
  ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(fs::exists(dir / "out/report.md"));
  EXPECT_TRUE(fs::exists(dir / "out/report.tex"));
  EXPECT_FALSE(fs::exists(dir / "out/report.csv"));
  EXPECT_FALSE(fs::exists(dir / "out/report.html"));
  c.formats = {"pdf"};
  EXPECT_THROW(report_command(c), Error);
}

TEST(ReportCommand, WithoutGnuplotKeepsDataAndScriptsAndSaysHowToDraw) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  write_fixture_run(dir / "s2", standard_run(2));
  ReportCommand c;
  c.inputs = {(dir / "s1").string(), (dir / "s2").string()};
  c.out = (dir / "out").string();
  {
    testing::ScopedEnv no_gnuplot("PATH", "/nonexistent");  // the data is checked, not the drawing
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(report_command(c), 0);
    ::testing::internal::GetCapturedStdout();
    const auto err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("gnuplot not found: install gnuplot-nox and run `gnuplot " + (dir / "out").string() + "/plots/*.gp`"),
              std::string::npos)
        << err;
  }
  for (const char* f : {"accuracy_longtail", "popularity_bias", "user_activity"}) {
    EXPECT_TRUE(fs::exists(dir / "out/plots" / (std::string(f) + ".dat"))) << f;
    EXPECT_TRUE(fs::exists(dir / "out/plots" / (std::string(f) + ".gp"))) << f;
    EXPECT_FALSE(fs::exists(dir / "out/plots" / (std::string(f) + ".png"))) << f;
  }
  const auto md = read_text(dir / "out/report.md");
  EXPECT_NE(md.find("gnuplot not found"), std::string::npos);
  // The trade-off data: one row per setting, mean and std of aplt@10 and ndcg@10, colour, seeds.
  const auto dat = read_text(dir / "out/plots/accuracy_longtail.dat");
  EXPECT_NE(dat.find("\"pop\"\t0\t0\t0.3125\t0.03535533906"), std::string::npos) << dat;
  // The activity data: default metric ndcg@10, bucket edges from the pooled activity 1 3 5 7.
  const auto activity = read_text(dir / "out/plots/user_activity.dat");
  EXPECT_NE(activity.find("\"Q1\"\t\"1–2\"\t1.0"), std::string::npos) << activity;
  EXPECT_NE(activity.find("\"Q4\"\t\"7\"\t1.0\t0.825"), std::string::npos) << activity;
}

TEST(ReportCommand, AFailureLeavesNoHalfWrittenReport) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  ReportCommand c;
  c.inputs = {(dir / "s1").string()};
  c.out = (dir / "out").string();
  c.x_metric = "aplt@20";  // not in the runs: fails after the tables are computed
  EXPECT_THROW(report_command(c), Error);
  EXPECT_FALSE(fs::exists(dir / "out/report.md"));
  EXPECT_FALSE(has_staging(dir / "out"));
  // A previous report stays whole.
  c.x_metric.clear();
  c.no_plots = true;
  ::testing::internal::CaptureStdout();
  report_command(c);
  ::testing::internal::GetCapturedStdout();
  const auto before = read_text(dir / "out/report.md");
  c.no_plots = false;
  c.x_metric = "aplt@20";
  EXPECT_THROW(report_command(c), Error);
  EXPECT_EQ(read_text(dir / "out/report.md"), before);
  EXPECT_FALSE(has_staging(dir / "out"));
}

FixtureRun reproduction_run(const std::string& experiment, uint64_t seed,
                            const std::vector<std::pair<std::string, std::map<std::string, double>>>& algorithms) {
  FixtureRun run;
  run.seed = seed;
  run.experiment = experiment;
  run.split_hash = "fixed";
  for (const auto& [label, metrics] : algorithms) {
    FixtureAlgorithm a{label, label, nlohmann::json::object(), metrics, {}, {}, {}};
    run.algorithms.push_back(a);
  }
  return run;
}

TEST(ReportReproduction, R1PageHasOursBesidePublishedWithDifferences) {
  TempDir dir;
  write_fixture_run(dir / "r1",
                    reproduction_run("ncf_ml1m", 1,
                                     {{"most_popular", {{"hit@10", 0.45}, {"ndcg@10", 0.25}}},
                                      {"user_knn", {{"hit@10", 0.66}, {"ndcg@10", 0.40}}},
                                      {"gmf", {{"hit@10", 0.64}, {"ndcg@10", 0.38}}}}));
  ReportCommand c;
  c.inputs = {(dir / "r1").string()};
  c.reproduction = (dir / "docs/r1.md").string();
  c.published_dir = std::string(TAILREC_SOURCE_DIR) + "/results/published";
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(report_command(c), 0);
  ::testing::internal::GetCapturedStdout();
  const auto md = read_text(dir / "docs/r1.md");
  EXPECT_TRUE(md.starts_with("# Reproduction R1: NCF protocol on MovieLens-1M (He et al., WWW 2017)\n")) << md;
  EXPECT_NE(md.find("| published | ours | hit@10 published | hit@10 ours | Δ | ndcg@10 published | ndcg@10 ours | Δ |"),
            std::string::npos)
      << md;
  // 0.45 - 0.4533 = -0.0033; 0.25 - 0.2542 = -0.0042.
  EXPECT_NE(md.find("| TopPopular | most_popular | 0.4533 | 0.4500 | -0.0033 | 0.2542 | 0.2500 | -0.0042 |"),
            std::string::npos)
      << md;
  // 0.66 - 0.6606 = -0.0006; 0.40 - 0.3951 = +0.0049.
  EXPECT_NE(md.find("| UserKNN CF cosine | user_knn | 0.6606 | 0.6600 | -0.0006 | 0.3951 | 0.4000 | +0.0049 |"),
            std::string::npos);
  EXPECT_NE(md.find("| P3alpha | — (no counterpart) | 0.6460 | — | — | 0.3876 | — | — |"), std::string::npos);
  EXPECT_NE(md.find("| ItemKNN CF cosine | `item_knn`: not in these runs | 0.6694 | — | — |"), std::string::npos);
  EXPECT_NE(md.find("Our algorithms without a published number"), std::string::npos);
  EXPECT_NE(md.find("| gmf | 0.6400 | 0.3800 |"), std::string::npos);
  EXPECT_NE(md.find("Published: every rating is a positive; leave-one-out"), std::string::npos);
  EXPECT_NE(md.find("- **hardware**: Test CPU"), std::string::npos);
  EXPECT_NE(md.find("- **seeds**: 1 (1 run folder)"), std::string::npos);
  EXPECT_NE(md.find("- **wall time**: 4.0 s in all"), std::string::npos);
}

TEST(ReportReproduction, R2MarksTheToleranceOverSeeds) {
  TempDir dir;
  for (uint64_t seed : {1u, 2u})
    write_fixture_run(dir / fmt::format("s{}", seed),
                      reproduction_run("recbole_ml1m", seed,
                                       {{"item_knn",
                                         {{"precision@10", 0.18},
                                          {"recall@10", 0.17},
                                          {"ndcg@10", 0.25},
                                          {"hit@10", seed == 1 ? 0.75 : 0.73}}}}));
  const auto data = load_report_data({dir / "s1", dir / "s2"}, false);
  const auto md = reproduction_page(data, fs::path(TAILREC_SOURCE_DIR) / "results/published", "cmd", "now");
  // precision 0.18 - 0.1752 = +0.0048, recall 0.17 - 0.1723 = -0.0023, ndcg 0.25 - 0.2389 = +0.0111:
  // within 0.02; hit mean 0.74 (std 0.0141) - 0.7139 = +0.0261: outside.
  EXPECT_NE(md.find("| ItemKNN | item_knn | 0.1752 | 0.1800 ± 0.0000 | +0.0048 ✓ | 0.1723 | 0.1700 ± 0.0000 | -0.0023 ✓ | "
                    "0.2389 | 0.2500 ± 0.0000 | +0.0111 ✓ | 0.7139 | 0.7400 ± 0.0141 | +0.0261 ✗ |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| BPR | `bpr_mf`: not in these runs |"), std::string::npos);
  EXPECT_NE(md.find("- **seeds**: 1, 2 (2 run folders)"), std::string::npos);
}

TEST(ReportReproduction, ErrorsNameTheExperimentAndTheFile) {
  TempDir dir;
  write_fixture_run(dir / "a", reproduction_run("embedded_compare", 1, {{"pop", {{"hit@10", 0.5}}}}));
  const auto data = load_report_data({dir / "a"}, false);
  try {
    reproduction_page(data, fs::path(TAILREC_SOURCE_DIR) / "results/published", "cmd", "now");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'embedded_compare'"), std::string::npos) << what;
    EXPECT_NE(what.find("ncf_ml1m"), std::string::npos) << what;
  }
  write_fixture_run(dir / "b", reproduction_run("ncf_ml1m", 1, {{"pop", {{"hit@10", 0.5}}}}));
  const auto mixed = load_report_data({dir / "a", dir / "b"}, false);
  EXPECT_THROW(reproduction_page(mixed, fs::path(TAILREC_SOURCE_DIR) / "results/published", "cmd", "now"), Error);
  dir.write("pub/ncf_ml1m.yaml", "id: R1\nexperiment: ncf_ml1m\ntitle: t\nsource: s\nprotocol: p\nalgoritms: []\n");
  try {
    read_published(dir / "pub/ncf_ml1m.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key 'algoritms'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec

namespace tailrec {
namespace {
TEST(ReportReproduction, SeveralExperimentsGetOneSectionEach) {
  TempDir dir;
  write_fixture_run(dir / "r1", reproduction_run("ncf_ml1m", 1, {{"most_popular", {{"hit@10", 0.4531}, {"ndcg@10", 0.2541}}}}));
  write_fixture_run(dir / "r2", reproduction_run("recbole_ml1m", 1,
                                                 {{"item_knn", {{"precision@10", 0.18}, {"recall@10", 0.17},
                                                                {"ndcg@10", 0.25}, {"hit@10", 0.74}}}}));
  const auto data = load_report_data({dir / "r1", dir / "r2"}, false);
  const auto md = reproduction_page(data, fs::path(TAILREC_SOURCE_DIR) / "results/published", "cmd", "now");
  const auto r1 = md.find("## Reproduction R1");
  const auto r2 = md.find("## Reproduction R2");
  ASSERT_NE(r1, std::string::npos) << md;
  ASSERT_NE(r2, std::string::npos) << md;
  EXPECT_LT(r1, r2);  // in the order the runs were given
  // 0.4531 - 0.4533 = -0.0002 in R1's section; 0.18 - 0.1752 = +0.0048 in R2's.
  EXPECT_NE(md.find("| TopPopular | most_popular | 0.4533 | 0.4531 | -0.0002 |", r1), std::string::npos) << md;
  EXPECT_NE(md.find("| ItemKNN | item_knn | 0.1752 | 0.1800 | +0.0048 ✓ |", r2), std::string::npos) << md;
  EXPECT_EQ(md.find("\n# Reproduction"), std::string::npos);  // section headings are demoted
}
}  // namespace
}  // namespace tailrec
