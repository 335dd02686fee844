// `tailrec report` rendering: escapes, Markdown table shape, bold and markers, CSV intervals,
// LaTeX booktabs, HTML.
#include "experiments/report/tables.hpp"

#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

using testing::TempDir;
using testing::standard_run;
using testing::write_fixture_run;

struct Rendered {
  TempDir dir;
  ReportData data;
  Report report;
  // alpha 0.3: with four users the exact two-sided signed-rank test cannot go below p = 1/8.
  explicit Rendered(double alpha = 0.3) {
    write_fixture_run(dir / "s1", standard_run(1));
    write_fixture_run(dir / "s2", standard_run(2));
    data = load_report_data({dir / "s1", dir / "s2"});
    report.command = "tailrec report s1 s2";
    report.generated = "2026-01-01T00:00:00+0000";
    report.runs = 2;
    ReportSection section;
    section.table = build_table(data, data.contexts[0], TestKind::Wilcoxon, alpha);
    section.provenance = context_provenance(data, data.contexts[0]);
    section.timings = context_timings(data, data.contexts[0]);
    report.sections.push_back(section);
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(ReportTables, NumberFormats) {
  EXPECT_EQ(format_number(0.123456), "0.1235");
  EXPECT_EQ(format_number(123.456), "123.46");
  EXPECT_EQ(format_number(12345.67), "12345.7");
  Summary one{1, 0.5, 0, 0.5, 0.5};
  EXPECT_EQ(format_mean_std(one), "0.5000");
  Summary two{2, 0.675, 0.0353553, 0, 1};
  EXPECT_EQ(format_mean_std(two), "0.6750 ± 0.0354");
}

TEST(ReportTables, MarkdownTableShapeBoldAndMarkers) {
  Rendered r;
  const auto md = render_markdown(r.report);
  const auto lines = lines_of(md);
  const auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("| setting"); });
  ASSERT_NE(header, lines.end()) << md;
  EXPECT_EQ(*header, "| setting | seeds | ndcg@10 ↑ | aplt@10 ↑ | gini@10 ↓ |");
  EXPECT_EQ(*(header + 1), "|---|---|---:|---:|---:|");
  const auto pipes = [](const std::string& l) { return std::count(l.begin(), l.end(), '|'); };
  for (auto it = header; it != header + 5; ++it) {
    EXPECT_EQ(pipes(*it), 6) << *it;
    EXPECT_TRUE(it->starts_with("| ") || it->starts_with("|-")) << *it;
    EXPECT_TRUE(it->ends_with("|")) << *it;
  }
  // knn: best ndcg (0.675 ± 0.0354); pop and rand differ significantly from it.
  EXPECT_EQ(*(header + 2), "| knn | 1, 2 | **0.6750 ± 0.0354** | 0.1100 ± 0.0141† | 0.8100 ± 0.0141 |");
  EXPECT_EQ(*(header + 3), "| pop | 1, 2 | 0.3125 ± 0.0354† | 0.0000 ± 0.0000† | 0.9500 ± 0.0000 |");
  EXPECT_TRUE((header + 4)->starts_with("| rand | 1, 2 | 0.4638 ± 0.0513† | **0.5500 ± 0.0707** | **0.4100 ± 0.0141** |") ||
              (header + 4)->starts_with("| rand | 1, 2 | 0.4637 ± 0.0513† | **0.5500 ± 0.0707** | **0.4100 ± 0.0141** |"))
      << *(header + 4);
  EXPECT_NE(md.find("†: differs from the column's best setting (paired Wilcoxon signed-rank test"), std::string::npos);
  EXPECT_NE(md.find("Holm-adjusted p &lt; 0.3"), std::string::npos);  // the legend is escaped: it names metrics
  EXPECT_NE(md.find("Not tested (no per-user values): gini@10."), std::string::npos);
  EXPECT_NE(md.find("- **seeds**: 1, 2 (2 run folders)"), std::string::npos) << md;
  EXPECT_NE(md.find("- **git commit**: abc123"), std::string::npos);
  EXPECT_NE(md.find("| knn | 1.500 | 0.500 |"), std::string::npos);
}

TEST(ReportTables, MarkersFollowAlpha) {
  Rendered r(0.01);
  const auto md = render_markdown(r.report);
  const auto lines = lines_of(md);
  const auto pop = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("| pop"); });
  ASSERT_NE(pop, lines.end());
  EXPECT_TRUE(pop->starts_with("| pop | 1, 2 | 0.3125 ± 0.0354 |")) << *pop;  // Holm p 0.25 > 0.01
}

