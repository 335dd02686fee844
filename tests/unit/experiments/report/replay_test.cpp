// `tailrec report` on protocol=replay runs: replay_rounds.tsv / replay_state.tsv parsing, the
// per-round table, the plots' data and the absence of warnings about per-user or exposure files.
// The fixture run folder is written by hand; every expected number is worked out in the comments.
#include "experiments/report/replay.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "experiments/commands.hpp"
#include "experiments/report/analysis.hpp"
#include "experiments/report/data.hpp"
#include "framework/util/error.hpp"
#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::read_text;

// Two algorithms, k = 2, three rounds (10, 8 and 6 interactions; 4, 4 and 2 evaluated users).
// Round windows: 2021-01-01 00:00:00 .. 23:59:59, 2021-01-02 00:00:00 .. 2021-01-04 00:00:00,
// 2021-01-04 00:00:01 .. 2021-01-05 00:00:00 (unix seconds below).
//   pop:      hits 2 1 0 (users with a hit 2 1 0, tail hits 0 0 0)
//             hit rate 2/4 = 0.5, 1/4 = 0.25, 0/2 = 0; precision 2/8 = 0.25, 1/8 = 0.125, 0/4 = 0;
//             tail share 0/2 = 0, 0/1 = 0, 0/0 undefined (empty cell); cumulative hits 2 3 3.
//   adaptive: hits 3 2 1 (users with a hit 2 2 1, tail hits 1 2 0)
//             hit rate 2/4 = 0.5, 2/4 = 0.5, 1/2 = 0.5; precision 3/8 = 0.375, 2/8 = 0.25, 1/4 = 0.25;
//             tail share 1/3, 2/2 = 1, 0/1 = 0; cumulative hits 3 5 6.
// Coverage so far: pop 0.2 0.3 0.3, adaptive 0.4 0.6 0.7. The configured metrics are ndcg@2 and
// precision@2; a round's configured precision@2 equals its precision@2 column, so the run does not
// repeat it in replay_rounds.tsv.
const char* kRounds =
    "algorithm\tround\tstart\tend\tinteractions\tactive_users\tcold_users\tevaluated_users\thits\tusers_with_hit\t"
    "tail_hits\thit_rate@2\tprecision@2\ttail_share_of_hits\tcoverage_so_far\tgini_so_far\tcumulative_hits\t"
    "cumulative_tail_hits\tcumulative_hit_rate\tupdate\tupdate_seconds\tndcg@2\n"
    "pop\t1\t1609459200\t1609545599\t10\t5\t1\t4\t2\t2\t0\t0.5\t0.25\t0\t0.2\t0.8\t2\t0\t0.5\trefit: no incremental update\t0.010000\t0.3\n"
    "pop\t2\t1609545600\t1609718400\t8\t4\t0\t4\t1\t1\t0\t0.25\t0.125\t0\t0.3\t0.75\t3\t0\t0.375\trefit: no incremental update\t0.020000\t0.2\n"
    "pop\t3\t1609718401\t1609804800\t6\t3\t1\t2\t0\t0\t0\t0\t0\t\t0.3\t0.7\t3\t0\t0.3\tnone (last round)\t0.000000\t0\n"
    // adaptive's rows out of round order: the reader sorts them.
    "adaptive\t2\t1609545600\t1609718400\t8\t4\t0\t4\t2\t2\t2\t0.5\t0.25\t1\t0.6\t0.45\t5\t3\t0.5\tincremental: weights\t0.002000\t0.35\n"
    "adaptive\t1\t1609459200\t1609545599\t10\t5\t1\t4\t3\t2\t1\t0.5\t0.375\t0.33333333333333331\t0.4\t0.5\t3\t1\t0.5\tincremental: weights\t0.001000\t0.4\n"
    "adaptive\t3\t1609718401\t1609804800\t6\t3\t1\t2\t1\t1\t0\t0.5\t0.25\t0\t0.7\t0.4\t6\t3\t0.5\tnone (last round)\t0.000000\t0.25\n";

