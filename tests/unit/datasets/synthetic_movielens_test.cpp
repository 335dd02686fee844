// `tailrec data synth ml20m_like`: exact sizes, byte-identical output for a seed, MovieLens-20M's
// guarantees (>= 20 distinct items per user, every item rated, half stars, 1995-2015), a heavy
// popularity tail, and the ml-20m loader reading the result.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "datasets/synthetic_movielens.hpp"
#include "unit/datasets/dataset_test_support.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Row {
  int64_t user, movie;
  std::string rating;
  int64_t timestamp;
};

std::vector<Row> parse_ratings(const std::string& text, std::string& header) {
  std::vector<Row> rows;
  std::istringstream in(text);
  std::getline(in, header);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string field;
    while (std::getline(ls, field, ',')) f.push_back(field);
    EXPECT_EQ(f.size(), 4u) << line;
    if (f.size() != 4) continue;
    rows.push_back({std::stoll(f[0]), std::stoll(f[1]), f[2], std::stoll(f[3])});
  }
  return rows;
}

class SynthTest : public ::testing::Test {
 protected:
  fs::path dir(const std::string& name) {
    const auto d = fs::temp_directory_path() / ("tailrec_synth_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(d);
    made_.push_back(d);
    return d;
  }
  void TearDown() override {
    for (const auto& d : made_) fs::remove_all(d);
  }
  std::vector<fs::path> made_;
};

TEST(SynthShape, MovieLens20MSizesAtScaleOne) {
  const auto shape = ml20m_like_shape(1.0);
  EXPECT_EQ(shape.users, 138'493);
  EXPECT_EQ(shape.items, 26'744);
  EXPECT_EQ(shape.interactions, 20'000'263);
  EXPECT_EQ(shape.min_activity, 20);
  EXPECT_EQ(shape.max_activity, 9'254);
  // Users and interactions scale with F, items with sqrt(F): 1384.93 -> 1385, 2674.4 -> 2674.
  const auto small = ml20m_like_shape(0.01);
  EXPECT_EQ(small.users, 1'385);
  EXPECT_EQ(small.items, 2'674);
  EXPECT_EQ(small.interactions, 200'003);
  EXPECT_EQ(small.max_activity, 925);  // 9254 * 2674 / 26744 = 925.27
}

TEST(SynthShape, RejectsScalesWithoutTheGuarantees) {
  EXPECT_NE(test::error_of([] { ml20m_like_shape(0); }).find("--scale 0 is out of range"), std::string::npos);
  EXPECT_NE(test::error_of([] { ml20m_like_shape(11); }).find("out of range"), std::string::npos);
  // 0.0002: 28 users x at most round(9254 * 378 / 26744) = 131 ratings < 4000 interactions.
  EXPECT_NE(test::error_of([] { ml20m_like_shape(0.0002); }).find("use --scale 0.00025 or more"), std::string::npos);
  EXPECT_NE(test::error_of([] { ml20m_like_shape(1e-7); }).find("use --scale 0.00025 or more"), std::string::npos);
  EXPECT_EQ(ml20m_like_shape(0.00025).users, 35);  // 35 x 146 >= 5000
}

TEST_F(SynthTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const auto a = dir("a"), b = dir("b"), c = dir("c");
  write_ml20m_like(a, {7, 0.01});
  write_ml20m_like(b, {7, 0.01});
  write_ml20m_like(c, {8, 0.01});
  for (const char* file : {"ratings.csv", "movies.csv", "README.txt"}) EXPECT_EQ(slurp(a / file), slurp(b / file)) << file;
  for (const auto& file : fs::directory_iterator(a))  // no temporary file left
    EXPECT_FALSE(file.path().filename().string().ends_with(".tmp")) << file.path();
  EXPECT_NE(slurp(a / "ratings.csv"), slurp(c / "ratings.csv"));
}

TEST_F(SynthTest, ExactCountsAndMovieLensGuarantees) {
  const auto d = dir("counts");
  const auto summary = write_ml20m_like(d, {0, 0.01});
  std::string header;
  const auto rows = parse_ratings(slurp(d / "ratings.csv"), header);
  EXPECT_EQ(header, "userId,movieId,rating,timestamp");
  ASSERT_EQ(rows.size(), 200'003u);

  std::map<int64_t, int64_t> per_user, per_item;
  std::set<std::pair<int64_t, int64_t>> pairs;
  std::map<std::string, int64_t> stars;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ++per_user[r.user];
    ++per_item[r.movie];
    pairs.emplace(r.user, r.movie);
    ++stars[r.rating];
    EXPECT_GE(r.timestamp, 789'652'009);  // 1995-01-09
    EXPECT_LE(r.timestamp, 1'427'784'002);  // 2015-03-31
    if (i > 0) {  // sorted by user, then movie, like ml-20m's ratings.csv
      const auto& p = rows[i - 1];
      EXPECT_TRUE(p.user < r.user || (p.user == r.user && p.movie < r.movie)) << "row " << i;
    }
  }
  EXPECT_EQ(pairs.size(), rows.size());  // distinct user-item pairs
  EXPECT_EQ(per_user.size(), 1'385u);
  EXPECT_EQ(per_user.begin()->first, 1);
  EXPECT_EQ(per_user.rbegin()->first, 1'385);
  EXPECT_EQ(per_item.size(), 2'674u);  // every item rated at least once
  EXPECT_EQ(per_item.begin()->first, 1);
  EXPECT_EQ(per_item.rbegin()->first, 2'674);
  int64_t fewest = rows.size(), most = 0;
  for (const auto& [u, n] : per_user) fewest = std::min(fewest, n), most = std::max(most, n);
  EXPECT_EQ(fewest, 20);  // ML-20M's guarantee, and the log-normal's floor is reached
  EXPECT_LE(most, 925);

  // Half stars only, in ML-20M's proportions (its histogram / 20,000,263, e.g. 4.0: 27.81%).
  const std::map<std::string, double> ml20m{{"0.5", 0.011956}, {"1.0", 0.034036}, {"1.5", 0.013962},
                                            {"2.0", 0.071548}, {"2.5", 0.044169}, {"3.0", 0.214557},
                                            {"3.5", 0.110005}, {"4.0", 0.278090}, {"4.5", 0.076740},
                                            {"5.0", 0.144929}};
  EXPECT_EQ(stars.size(), 10u);
  for (const auto& [text, share] : ml20m)  // 4.5 binomial standard deviations at most ~0.0045
    EXPECT_NEAR(static_cast<double>(stars[text]) / static_cast<double>(rows.size()), share, 0.0045) << text;

  // A heavy popularity tail: the top 1% of items (27) hold several times their uniform 1% share,
  // the bottom half of the items far less than half; the summary agrees with the file.
  std::vector<int64_t> counts;
  for (const auto& [m, n] : per_item) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  int64_t top = 0, bottom_half = 0;
  for (size_t i = 0; i < 27; ++i) top += counts[i];
  for (size_t i = counts.size() / 2; i < counts.size(); ++i) bottom_half += counts[i];
  const double top_share = static_cast<double>(top) / static_cast<double>(rows.size());
  EXPECT_GT(top_share, 0.07);  // 7x the uniform share
  EXPECT_LT(static_cast<double>(bottom_half) / static_cast<double>(rows.size()), 0.15);
  EXPECT_DOUBLE_EQ(summary.top1_share, top_share);
  EXPECT_EQ(summary.max_item_count, counts.front());
  EXPECT_LE(counts.front(), 1'385);  // no item has more raters than there are users

  // movies.csv: one line per movie, ids 1..items, no quoting needed.
  std::istringstream movies(slurp(d / "movies.csv"));
  std::string line;
  std::getline(movies, line);
  EXPECT_EQ(line, "movieId,title,genres");
  int64_t expected_id = 1;
  while (std::getline(movies, line)) {
    EXPECT_EQ(line.substr(0, line.find(',')), std::to_string(expected_id)) << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 2) << line;
    ++expected_id;
  }
  EXPECT_EQ(expected_id, 2'675);
}

TEST_F(SynthTest, TheMovieLensCsvLoaderReadsIt) {
  const auto d = dir("loader");
  write_ml20m_like(d, {3, 0.002});  // 277 users, 1196 items, 40,001 ratings
  const auto data = test::make_source("movielens_csv", "{data_dir: '" + d.string() + "'}")->load();
  EXPECT_EQ(data.users.size(), 277);
  EXPECT_EQ(data.items.size(), 1'196);
  EXPECT_EQ(data.log.size(), 40'001u);
  const auto title = data.content.value("title", data.items.find("1"));
  EXPECT_EQ(title.rfind("Synthetic Movie 1 (", 0), 0u) << title;
  EXPECT_FALSE(data.content.value("genres", data.items.find("1")).empty());
}

}  // namespace
}  // namespace tailrec
