// Regressions found by the libFuzzer targets (tests/fuzz, docs/fuzzing.md): each input here is the
// minimised reproducer committed under tests/fuzz/regressions/<target>/, replayed in the normal build.
#include <gtest/gtest.h>

#include "datasets/delimited_reader.hpp"
#include "datasets/field_parsing.hpp"
#include "unit/datasets/dataset_test_support.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

using test::error_of;

float rating_of(const std::string& text) {
  DelimitedReader r(text, "r.csv", {";", false});
  EXPECT_TRUE(r.next());
  return read_rating(r, 0);
}

// tests/fuzz/regressions/delimited/rating_overflows_float: "1e57" is a finite double, but narrowed to the
// float a rating is stored in it became inf, although read_rating promises a finite rating.
TEST(DatasetsFuzzRegressions, RatingBeyondFloatRangeIsAnError) {
  const auto message = error_of([] { rating_of("1e57"); });
  EXPECT_NE(message.find("r.csv:1: rating '1e57' in column 1 is too large"), std::string::npos) << message;
  EXPECT_NE(error_of([] { rating_of("-3.5e38"); }), "<no error>");
  // FLT_MAX = (2 - 2^-23) * 2^127 = 3.4028234663852886e38; anything up to it still reads.
  EXPECT_EQ(rating_of("3.4028234663852886e38"), 3.4028234663852886e38f);
  EXPECT_EQ(rating_of("-3.4e38"), -3.4e38f);
  EXPECT_NE(error_of([] { rating_of("3.40282347e38"); }), "<no error>");  // above FLT_MAX by about 3.6e29
}

// tests/fuzz/regressions/movielens/abstracts_number_out_of_range: the same nlohmann::json out_of_range
// (a number beyond double's range) escaped the movielens_csv abstracts reader, which caught only parse_error.
TEST(DatasetsFuzzRegressions, AbstractsNumberOutOfRangeIsAnError) {
  testing::TempDir dir;
  dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,5\n");
  dir.write("abstracts.json", "{\"1\": 1e999}\n");
  const auto message = error_of([&] {
    (void)test::make_source("movielens_csv", "{data_dir: '" + dir.path().string() + "', abstracts: abstracts.json}")->load();
  });
  EXPECT_NE(message.find("abstracts.json: not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("number overflow"), std::string::npos) << message;
}

}  // namespace
}  // namespace tailrec