// The weights adaptive used in rounds 1..3: pop 0.5 0.4 0.3, knn 0.5 0.6 0.7 (rewards beside them).
const char* kState =
    "algorithm\tround\tname\tvalue\n"
    "adaptive\t1\tweight:pop\t0.5\n"
    "adaptive\t1\tweight:knn\t0.5\n"
    "adaptive\t1\treward:pop\t0\n"
    "adaptive\t2\tweight:pop\t0.40000000000000002\n"
    "adaptive\t2\tweight:knn\t0.59999999999999998\n"
    "adaptive\t2\treward:pop\t2\n"
    "adaptive\t3\tweight:pop\t0.29999999999999999\n"
    "adaptive\t3\tweight:knn\t0.69999999999999996\n"
    "adaptive\t3\treward:pop\t3\n";

// metrics.json of the fixture. Pooled over the rounds: pop 3 hits in 10 lists: hit rate (2+1+0)/10
// = 0.3, precision 3/20 = 0.15, tail share 0/3 = 0; adaptive 6 hits: hit rate 5/10 = 0.5,
// precision 6/20 = 0.3, tail share 3/6 = 0.5. ndcg@2 = mean over rounds: pop (0.3+0.2+0)/3,
// adaptive (0.4+0.35+0.25)/3 = 1/3; precision@2 (configured: mean over rounds) pop
// (0.25+0.125+0)/3 = 0.125, adaptive (0.375+0.25+0.25)/3 = 0.2916...; pooled_precision@2 is the pooled one.
nlohmann::json replay_metrics_json() {
  testing::FixtureRun base;
  auto m = testing::fixture_metrics_json(base);
  m["experiment"] = "replay";
  m["split"]["name"] = "temporal_global";
  m["split"]["params"] = {{"name", "temporal_global"}, {"ratio", 0.3}};
  m["protocol"] = {{"name", "replay"}, {"rounds", 3}, {"by", "count"}};
  m["metric_settings"]["k"] = 2;
  m["replay"] = {{"rounds",
                  {{{"round", 1}, {"start", 1609459200}, {"end", 1609545599}, {"interactions", 10}},
                   {{"round", 2}, {"start", 1609545600}, {"end", 1609718400}, {"interactions", 8}},
                   {{"round", 3}, {"start", 1609718401}, {"end", 1609804800}, {"interactions", 6}}}},
                 {"by", "count"},
                 {"initial_train", 76}};
  const auto algorithm = [](const char* name, nlohmann::json metrics, int incremental, int refits, double seconds) {
    return nlohmann::json{{"name", name},
                          {"params", nlohmann::json::object()},
                          {"fit_seconds", 0.5},
                          {"eval_seconds", 0.25},
                          {"update_seconds", seconds},
                          {"incremental_updates", incremental},
                          {"refits", refits},
                          {"metrics", metrics},
                          {"rounds", nlohmann::json::array()}};
  };
  m["algorithms"] = {
      {"pop", algorithm("most_popular",
                        {{"hits", 3}, {"hit_rate@2", 0.3}, {"pooled_precision@2", 0.15}, {"precision@2", 0.125}, {"tail_share_of_hits", 0.0},
                         {"coverage_so_far", 0.3}, {"gini_so_far", 0.7}, {"ndcg@2", 0.5 / 3}},
                        0, 2, 0.03)},
      {"adaptive", algorithm("adaptive_hybrid",
                             {{"hits", 6}, {"hit_rate@2", 0.5}, {"pooled_precision@2", 0.3}, {"precision@2", 0.875 / 3}, {"tail_share_of_hits", 0.5},
                              {"coverage_so_far", 0.7}, {"gini_so_far", 0.4}, {"ndcg@2", 1.0 / 3}},
                             2, 0, 0.003)}};
  return m;
}