TEST(ReportTables, CsvHasConfidenceIntervalsAndPValues) {
  Rendered r;
  const auto lines = lines_of(render_csv(r.report));
  EXPECT_EQ(lines[0],
            "context,setting,metric,direction,seeds,n,mean,std,ci95_low,ci95_high,best,test,pairs,p_value,p_holm,"
            "significant,replicates,problem");
  ASSERT_EQ(lines.size(), 1u + 3 * 3);
  // knn ndcg: mean 0.675, CI 0.675 -/+ 12.7062047 * 0.025.
  EXPECT_EQ(lines[1], "tiny · random_holdout(ratio=0.2) · full · k=10,knn,ndcg@10,higher,1 2,2,0.675,0.03535533906,"
                      "0.3573448816,0.9926551184,1,,,,,,,");  // no replicate parameter: replicates empty; no problem
  // pop ndcg: 4 users (per-user means over the seeds), all differences positive: exact Wilcoxon
  // p 2/16 = 0.125, Holm 2 * 0.125 = 0.25 (< alpha 0.3: significant).
  EXPECT_EQ(lines[4], "tiny · random_holdout(ratio=0.2) · full · k=10,pop,ndcg@10,higher,1 2,2,0.3125,0.03535533906,"
                      "-0.005155118404,0.6301551184,0,wilcoxon,4,0.125,0.25,1,,");
  // gini is aggregate: no test.
  EXPECT_TRUE(lines[6].find(",pop,gini@10,lower,") != std::string::npos && lines[6].ends_with(",0,,,,,,,")) << lines[6];
}

TEST(ReportTables, LatexIsABooktabsTable) {
  Rendered r;
  const auto tex = render_latex(r.report);
  EXPECT_NE(tex.find("\\begin{tabular}{lrrr}"), std::string::npos) << tex;
  EXPECT_NE(tex.find("\\toprule\nSetting & ndcg@10 $\\uparrow$ & aplt@10 $\\uparrow$ & gini@10 $\\downarrow$ \\\\\n\\midrule"),
            std::string::npos)
      << tex;
  EXPECT_NE(tex.find("knn & $\\mathbf{0.6750 \\pm 0.0354}$ & $0.1100 \\pm 0.0141^{\\dagger}$ & $0.8100 \\pm 0.0141$ \\\\"),
            std::string::npos)
      << tex;
  EXPECT_NE(tex.find("\\bottomrule\n\\end{tabular}"), std::string::npos);
  EXPECT_NE(tex.find("\\caption{tiny $\\cdot$ random\\_holdout(ratio=0.2)"), std::string::npos) << tex;
  // Every unescaped special character is gone from the caption.
  const auto caption = tex.substr(tex.find("\\caption{"), tex.find("\\label") - tex.find("\\caption{"));
  for (size_t i = 0; i < caption.size(); ++i) {
    if (caption[i] != '_' && caption[i] != '%' && caption[i] != '&' && caption[i] != '#') continue;
    EXPECT_TRUE(i > 0 && caption[i - 1] == '\\') << "unescaped " << caption[i] << " at " << i << ": " << caption;
  }
}

TEST(ReportTables, HtmlIsOnePageWithTablesPlotsAndProvenance) {
  Rendered r;
  r.report.sections[0].plots.push_back({"Trade-off", "caption <x>", "plots/a.png", "plots/a.svg", true});
  r.report.sections[0].plots.push_back({"Bias", "c", "plots/b.png", "plots/b.svg", false});
  r.report.plot_note = "gnuplot not found: install gnuplot-nox";
  const auto html = render_html(r.report);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);    // self-contained
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("<img src=\"plots/a.svg\" alt=\"Trade-off\">"), std::string::npos);
  EXPECT_EQ(html.find("plots/b.svg\" alt"), std::string::npos);  // not drawn: no broken image
  EXPECT_NE(html.find("caption &lt;x&gt;"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"best\" title=\"95% CI [0.3573, 0.9927]\">0.6750<span class=\"pm\">± 0.0354</span></td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<dt>git commit</dt><dd>abc123</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>hardware</dt><dd>Test CPU, 2 logical CPUs, 8 GiB; device cpu; 1 threads</dd>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("gnuplot not found"), std::string::npos);
}

}  // namespace
}  // namespace tailrec
