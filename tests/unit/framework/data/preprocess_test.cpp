// Preprocessing steps on hand-made datasets with hand-computed results: options from config,
// implicit threshold, each duplicate rule, iterated k-core vs one-pass minimum counts, compaction.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/config/config.hpp"
#include "framework/data/preprocess.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {
namespace {

struct Row {
  std::string user;
  std::string item;
  float rating;
  int64_t time;
};

Dataset make_dataset(const std::vector<Row>& rows, bool with_time = true) {
  Dataset data;
  data.name = "tiny";
  std::vector<std::string> users;
  std::vector<std::string> items;
  for (const auto& r : rows) {
    users.push_back(r.user);
    items.push_back(r.item);
  }
  data.users = IdMap::from_ids(users);
  data.items = IdMap::from_ids(items);
  data.log.has_ratings = true;
  for (const auto& r : rows)
    data.log.push(data.users.find(r.user), data.items.find(r.item), r.rating, with_time ? r.time : kNoTimestamp);
  return data;
}

// The log as external (user, item, rating, time) rows, in log order.
std::vector<Row> rows_of(const Dataset& data) {
  std::vector<Row> out;
  for (size_t k = 0; k < data.log.size(); ++k)
    out.push_back({data.users.external(data.log.users[k]), data.items.external(data.log.items[k]), data.log.ratings[k],
                   data.log.has_timestamps() ? data.log.timestamps[k] : kNoTimestamp});
  return out;
}

bool operator==(const Row& a, const Row& b) {
  return a.user == b.user && a.item == b.item && a.rating == b.rating && a.time == b.time;
}
std::ostream& operator<<(std::ostream& os, const Row& r) {
  return os << "(" << r.user << "," << r.item << "," << r.rating << "," << r.time << ")";
}

PreprocessOptions options(const std::string& yaml) {
  YAML::Node root;
  root["preprocess"] = YAML::Load(yaml);
  Config config(root);
  auto out = PreprocessOptions::from_config(config["preprocess"]);
  config.check_all_read();
  return out;
}

// Runs preprocess with a logger that writes to a temporary file and returns what it logged.
std::string run(Dataset& data, const PreprocessOptions& opts) {
  const auto path = (std::filesystem::path(testing::TempDir()) / "tailrec_preprocess_test.log").string();
  std::filesystem::remove(path);
  {
    Logger log;
    log.set_quiet(true);
    log.open_file(path);
    preprocess(data, opts, log);
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string error_of(Dataset data, const PreprocessOptions& opts) {
  try {
    preprocess(data, opts, Logger::null());
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(PreprocessTest, OptionsFromConfig) {
  auto o = options("~");  // no preprocess group: every default
  EXPECT_FALSE(o.implicit_threshold.has_value());
  EXPECT_EQ(o.duplicates, "error");
  EXPECT_EQ(o.user_core, 0);
  o = options("{implicit_threshold: 3.5, duplicates: mean, user_core: 10, item_core: 5, min_user_interactions: 2, "
              "min_item_interactions: 1}");
  EXPECT_EQ(*o.implicit_threshold, 3.5);
  EXPECT_EQ(o.duplicates, "mean");
  EXPECT_EQ(o.user_core, 10);
  EXPECT_EQ(o.item_core, 5);
  EXPECT_EQ(o.min_user_interactions, 2);
  EXPECT_EQ(o.min_item_interactions, 1);
  EXPECT_EQ(o.describe(),
            "implicit_threshold=3.5, duplicates=mean, user_core=10, item_core=5, min_user_interactions=2, "
            "min_item_interactions=1");
  EXPECT_NE(o.hash(), options("{implicit_threshold: 3.5, duplicates: mean}").hash());
  EXPECT_EQ(options("{implicit_threshold: null}").hash(), options("{}").hash());
  EXPECT_NE(options("{implicit_threshold: 0}").hash(), options("{}").hash());

  try {
    options("{user_cor: 5}");
    FAIL() << "unknown key accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'user_core'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(options("{duplicates: latest}"), Error);
  EXPECT_THROW(options("{item_core: -1}"), Error);
  EXPECT_THROW(options("{implicit_threshold: high}"), Error);
}

PreprocessOptions from_file(const std::string& name) {
  return options(YAML::Dump(YAML::LoadFile(std::string(TAILREC_SOURCE_DIR) + "/configs/preprocess/" + name + ".yaml")));
}

TEST(PreprocessTest, ConfigFiles) {
  EXPECT_EQ(from_file("none").hash(), options("{}").hash());  // every default, spelled out
  const auto implicit4 = from_file("implicit4");
  EXPECT_EQ(implicit4.implicit_threshold, 4.0);
  EXPECT_EQ(implicit4.hash(), options("{implicit_threshold: 4}").hash());
  // RecBole's ML-1M recipe: ratings >= 3, then 10-core.
  EXPECT_EQ(from_file("kcore10").hash(), options("{implicit_threshold: 3, user_core: 10, item_core: 10}").hash());
}

TEST(PreprocessTest, ImplicitThresholdKeepsHighRatingsAndCompacts) {
  auto data = make_dataset({{"a", "x", 5, 1}, {"a", "y", 3, 2}, {"b", "x", 4, 3}, {"c", "z", 2, 4}});
  data.content = ItemContent(3);
  data.content.field("title") = {"X", "Y", "Z"};
  data.predefined_fold = {0, 1, 1, 0};
  const auto logged = run(data, options("{implicit_threshold: 4}"));
  // Ratings >= 4: (a,x) and (b,x) stay; user c and items y, z lose every interaction.
  EXPECT_NE(logged.find("removed 2 interactions, 1 users, 2 items"), std::string::npos) << logged;
  EXPECT_EQ(rows_of(data), (std::vector<Row>{{"a", "x", 1, 1}, {"b", "x", 1, 3}}));
  EXPECT_FALSE(data.log.has_ratings);
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"x"}));
  EXPECT_EQ(data.content.num_items(), 1);
  EXPECT_EQ(data.content.value("title", 0), "X");
  EXPECT_EQ(data.predefined_fold, (std::vector<uint8_t>{0, 1}));
}

TEST(PreprocessTest, ThresholdErrors) {
  const auto data = make_dataset({{"a", "x", 5, 1}, {"b", "y", 3, 2}});
  const auto emptied = error_of(data, options("{implicit_threshold: 6}"));
  EXPECT_NE(emptied.find("implicit_threshold=6 removed every interaction of dataset 'tiny'"), std::string::npos)
      << emptied;
  auto implicit = data;
  implicit.log.has_ratings = false;
  EXPECT_NE(error_of(implicit, options("{implicit_threshold: 4}")).find("needs explicit ratings"), std::string::npos);
}

// (a,x) three times (rows 1, 3, 5: ratings 2, 4, 3 at times 10, 5, 30), (a,y) once, (b,y) twice
// (rows 4, 6: ratings 3, 5 at times 1, 2): 3 rows beyond the first of their pair.
Dataset with_duplicates() {
  return make_dataset({{"a", "x", 2, 10}, {"a", "y", 4, 20}, {"a", "x", 4, 5}, {"b", "y", 3, 1}, {"a", "x", 3, 30},
                       {"b", "y", 5, 2}});
}

TEST(PreprocessTest, DuplicatesAreAnErrorByDefault) {
  const auto message = error_of(with_duplicates(), options("{}"));
  // The earliest repeating row is row 3, repeating row 1's pair (a, x).
  EXPECT_NE(message.find("3 duplicated (user, item) rows"), std::string::npos) << message;
  EXPECT_NE(message.find("user 'a', item 'x' (loaded rows 1 and 3)"), std::string::npos) << message;
  EXPECT_NE(message.find("preprocess.duplicates=last|first|max|mean"), std::string::npos) << message;
}

TEST(PreprocessTest, DuplicateRules) {
  auto data = with_duplicates();
  const auto logged = run(data, options("{duplicates: first}"));
  EXPECT_NE(logged.find("removed 3 interactions, 0 users, 0 items"), std::string::npos) << logged;
  // first: rows 1 (a,x,2,10), 2 (a,y) and 4 (b,y,3,1) stay, in log order.
  EXPECT_EQ(rows_of(data), (std::vector<Row>{{"a", "x", 2, 10}, {"a", "y", 4, 20}, {"b", "y", 3, 1}}));

  data = with_duplicates();
  run(data, options("{duplicates: last}"));
  // last: rows 2 (a,y), 5 (a,x,3,30) and 6 (b,y,5,2).
  EXPECT_EQ(rows_of(data), (std::vector<Row>{{"a", "y", 4, 20}, {"a", "x", 3, 30}, {"b", "y", 5, 2}}));

  data = with_duplicates();
  run(data, options("{duplicates: max}"));
  // max: (a,x) -> max(2,4,3) = 4 at the latest time 30; (b,y) -> 5 at time 2; at the first rows' places.
  EXPECT_EQ(rows_of(data), (std::vector<Row>{{"a", "x", 4, 30}, {"a", "y", 4, 20}, {"b", "y", 5, 2}}));

  data = with_duplicates();
  run(data, options("{duplicates: mean}"));
  // mean: (a,x) -> (2+4+3)/3 = 3; (b,y) -> (3+5)/2 = 4.
  EXPECT_EQ(rows_of(data), (std::vector<Row>{{"a", "x", 3, 30}, {"a", "y", 4, 20}, {"b", "y", 4, 2}}));
}

// A: {1, 2}, B: {1, 2}, C: {1, 3}. Item 3 has one interaction.
Dataset cascade() {
  return make_dataset({{"A", "1", 1, 0}, {"A", "2", 1, 0}, {"B", "1", 1, 0}, {"B", "2", 1, 0}, {"C", "1", 1, 0},
                       {"C", "3", 1, 0}});
}

TEST(PreprocessTest, KCoreIteratesUntilStable) {
  auto data = cascade();
  const auto logged = run(data, options("{user_core: 2, item_core: 2}"));
  // Round 1: item 3 (1 interaction) goes, removing (C,3). Round 2: C now has 1 interaction, so (C,1)
  // goes (item 1 keeps 2). Round 3 removes nothing. Total: 2 interactions, 1 user, 1 item.
  EXPECT_NE(logged.find("2 rounds): removed 2 interactions, 1 users, 1 items"), std::string::npos) << logged;
  EXPECT_EQ(rows_of(data), (std::vector<Row>{{"A", "1", 1, 0}, {"A", "2", 1, 0}, {"B", "1", 1, 0}, {"B", "2", 1, 0}}));
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"1", "2"}));
}