void write_replay_run(const fs::path& dir) {
  RunFolder folder(dir, true);
  folder.write("overrides.yaml", "- experiment=replay\n");
  folder.write("config.yaml", "run: {}\n");
  folder.write("metrics.csv",
               "algorithm\tname\thits\thit_rate@2\tpooled_precision@2\ttail_share_of_hits\tcoverage_so_far\tgini_so_far\t"
               "ndcg@2\tprecision@2\n"
               "pop\tmost_popular\t3\t0.3\t0.15\t0\t0.3\t0.7\t0.16666666666666666\t0.125\n"
               "adaptive\tadaptive_hybrid\t6\t0.5\t0.3\t0.5\t0.7\t0.4\t0.33333333333333331\t0.29166666666666669\n");
  folder.write("replay_rounds.tsv", kRounds);
  folder.write("replay_state.tsv", kState);
  folder.write("recommendations.tsv", "algorithm\tround\tuser\trank\titem\tscore\thit\npop\t1\tu1\t1\ti1\t0.9\t1\n");
  folder.write("metrics.json", replay_metrics_json().dump(2));
}

TEST(ReportReplay, ParsesRoundsWithEmptyCellsAsNaNAndSortsByRound) {
  const auto r = parse_replay_rounds(kRounds, "replay_rounds.tsv");
  EXPECT_EQ(r.k, 2);
  EXPECT_EQ(r.metrics, (std::vector<std::string>{"ndcg@2"}));
  EXPECT_EQ(r.labels, (std::vector<std::string>{"pop", "adaptive"}));
  const auto& pop = r.rows.at("pop");
  ASSERT_EQ(pop.size(), 3u);
  EXPECT_EQ(pop[1].round, 2);
  EXPECT_EQ(pop[1].start, 1609545600);
  EXPECT_EQ(pop[1].end, 1609718400);
  EXPECT_EQ(pop[1].interactions, 8);
  EXPECT_EQ(pop[1].active_users, 4);
  EXPECT_EQ(pop[1].cold_users, 0);
  EXPECT_EQ(pop[1].evaluated_users, 4);
  EXPECT_EQ(pop[1].hits, 1);
  EXPECT_DOUBLE_EQ(pop[1].hit_rate, 0.25);
  EXPECT_DOUBLE_EQ(pop[1].precision, 0.125);
  EXPECT_DOUBLE_EQ(pop[1].cumulative_hit_rate, 0.375);
  EXPECT_EQ(pop[1].cumulative_hits, 3);
  EXPECT_EQ(pop[1].update, "refit: no incremental update");
  EXPECT_DOUBLE_EQ(pop[1].update_seconds, 0.02);
  EXPECT_TRUE(std::isnan(pop[2].tail_share_of_hits));  // 0 hits: undefined
  EXPECT_EQ(pop[2].update, "none (last round)");
  const auto& adaptive = r.rows.at("adaptive");
  ASSERT_EQ(adaptive.size(), 3u);
  EXPECT_EQ(adaptive[0].round, 1);
  EXPECT_EQ(adaptive[2].round, 3);
  EXPECT_DOUBLE_EQ(adaptive[0].tail_share_of_hits, 1.0 / 3);
  EXPECT_EQ(adaptive[0].tail_hits, 1);
  EXPECT_EQ(adaptive[1].cumulative_tail_hits, 3);
  EXPECT_DOUBLE_EQ(adaptive[0].gini_so_far, 0.5);
  ASSERT_EQ(adaptive[1].metrics.size(), 1u);
  EXPECT_DOUBLE_EQ(adaptive[1].metrics[0], 0.35);
  EXPECT_DOUBLE_EQ(adaptive[1].precision, 0.25);

  const auto state = parse_replay_state(kState, "replay_state.tsv");
  ASSERT_EQ(state.size(), 9u);
  EXPECT_EQ(state[4].label, "adaptive");
  EXPECT_EQ(state[4].round, 2);
  EXPECT_EQ(state[4].name, "weight:knn");
  EXPECT_DOUBLE_EQ(state[4].value, 0.6);
}

