// Loader `mind` on MIND-format fixtures written at test time (mind_fixtures.hpp): ids, training
// and test pairs with their fold marks, impressions, item text, times, the cache round trip,
// preprocessing that keeps impression items, and the errors for malformed input.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "framework/data/dataset_cache.hpp"
#include "framework/data/preprocess.hpp"
#include "framework/util/logger.hpp"
#include "unit/datasets/dataset_test_support.hpp"
#include "unit/datasets/mind_fixtures.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

using test::error_of;
using test::make_source;
using Pairs = std::set<std::pair<std::string, std::string>>;

Dataset load_mind(const std::filesystem::path& root) {
  return make_source("mind", "{data_dir: '" + root.string() + "'}")->load();
}

// The (user, news) pairs of the log rows with fold mark `fold`, in external ids.
Pairs pairs_in_fold(const Dataset& data, uint8_t fold) {
  Pairs out;
  for (size_t row = 0; row < data.log.size(); ++row)
    if (data.predefined_fold[row] == fold)
      out.insert({data.users.external(data.log.users[row]), data.items.external(data.log.items[row])});
  return out;
}

std::vector<std::string> externals(const Dataset& data, const std::vector<int32_t>& items) {
  std::vector<std::string> out;
  for (int32_t i : items) out.push_back(data.items.external(i));
  return out;
}

TEST(DatasetsMind, TinyFixtureByHand) {
  testing::TempDir dir;
  test::write_mind_tiny(dir.path());
  const auto data = load_mind(dir.path());
  EXPECT_EQ(data.name, "mind_small");
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"U1", "U2", "U3", "U4"}));
  // N4 is only shown unclicked in training: no item. Byte order of the ids.
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"N1", "N2", "N3", "N5", "N6", "N7", "N8", "N9"}));
  EXPECT_FALSE(data.log.has_ratings);
  EXPECT_FALSE(data.log.has_timestamps());
  // Training: histories (train and dev lines) and train clicks.
  EXPECT_EQ(pairs_in_fold(data, 0), (Pairs{{"U1", "N1"}, {"U1", "N2"}, {"U1", "N3"}, {"U1", "N5"}, {"U2", "N1"},
                                           {"U2", "N2"}, {"U3", "N1"}, {"U4", "N5"}}));
  // Test: dev clicks minus training pairs (U1-N3, U2-N1, U2-N2 are training pairs already).
  EXPECT_EQ(pairs_in_fold(data, 1), (Pairs{{"U1", "N6"}, {"U1", "N7"}, {"U2", "N6"}, {"U4", "N8"}}));
  EXPECT_EQ(data.log.size(), 12u);

  ASSERT_EQ(data.impressions.size(), 6u);  // every dev line, including those the protocol skips
  const auto& first = data.impressions[0];
  EXPECT_EQ(first.id, "1");
  EXPECT_EQ(data.users.external(first.user), "U1");
  EXPECT_EQ(externals(data, first.items), (std::vector<std::string>{"N6", "N7", "N1", "N3"}));  // as shown
  EXPECT_EQ(first.clicked, (std::vector<uint8_t>{1, 0, 0, 1}));
  EXPECT_EQ(first.time, 1573804800);                  // 2019-11-15 08:00:00 UTC
  EXPECT_EQ(data.impressions[2].time, 1573819200);    // 12:00:00 PM = noon
  EXPECT_EQ(data.impressions[5].time, 1573830000);    // 3:00:00 PM = 15:00
  EXPECT_EQ(data.impressions[3].clicked, (std::vector<uint8_t>{0, 0}));

  // Content: train's text wins for N3; N7 has no abstract.
  EXPECT_EQ(data.content.field_names(), (std::vector<std::string>{"title", "abstract", "category", "subcategory"}));
  const int32_t n3 = data.items.find("N3"), n7 = data.items.find("N7");
  EXPECT_EQ(data.content.value("title", n3), "Election results");
  EXPECT_EQ(data.content.value("subcategory", n3), "politics");
  EXPECT_EQ(data.content.value("abstract", n7), "");
  EXPECT_EQ(data.content.text(n7), "Storm warning. weather. forecast");
}

TEST(DatasetsMind, GeneratedFixtureMatchesAnIndependentCount) {
  testing::TempDir dir;
  const auto expected = test::write_mind_generated(dir.path());
  const auto data = load_mind(dir.path());
  EXPECT_EQ(static_cast<size_t>(data.users.size()), expected.users);
  EXPECT_EQ(std::set<std::string>(data.items.externals().begin(), data.items.externals().end()), expected.items);
  EXPECT_EQ(pairs_in_fold(data, 0), expected.train);
  EXPECT_EQ(pairs_in_fold(data, 1), expected.test);
  EXPECT_EQ(data.impressions.size(), expected.impressions);
  for (const auto& impression : data.impressions) {
    EXPECT_EQ(impression.items.size(), 6u);
    EXPECT_EQ(impression.clicked, (std::vector<uint8_t>{1, 0, 0, 0, 0, 0}));
  }
  EXPECT_GT(expected.test.size(), 10u);  // the fixture exercises the test fold
}

TEST(DatasetsMind, CacheRoundTripKeepsImpressions) {
  testing::TempDir dir;
  test::write_mind_tiny(dir.path());
  const auto data = load_mind(dir.path());
  const auto file = dir.path() / "cache.bin";
  save_dataset_cache(file, data);
  const auto loaded = load_dataset_cache(file);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->predefined_fold, data.predefined_fold);
  ASSERT_EQ(loaded->impressions.size(), data.impressions.size());
  for (size_t k = 0; k < data.impressions.size(); ++k) {
    EXPECT_EQ(loaded->impressions[k].id, data.impressions[k].id);
    EXPECT_EQ(loaded->impressions[k].user, data.impressions[k].user);
    EXPECT_EQ(loaded->impressions[k].time, data.impressions[k].time);
    EXPECT_EQ(loaded->impressions[k].items, data.impressions[k].items);
    EXPECT_EQ(loaded->impressions[k].clicked, data.impressions[k].clicked);
  }
}

