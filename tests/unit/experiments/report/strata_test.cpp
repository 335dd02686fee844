// `tailrec report`: stratified accuracy (metrics.json "strata") and the Cold start section, from
// hand-made metrics.json sections whose expected numbers are worked out in the comments.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "experiments/report/cold_start.hpp"
#include "experiments/report/data.hpp"
#include "experiments/report/strata.hpp"
#include "test_support.hpp"
#include "unit/experiments/report/report_fixtures.hpp"

namespace tailrec {
namespace {

using testing::TempDir;
using testing::standard_run;
using testing::write_fixture_run;

// Rewrites the fixture run's metrics.json through `patch`.
template <typename F>
void patch_metrics(const std::filesystem::path& dir, F patch) {
  std::ifstream in(dir / "metrics.json");
  auto m = nlohmann::json::parse(in);
  in.close();
  patch(m);
  std::ofstream(dir / "metrics.json") << m.dump(2);
}

// Seed 1: knn head 0.2, tail 0.05; seed 2: knn head 0.3, tail null; pop head 0.5 in both, no users strata.
void add_strata(nlohmann::json& m, uint64_t seed) {
  m["strata"] = {
      {"metrics", {"ndcg@10"}},
      {"items",
       {{"by", "long_tail"},
        {"groups",
         {{{"name", "head"}, {"description", "2 items with >= 3 training users"}, {"items", 2}, {"relevant", 10 + seed}},
          {{"name", "tail"}, {"description", "the other items"}, {"items", 3}, {"relevant", 4}},
          {{"name", "cold"}, {"description", "items without a training interaction"}, {"items", 0}, {"relevant", 0}}}}}},
      {"users",
       {{"by", "quantiles"},
        {"groups", {{{"name", "q1"}, {"description", "1-3 training items"}, {"users", 2}},
                    {{"name", "q2"}, {"description", "4-7 training items"}, {"users", 2}}}}}}};
  m["algorithms"]["knn"]["strata"] = {
      {"items",
       {{"head", {{"ndcg@10", seed == 1 ? 0.2 : 0.3}}},
        {"tail", {{"ndcg@10", seed == 1 ? nlohmann::json(0.05) : nlohmann::json(nullptr)}}},
        {"cold", {{"ndcg@10", nullptr}}}}},
      {"users", {{"q1", {{"ndcg@10", 0.4}}}, {"q2", {{"ndcg@10", 0.8}}}}}};
  m["algorithms"]["pop"]["strata"] = {
      {"items", {{"head", {{"ndcg@10", 0.5}}}, {"tail", {{"ndcg@10", 0.0}}}, {"cold", {{"ndcg@10", nullptr}}}}}};
}

TEST(ReportStrata, TablesHoldTheRunsNumbersInGroupOrder) {
  TempDir dir;
  for (uint64_t seed : {1, 2}) {
    write_fixture_run(dir / fmt::format("s{}", seed), standard_run(seed));
    patch_metrics(dir / fmt::format("s{}", seed), [&](nlohmann::json& m) { add_strata(m, seed); });
  }
  const auto data = load_report_data({dir / "s1", dir / "s2"});
  const auto tables = strata_tables(data, data.contexts[0]);
  ASSERT_EQ(tables.size(), 2u);  // items, users for the one stratified metric
  const auto& items = tables[0];
  EXPECT_EQ(items.dimension, "items");
  EXPECT_EQ(items.metric, "ndcg@10");
  EXPECT_EQ(items.by, "long_tail");
  ASSERT_EQ(items.groups.size(), 3u);
  EXPECT_EQ(items.groups[0].name, "head");
  EXPECT_EQ(items.groups[1].name, "tail");
  EXPECT_EQ(items.groups[2].name, "cold");
  // head's "relevant" is 11 and 12 in the two runs.
  ASSERT_EQ(items.groups[0].counts.size(), 2u);
  EXPECT_EQ(items.groups[0].counts[1].first, "relevant");
  EXPECT_EQ(items.groups[0].counts[1].second, (std::vector<double>{11, 12}));
  ASSERT_EQ(items.settings, (std::vector<std::string>{"knn", "pop"}));  // rand states no strata
  // knn head: 0.2 and 0.3, mean 0.25, sample std 0.1 / sqrt(2); tail: 0.05 alone (null skipped); cold: none.
  EXPECT_NEAR(items.values[0][0].mean, 0.25, 1e-12);
  EXPECT_NEAR(items.values[0][0].std, 0.1 / std::sqrt(2.0), 1e-12);
  EXPECT_EQ(items.values[0][1].n, 1u);
  EXPECT_NEAR(items.values[0][1].mean, 0.05, 1e-12);
  EXPECT_FALSE(items.present[0][2]);
  EXPECT_NEAR(items.values[1][0].mean, 0.5, 1e-12);
  const auto& users = tables[1];
  EXPECT_EQ(users.dimension, "users");
  ASSERT_EQ(users.settings, (std::vector<std::string>{"knn"}));
  EXPECT_NEAR(users.values[0][1].mean, 0.8, 1e-12);
  const auto md = strata_markdown(tables);
  EXPECT_NE(md.find("| knn | 0.2500 ± 0.0707 | **0.0500** | — |"), std::string::npos) << md;
  EXPECT_NE(md.find("| pop | **0.5000 ± 0.0000** | 0.0000 ± 0.0000 | — |"), std::string::npos) << md;
  EXPECT_NE(md.find("| head | 2 items with &gt;= 3 training users | 2 | 11.5 (11–12) |"), std::string::npos) << md;
}

TEST(ReportStrata, RunsWithoutStrataHaveNoTables) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  const auto data = load_report_data({dir / "s1"});
  EXPECT_TRUE(strata_tables(data, data.contexts[0]).empty());
  EXPECT_FALSE(cold_start_section(data, data.contexts[0]).has_value());
}

TEST(ReportStrata, PlotKeepsUntrustedGroupNamesOutOfTheScript) {
  StrataTable t;
  t.dimension = "items";
  t.title = "Accuracy by item popularity: ndcg@10";
  t.by = "long_tail";
  t.metric = "ndcg@10";
  t.groups = {{"he`ad\"", "", {}}, {"tail", "", {}}};
  t.settings = {"knn"};
  t.values = {{Summary{1, 0.5, 0, 0.5, 0.5}, Summary{}}};
  t.present = {{true, false}};
  const auto plot = strata_plot(t, "accuracy_by_popularity", plot_colours({"knn"}));
  ASSERT_EQ(plot.files.size(), 2u);
  const auto& dat = plot.files[0].second;
  const auto& gp = plot.files[1].second;
  EXPECT_NE(dat.find("\"he`ad'\"\t0.5\t0\n"), std::string::npos) << dat;
  EXPECT_NE(dat.find("\"tail\"\t?\t?\n"), std::string::npos) << dat;
  EXPECT_EQ(gp.find('`'), std::string::npos) << gp;
  EXPECT_EQ(gp.find("ad'"), std::string::npos) << gp;  // the group name is not in the script
}

TEST(ReportColdStart, StatesCountsAndBlindModels) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  patch_metrics(dir / "s1", [](nlohmann::json& m) {
    m["cold_users"] = {{"policy", "evaluate"}, {"definition", "users with a test case and no training interaction"},
                       {"users", 3}, {"cases", 5}, {"evaluated", true}};
    m["candidates"] = {{"policy", "cold"}, {"definition", "items without a training interaction"}, {"items", 7},
                       {"relevant_dropped", 2}, {"cases_dropped", 1}};
    m["split"]["held_out_users"] = 9;  // a count a split adds: shown as it is
    m["algorithms"]["knn"]["scores_cold_items"] = false;
    m["algorithms"]["knn"]["cold_users_without_list"] = 3;
    m["algorithms"]["pop"]["scores_cold_items"] = false;
    m["algorithms"]["pop"]["cold_users_without_list"] = 0;
    m["algorithms"]["rand"]["scores_cold_items"] = true;
    m["algorithms"]["rand"]["cold_users_without_list"] = 0;
  });
  const auto data = load_report_data({dir / "s1"});
  const auto section = cold_start_section(data, data.contexts[0]);
  ASSERT_TRUE(section.has_value());
  EXPECT_EQ(section->blind_to_cold_items, (std::vector<std::string>{"knn", "pop"}));
  EXPECT_EQ(section->uninformed_of_cold_users, (std::vector<std::string>{"knn"}));
  const auto md = cold_start_markdown(*section);
  for (const char* expected : {"| cold_users.users | 3 |", "| cold_users.cases | 5 |", "| candidates.items | 7 |",
                               "| candidates.relevant_dropped | 2 |", "| split.held_out_users | 9 |",
                               "| split.train | 12 |", "protocol.candidates=cold (items without a training interaction)",
                               "Could not score cold items (empty lists among cold candidates): knn, pop.",
                               "No information about some cold users (an empty list for them): knn.",
                               "| rand | yes | 0 |", "| knn | no | 3 |"})
    EXPECT_NE(md.find(expected), std::string::npos) << expected << "\n" << md;
}

TEST(ReportColdStart, ShownForExtraSplitCountsAlone) {
  TempDir dir;
  write_fixture_run(dir / "s1", standard_run(1));
  patch_metrics(dir / "s1", [](nlohmann::json& m) { m["split"]["fold_in_users"] = 4; });
  const auto data = load_report_data({dir / "s1"});
  const auto section = cold_start_section(data, data.contexts[0]);
  ASSERT_TRUE(section.has_value());
  EXPECT_NE(cold_start_markdown(*section).find("| split.fold_in_users | 4 |"), std::string::npos);
}

}  // namespace
}  // namespace tailrec