TEST(ReportReplay, ParserErrorsNameFileAndLine) {
  const std::string header = std::string(kRounds).substr(0, std::string(kRounds).find('\n') + 1);
  const auto message = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto bad_cell = std::string(kRounds);
  bad_cell.replace(bad_cell.find("0.125\t0\t0.3"), 5, "abc");  // pop round 2, line 3
  EXPECT_NE(message([&] { parse_replay_rounds(bad_cell, "R/replay_rounds.tsv"); }).find("R/replay_rounds.tsv:3: column precision@2: 'abc'"),
            std::string::npos);
  EXPECT_NE(message([&] { parse_replay_rounds(header + "pop\t1\t2\n", "R/replay_rounds.tsv"); }).find("R/replay_rounds.tsv:2: 3 cells"),
            std::string::npos);
  auto no_k = header;
  no_k.replace(no_k.find("hit_rate@2"), 10, "hit_rate");
  EXPECT_NE(message([&] { parse_replay_rounds(no_k, "R/replay_rounds.tsv"); }).find("R/replay_rounds.tsv:1: expected column 12 to be 'hit_rate@K'"),
            std::string::npos);
  const auto first_row = std::string(kRounds).substr(header.size(), std::string(kRounds).find('\n', header.size()) - header.size() + 1);
  EXPECT_NE(message([&] { parse_replay_rounds(header + first_row + first_row, "R/replay_rounds.tsv"); })
                .find("R/replay_rounds.tsv:3: algorithm 'pop' has round 1 twice"),
            std::string::npos);
  EXPECT_NE(message([&] { parse_replay_state("algorithm\tround\tname\tvalue\nadaptive\tx\tweight:pop\t0.5\n", "S/replay_state.tsv"); })
                .find("S/replay_state.tsv:2: column round: 'x' is not an integer"),
            std::string::npos);
  EXPECT_NE(message([&] { parse_replay_state("algorithm\tround\tvalue\n", "S/replay_state.tsv"); }).find("S/replay_state.tsv:1:"),
            std::string::npos);
}

TEST(ReportReplay, LoadsAReplayRunWithoutWarningsOrSignificanceTests) {
  TempDir dir;
  write_replay_run(dir / "r");
  const auto data = load_report_data({dir / "r"}, true);
  EXPECT_TRUE(data.warnings.empty()) << join(data.warnings, "\n");
  ASSERT_EQ(data.runs.size(), 1u);
  const auto& run = data.runs[0];
  EXPECT_TRUE(run.replay);
  ASSERT_TRUE(run.replay_rounds.has_value());
  EXPECT_EQ(run.replay_rounds->rows.at("adaptive").size(), 3u);
  EXPECT_EQ(run.replay_state.size(), 9u);
  EXPECT_TRUE(run.per_user.empty());
  EXPECT_EQ(run.metric_names, (std::vector<std::string>{"hits", "hit_rate@2", "pooled_precision@2", "tail_share_of_hits",
                                                         "coverage_so_far", "gini_so_far", "ndcg@2", "precision@2"}));
  EXPECT_EQ(run.labels, (std::vector<std::string>{"pop", "adaptive"}));
  ASSERT_EQ(data.contexts.size(), 1u);
  const auto table = build_table(data, data.contexts[0], TestKind::Wilcoxon, 0.05);
  for (size_t m = 0; m < table.metrics.size(); ++m) {
    EXPECT_FALSE(table.per_user[m]) << table.metrics[m];
    for (const auto& row : table.cells) EXPECT_FALSE(row[m].tested) << table.metrics[m];
  }
  // gini_so_far: smaller is better, so adaptive's 0.4 is the column's best.
  const size_t gini = static_cast<size_t>(std::find(table.metrics.begin(), table.metrics.end(), "gini_so_far") - table.metrics.begin());
  EXPECT_TRUE(table.cells[1][gini].best);
  EXPECT_FALSE(table.cells[0][gini].best);
  // Without details (the --reproduction page) nothing but metrics.json is read.
  EXPECT_FALSE(load_report_data({dir / "r"}, false).runs[0].replay_rounds.has_value());
}