TEST(DatasetsMind, PreprocessingKeepsEveryUserAndItemOfTheImpressions) {
  testing::TempDir dir;
  test::write_mind_tiny(dir.path());
  auto data = load_mind(dir.path());
  // U3 has one interaction (training N1): min_user_interactions = 2 drops it, yet impression 4 is
  // U3's. N9 has no interaction at all: only impression 3 shows it.
  PreprocessOptions options;
  options.min_user_interactions = 2;
  preprocess(data, options, Logger::null());
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"U1", "U2", "U3", "U4"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"N1", "N2", "N3", "N5", "N6", "N7", "N8", "N9"}));
  EXPECT_EQ(data.log.size(), 11u);  // U3-N1 removed
  EXPECT_EQ(data.users.external(data.impressions[3].user), "U3");
  EXPECT_EQ(externals(data, data.impressions[2].items), (std::vector<std::string>{"N7", "N8", "N9"}));
}

TEST(DatasetsMind, MalformedInputNamesFileLineAndProblem) {
  const auto error_with = [](const std::string& file, const std::string& content) {
    testing::TempDir dir;
    test::write_mind_tiny(dir.path());
    test::write_mind_file(dir.path() / file, content);
    return error_of([&] { load_mind(dir.path()); });
  };
  const std::string news = "N1\ta\tb\tt\tabs\turl\t[]\t[]\n";
  const std::string line = "1\tU1\t11/15/2019 8:00:00 AM\tN1\tN1-1\n";
  auto e = error_with("MINDsmall_train/news.tsv", news + "N2\ta\tb\tt\tabs\turl\t[]\n");
  EXPECT_NE(e.find("MINDsmall_train/news.tsv:2: expected 8 tab-separated fields"), std::string::npos) << e;
  EXPECT_NE(e.find("got 7"), std::string::npos) << e;
  e = error_with("MINDsmall_train/news.tsv", news + news);
  EXPECT_NE(e.find("news.tsv:2: news id N1 is listed twice (first at line 1)"), std::string::npos) << e;
  e = error_with("MINDsmall_dev/behaviors.tsv", line + "2\tU1\t11/15/2019 8:00\tN1\tN1-1\n");
  EXPECT_NE(e.find("MINDsmall_dev/behaviors.tsv:2: time '11/15/2019 8:00' in column 3 is not M/D/YYYY"),
            std::string::npos)
      << e;
  e = error_with("MINDsmall_dev/behaviors.tsv", "1\tU1\t2/30/2019 8:00:00 AM\tN1\tN1-1\n");
  EXPECT_NE(e.find("time '2/30/2019 8:00:00 AM'"), std::string::npos) << e;
  e = error_with("MINDsmall_dev/behaviors.tsv", line + "2\tU1\t11/15/2019 8:00:00 AM\tN1\tN1 N2\n");
  EXPECT_NE(e.find("behaviors.tsv:2: impression item 'N1' in column 5 is not <news id>-<0|1>"), std::string::npos) << e;
  e = error_with("MINDsmall_dev/behaviors.tsv", line + "2\tU1\t11/15/2019 8:00:00 AM\tN1 N42\tN1-1\n");
  EXPECT_NE(e.find("behaviors.tsv:2: news id N42 in column 4 is in neither news.tsv"), std::string::npos) << e;
  e = error_with("MINDsmall_train/behaviors.tsv", "1\tU1\t11/15/2019 8:00:00 AM\tN1\n");
  EXPECT_NE(e.find("behaviors.tsv:1: expected 5 tab-separated fields"), std::string::npos) << e;
  e = error_with("MINDsmall_train/behaviors.tsv", "1\t\t11/15/2019 8:00:00 AM\tN1\tN1-1\n");
  EXPECT_NE(e.find("behaviors.tsv:1: the user id in column 2 is empty"), std::string::npos) << e;
  e = error_with("MINDsmall_dev/behaviors.tsv", "1\tU1\t11/15/2019 8:00:00 AM\tN1\t\n");
  EXPECT_NE(e.find("behaviors.tsv:1: the impression in column 5 lists no news"), std::string::npos) << e;

  testing::TempDir empty;
  e = error_of([&] { load_mind(empty.path()); });
  EXPECT_NE(e.find("MINDsmall_train/news.tsv not found; run `tailrec data fetch mind_small`"), std::string::npos) << e;
  e = error_of([&] { make_source("mind", "{data_dir: '" + empty.path().string() + "'}")->load_files({"a", "b"}); });
  EXPECT_NE(e.find("use split=predefined"), std::string::npos) << e;
}

TEST(DatasetsMind, FilesAndParamsSelectTheRelease) {
  const auto source =
      make_source("mind", "{data_dir: /data, train: MINDlarge_train, dev: MINDlarge_dev}");
  EXPECT_EQ(source->files(), (std::vector<std::filesystem::path>{"/data/MINDlarge_train/news.tsv",
                                                                 "/data/MINDlarge_train/behaviors.tsv",
                                                                 "/data/MINDlarge_dev/news.tsv",
                                                                 "/data/MINDlarge_dev/behaviors.tsv"}));
}

}  // namespace
}  // namespace tailrec