TEST(PreprocessTest, MinimumCountsAreOnePass) {
  auto data = cascade();
  const auto logged = run(data, options("{min_user_interactions: 2, min_item_interactions: 2}"));
  // One pass on the counts before removal: only (C,3) goes (item 3 has 1); C keeps (C,1) although it
  // now has a single interaction.
  EXPECT_NE(logged.find("removed 1 interactions, 0 users, 1 items"), std::string::npos) << logged;
  EXPECT_EQ(data.log.size(), 5u);
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"1", "2"}));
}

TEST(PreprocessTest, EmptyingKCoreIsAnError) {
  const auto message = error_of(cascade(), options("{user_core: 3}"));
  EXPECT_NE(message.find("k-core"), std::string::npos) << message;
  EXPECT_NE(message.find("lower preprocess.user_core"), std::string::npos) << message;
}

TEST(PreprocessTest, CompactionRenumbersInExternalIdOrder) {
  // Numeric ids order numerically: users 2 < 10 < 33, items 5 < 40 < 100. Item 40 has one interaction
  // and goes with min_item_interactions = 2; user 10 had only item 40, so user 10 goes too.
  auto data = make_dataset({{"33", "100", 1, 0}, {"10", "40", 1, 0}, {"2", "100", 1, 0}, {"2", "5", 1, 0},
                            {"33", "5", 1, 0}});
  ASSERT_EQ(data.users.find("10"), 1);
  run(data, options("{min_item_interactions: 2}"));
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"2", "33"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"5", "100"}));
  // Dense rows: (33,100) -> (1,1), (2,100) -> (0,1), (2,5) -> (0,0), (33,5) -> (1,0).
  EXPECT_EQ(data.log.users, (std::vector<int32_t>{1, 0, 0, 1}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{1, 1, 0, 0}));
  // No filter at all still drops ids without interactions from the maps.
  auto unused = make_dataset({{"u", "i", 1, 0}});
  unused.items = IdMap::from_ids({"h", "i"});
  unused.log.items = {1};
  run(unused, options("{}"));
  EXPECT_EQ(unused.items.externals(), (std::vector<std::string>{"i"}));
  EXPECT_EQ(unused.log.items, (std::vector<int32_t>{0}));
}

}  // namespace
}  // namespace tailrec