TEST(ReportReplay, PerRoundTableAndWeightsFromTheRunFiles) {
  TempDir dir;
  write_replay_run(dir / "r");
  const auto data = load_report_data({dir / "r"}, true);
  const auto t = replay_table(data, data.contexts[0]);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->k, 2);
  EXPECT_EQ(t->by, "count");
  EXPECT_EQ(t->initial_train, 76);
  EXPECT_EQ(t->rounds, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(t->interactions, (std::vector<int64_t>{10, 8, 6}));
  EXPECT_EQ(t->evaluated_users, (std::vector<int64_t>{4, 4, 2}));
  ASSERT_EQ(t->series.size(), 2u);
  EXPECT_EQ(t->series[0].setting, "pop");
  EXPECT_EQ(t->series[0].hit_rate, (std::vector<double>{0.5, 0.25, 0}));
  EXPECT_EQ(t->series[1].cumulative_hits, (std::vector<double>{3, 5, 6}));
  EXPECT_DOUBLE_EQ(t->series[1].incremental_updates, 2);
  EXPECT_DOUBLE_EQ(t->series[0].refits, 2);
  ASSERT_EQ(t->weights.size(), 2u);
  EXPECT_EQ(t->weights[0].setting, "adaptive");
  EXPECT_EQ(t->weights[0].component, "pop");
  EXPECT_EQ(t->weights[1].component, "knn");
  EXPECT_DOUBLE_EQ(t->weights[1].values[2], 0.7);

  EXPECT_EQ(replay_window(1609459200, 1609545599), "2021-01-01");
  EXPECT_EQ(replay_window(1609545600, 1609718400), "2021-01-02 – 2021-01-04");

  const auto md = replay_markdown(*t);
  EXPECT_NE(md.find("| round | window (UTC) | interactions | evaluated users | pop hit rate | pop precision | pop tail "
                    "share of hits | pop coverage so far | pop cumulative hits | adaptive hit rate |"),
            std::string::npos)
      << md;
  // Round 2: pop 0.25 0.125 0 0.3 3; adaptive 0.5 0.25 1 0.6 5.
  EXPECT_NE(md.find("| 2 | 2021-01-02 – 2021-01-04 | 8 | 4 | 0.2500 | 0.1250 | 0.0000 | 0.3000 | 3 | 0.5000 | 0.2500 | "
                    "1.0000 | 0.6000 | 5 |"),
            std::string::npos)
      << md;
  // Round 3: pop's tail share is undefined (no hits).
  EXPECT_NE(md.find("| 3 | 2021-01-04 – 2021-01-05 | 6 | 2 | 0.0000 | 0.0000 | — | 0.3000 | 3 | 0.5000 | 0.2500 | "
                    "0.0000 | 0.7000 | 6 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| pop | 0 | 2 | 0.030 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| adaptive | 2 | 0 | 0.003 |"), std::string::npos) << md;
  EXPECT_NE(md.find("3 rounds of equal interaction counts replaying 24 later interactions after 76 initial training"),
            std::string::npos)
      << md;
  const auto html = replay_html(*t);
  EXPECT_NE(html.find("<th colspan=\"5\" style=\"text-align:center\">adaptive</th>"), std::string::npos) << html;
  EXPECT_NE(html.find("<tr><td>1</td><td>2021-01-01</td><td>10</td><td>4</td><td>0.5000</td><td>0.2500</td>"),
            std::string::npos)
      << html;
}

