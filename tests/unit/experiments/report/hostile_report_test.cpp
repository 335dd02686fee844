// `tailrec report` on a hand-edited run folder: a label holding a formula, markup, a backquoted
// command and terminal escapes, a hostile dataset name, and metric values outside their range or
// not numbers. Every output must stay inert and the bad values must be marked, not shown as results.
#include <fstream>

#include <gtest/gtest.h>

#include "experiments/commands.hpp"
#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using testing::read_text;

const std::string kLabel = "=HYPERLINK(\"http://x\")`touch pwned`<script>\x1b[31m|\x07";

// A run folder as `tailrec run` writes it, then edited by hand: the label, the dataset name and
// three values.
fs::path hostile_run(const fs::path& dir) {
  auto run = testing::standard_run(1);
  run.algorithms[0].label = kLabel;  // knn
  testing::write_fixture_run(dir / "s1", run);
  const auto path = dir / "s1" / "metrics.json";
  auto metrics = nlohmann::json::parse(read_text(path));
  metrics["dataset"]["name"] = "<img src=x onerror=alert(1)>\x1b]0;title\x07";
  metrics["algorithms"]["pop"]["metrics"]["ndcg@10"] = -5;
  metrics["algorithms"]["rand"]["metrics"]["ndcg@10"] = 1.7;
  metrics["algorithms"]["rand"]["metrics"]["aplt@10"] = "NaN";
  std::ofstream(path) << metrics.dump(2);
  return dir / "s1";
}

bool has_byte(const std::string& text, char c) { return text.find(c) != std::string::npos; }

TEST(ReportHostile, EveryFormatEscapesLabelsAndNames) {
  testing::TempDir dir;
  const auto run = hostile_run(dir.path());
  ReportCommand c;
  c.inputs = {run.string()};
  c.out = (dir / "out").string();
  std::string err;
  {
    testing::ScopedEnv no_gnuplot("PATH", "/nonexistent");  // the scripts are checked, not drawn
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(report_command(c), 0);
    ::testing::internal::GetCapturedStdout();
    err = ::testing::internal::GetCapturedStderr();
  }
  EXPECT_FALSE(has_byte(err, '\x1b')) << err;
  EXPECT_FALSE(has_byte(err, '\x07')) << err;

  const auto csv = read_text(dir / "out/report.csv");
  // The formula cell starts with an apostrophe inside RFC 4180 quotes; no cell starts with '='.
  EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"http://x\"\")`touch pwned`<script>"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(",="), std::string::npos);
  EXPECT_EQ(csv.find(",\"="), std::string::npos);

  for (const char* name : {"report.md", "report.html", "report.tex", "report.csv"}) {
    const auto text = read_text(dir / "out" / name);
    if (std::string(name) != "report.csv") {  // markup is inert text in a CSV cell
      EXPECT_EQ(text.find("<script>"), std::string::npos) << name;
      EXPECT_EQ(text.find("<img"), std::string::npos) << name;
    }
    EXPECT_FALSE(has_byte(text, '\x1b')) << name;
    EXPECT_FALSE(has_byte(text, '\x07')) << name;
  }
  const auto md = read_text(dir / "out/report.md");
  EXPECT_NE(md.find("| =HYPERLINK(\"http://x\")\\`touch pwned\\`&lt;script&gt; \\[31m\\| "), std::string::npos) << md;
  EXPECT_NE(md.find("&lt;img src=x onerror=alert(1)&gt; \\]0;title "), std::string::npos) << md;
  const auto html = read_text(dir / "out/report.html");
  EXPECT_NE(html.find("=HYPERLINK(&quot;http://x&quot;)`touch pwned`&lt;script&gt;"), std::string::npos);

  size_t scripts = 0;
  for (const auto& e : fs::directory_iterator(dir / "out/plots")) {
    if (e.path().extension() != ".gp") continue;
    ++scripts;
    const auto gp = read_text(e.path());
    EXPECT_FALSE(has_byte(gp, '`')) << e.path();
    EXPECT_FALSE(has_byte(gp, '\x1b')) << e.path();
  }
  EXPECT_GE(scripts, 3u);
  const auto exposure = read_text(dir / "out/plots/popularity_bias.gp");
  EXPECT_NE(exposure.find("\\140touch pwned\\140"), std::string::npos) << exposure;
}

TEST(ReportHostile, ValuesOutsideTheirRangeAreMarkedAndWarned) {
  testing::TempDir dir;
  const auto run = hostile_run(dir.path());
  ReportCommand c;
  c.inputs = {run.string()};
  c.out = (dir / "out").string();
  c.no_plots = true;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(report_command(c), 0);
  ::testing::internal::GetCapturedStdout();
  const auto err = ::testing::internal::GetCapturedStderr();
  const auto folder = run.string();
  EXPECT_NE(err.find("warning: " + folder + ": ndcg@10 of 'pop' is -5, out of range [0, 1]"), std::string::npos) << err;
  EXPECT_NE(err.find("warning: " + folder + ": ndcg@10 of 'rand' is 1.7, out of range [0, 1]"), std::string::npos) << err;
  EXPECT_NE(err.find("warning: " + folder + ": aplt@10 of 'rand' is \"NaN\", not a number"), std::string::npos) << err;

  // Columns of the fixture: ndcg@10, aplt@10, gini@10. Neither marked value is the column's best
  // (1.7 would be): knn's 0.65 is.
  const auto md = read_text(dir / "out/report.md");
  EXPECT_NE(md.find("| pop | 1 | -5.0000 (out of range \\[0, 1\\]) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| rand | 1 | 1.7000 (out of range \\[0, 1\\]) | — (not a number) |"), std::string::npos) << md;
  EXPECT_NE(md.find("**0.6500**"), std::string::npos) << md;
  const auto csv = read_text(dir / "out/report.csv");
  EXPECT_NE(csv.find(",pop,ndcg@10,higher,1,1,-5,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"out of range [0, 1]\"\n"), std::string::npos) << csv;
  const auto html = read_text(dir / "out/report.html");
  EXPECT_NE(html.find("<span class=\"bad\">out of range [0, 1]</span>"), std::string::npos);
  EXPECT_NE(md.find("- " + folder + ": ndcg@10 of 'pop' is -5, out of range \\[0, 1\\]"), std::string::npos) << md;
}

}  // namespace
}  // namespace tailrec
