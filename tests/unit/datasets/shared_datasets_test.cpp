// The real MovieLens files from the shared folder (skipped when it is absent) and the embedded
// ml-latest-small: published counts, and a few known titles.
#include <algorithm>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "unit/datasets/dataset_test_support.hpp"

namespace tailrec {
namespace {

using test::make_source;

std::string shared(const std::string& relative) { return std::string(TAILREC_SHARED_DIR) + "/datasets/" + relative; }

#define SKIP_WITHOUT(path)                                                                \
  if (!std::filesystem::exists(path)) GTEST_SKIP() << (path) << " not available"

size_t distinct(const std::vector<int32_t>& ids) { return std::set<int32_t>(ids.begin(), ids.end()).size(); }

TEST(DatasetsShared, MovieLens100k) {
  SKIP_WITHOUT(shared("ml-100k/u.data"));
  const auto source = make_source("movielens_100k", "{data_dir: '" + shared("") + "'}");  // finds ml-100k/
  const auto data = source->load();
  EXPECT_EQ(data.log.size(), 100000u);
  EXPECT_EQ(data.users.size(), 943);
  EXPECT_EQ(data.items.size(), 1682);
  EXPECT_EQ(data.items.external(0), "1");
  EXPECT_EQ(data.content.value("title", 0), "Toy Story (1995)");
  EXPECT_EQ(data.content.value("genres", 0), "Animation Children's Comedy");
  EXPECT_EQ(data.content.value("title", data.items.find("543")), "Mis\xC3\xA9rables, Les (1995)");
  // u1.base has 80,000 rows and u1.test 20,000.
  const auto split = source->load_files({"u1.base", "u1.test"});
  EXPECT_EQ(std::count(split.predefined_fold.begin(), split.predefined_fold.end(), 0), 80000);
  EXPECT_EQ(std::count(split.predefined_fold.begin(), split.predefined_fold.end(), 1), 20000);
}

TEST(DatasetsShared, MovieLens1m) {
  SKIP_WITHOUT(shared("ml-1m/ratings-reconstructed.dat"));
  const auto data =
      make_source("movielens_1m", "{data_dir: '" + shared("ml-1m") + "', ratings_file: ratings-reconstructed.dat}")->load();
  EXPECT_EQ(data.log.size(), 1000209u);
  EXPECT_EQ(data.users.size(), 6040);
  EXPECT_EQ(data.items.size(), 3706);
  EXPECT_EQ(data.content.value("title", data.items.find("73")), "Mis\xC3\xA9rables, Les (1995)");
  EXPECT_EQ(data.content.value("genres", data.items.find("73")), "Drama Musical");
}

TEST(DatasetsShared, NcfSplitThroughDelimited) {
  SKIP_WITHOUT(shared("ml-1m/ncf/ml-1m.train.rating"));
  const auto source = make_source("delimited", "{path: '" + shared("ml-1m/ncf/ml-1m.train.rating") +
                                                   "', sep: tab, header: false, columns: {user: 0, item: 1, rating: 2}}");
  const auto data = source->load_files({"ml-1m.train.rating", "ml-1m.test.rating"});
  // 994,169 training rows + 6,040 test rows; NCF ids cover 6,040 users and 3,706 items.
  EXPECT_EQ(data.log.size(), 994169u + 6040u);
  EXPECT_EQ(data.users.size(), 6040);
  EXPECT_EQ(data.items.size(), 3706);
  EXPECT_EQ(std::count(data.predefined_fold.begin(), data.predefined_fold.end(), 1), 6040);
}

void expect_latest_small(const Dataset& data) {
  EXPECT_EQ(data.log.size(), 100836u);
  EXPECT_EQ(data.users.size(), 610);
  EXPECT_EQ(data.items.size(), 9724);  // of the 9,742 movies, 9,724 have ratings
  EXPECT_EQ(distinct(data.log.users), 610u);
  EXPECT_EQ(data.content.value("title", data.items.find("1")), "Toy Story (1995)");
}

TEST(DatasetsShared, MovieLensLatestSmall) {
  SKIP_WITHOUT(shared("ml-latest-small/ratings.csv"));
  expect_latest_small(make_source("movielens_csv", "{data_dir: '" + shared("ml-latest-small") + "'}")->load());
}

TEST(DatasetsEmbedded, DefaultIsTheEmbeddedLatestSmallWithAbstracts) {
  const auto data = make_source("movielens_csv", "{abstracts: abstracts.json}")->load();
  expect_latest_small(data);
  EXPECT_EQ(data.name, "ml-latest-small");
  int32_t with_abstract = 0;
  for (int32_t i = 0; i < data.items.size(); ++i) with_abstract += data.content.value("abstract", i).empty() ? 0 : 1;
  // abstracts.json holds 2,681 movies of movies.csv; 3 of them have no rating, so 2,678 remain.
  EXPECT_EQ(with_abstract, 2678);
  EXPECT_EQ(data.content.value("abstract", data.items.find("2")).rfind("Jumanji is a 1995 American", 0), 0u);
}

}  // namespace
}  // namespace tailrec