TEST(ReportReplay, CommandWritesTheReplaySectionAndPlotDataWithoutWarnings) {
  TempDir dir;
  write_replay_run(dir / "r");
  ReportCommand c;
  c.inputs = {(dir / "r").string()};
  c.out = (dir / "out").string();
  std::string err;
  {
    testing::ScopedEnv no_gnuplot("PATH", "/nonexistent");  // the data is checked, not the drawing
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(report_command(c), 0);
    ::testing::internal::GetCapturedStdout();
    err = ::testing::internal::GetCapturedStderr();
  }
  EXPECT_EQ(err.find("warning"), std::string::npos) << err;
  const auto plots = dir / "out/plots";
  // No per-user, exposure or activity data in a replay run: those plots are not attempted.
  EXPECT_FALSE(fs::exists(plots / "popularity_bias.dat"));
  EXPECT_FALSE(fs::exists(plots / "user_activity.dat"));
  // The trade-off falls back to the replay figures: x = tail_share_of_hits, y = ndcg@2.
  EXPECT_NE(read_text(plots / "accuracy_longtail.dat").find("\"adaptive\"\t0.5\t0\t0.3333333333\t0"), std::string::npos)
      << read_text(plots / "accuracy_longtail.dat");
  const auto hit_rate = read_text(plots / "replay_hit_rate.dat");
  EXPECT_NE(hit_rate.find("# round\tpop\tadaptive\n1\t0.5\t0.5\n2\t0.25\t0.5\n3\t0\t0.5\n"), std::string::npos) << hit_rate;
  const auto cumulative = read_text(plots / "replay_cumulative_hits.dat");
  EXPECT_NE(cumulative.find("# round\tpop\tadaptive\n1\t2\t3\n2\t3\t5\n3\t3\t6\n"), std::string::npos) << cumulative;
  const auto coverage = read_text(plots / "replay_coverage.dat");
  EXPECT_NE(coverage.find("# round\tpop\tadaptive\n1\t0.2\t0.4\n2\t0.3\t0.6\n3\t0.3\t0.7\n"), std::string::npos) << coverage;
  const auto weights = read_text(plots / "replay_weights.dat");
  EXPECT_NE(weights.find("# round\tpop\tknn\n1\t0.5\t0.5\n2\t0.4\t0.6\n3\t0.3\t0.7\n"), std::string::npos) << weights;
  for (const char* stem : {"replay_hit_rate", "replay_cumulative_hits", "replay_coverage", "replay_weights"}) {
    const auto gp = read_text(plots / (std::string(stem) + ".gp"));
    EXPECT_NE(gp.find(std::string("data = here.\"") + stem + ".dat\""), std::string::npos) << stem;
    EXPECT_NE(gp.find("using 1:3 with linespoints"), std::string::npos) << stem;  // the second curve
  }
  const auto md = read_text(dir / "out/report.md");
  EXPECT_NE(md.find("### Replay"), std::string::npos);
  EXPECT_NE(md.find("| 1 | 2021-01-01 | 10 | 4 | 0.5000 | 0.2500 | 0.0000 | 0.2000 | 2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("*Replay: cumulative hits* (not drawn"), std::string::npos) << md;
  EXPECT_EQ(md.find("**Warnings**"), std::string::npos) << md;
  EXPECT_EQ(md.find("†"), std::string::npos);  // no significance markers
  const auto html = read_text(dir / "out/report.html");
  EXPECT_NE(html.find("<h3>Replay</h3>"), std::string::npos);
  EXPECT_NE(html.find("Replay: adaptive component weights"), std::string::npos);
}

TEST(ReportReplay, SeedsAreAveragedPerRound) {
  // A second seed whose pop hit rates are 0.75 0.25 0.5: means 0.625 0.25 0.25.
  TempDir dir;
  write_replay_run(dir / "s1");
  write_replay_run(dir / "s2");
  auto m = replay_metrics_json();
  m["seed"] = 2;
  m["split"]["seed"] = 2;
  write_file_atomically(dir / "s2/metrics.json", m.dump(2));
  std::string rounds = kRounds;
  const auto replace_first = [&](const std::string& from, const std::string& to) {
    rounds.replace(rounds.find(from), from.size(), to);
  };
  replace_first("\t0.5\t0.25\t0\t0.2\t", "\t0.75\t0.25\t0\t0.2\t");  // pop round 1
  replace_first("\t0\t0\t\t0.3\t", "\t0.5\t0\t\t0.3\t");              // pop round 3
  write_file_atomically(dir / "s2/replay_rounds.tsv", rounds);
  const auto data = load_report_data({dir / "s1", dir / "s2"}, true);
  ASSERT_EQ(data.contexts.size(), 1u);
  const auto t = replay_table(data, data.contexts[0]);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->max_runs, 2u);
  EXPECT_EQ(t->series[0].hit_rate, (std::vector<double>{0.625, 0.25, 0.25}));
  EXPECT_EQ(t->series[1].hit_rate, (std::vector<double>{0.5, 0.5, 0.5}));
  EXPECT_NE(replay_markdown(*t).find("means over each setting's runs"), std::string::npos);
}

}  // namespace
}  // namespace tailrec
