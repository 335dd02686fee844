#include "framework/util/strings.hpp"

#include <gtest/gtest.h>

namespace tailrec {
namespace {

TEST(Strings, ParsesNumbersStrictly) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int(" -7 "), -7);
  EXPECT_FALSE(parse_int("4x"));
  EXPECT_FALSE(parse_int("99999999999999999999"));
  EXPECT_DOUBLE_EQ(*parse_double("3.5"), 3.5);
  EXPECT_FALSE(parse_double("nan"));
  EXPECT_FALSE(parse_double("inf"));
  EXPECT_FALSE(parse_double(""));
}

TEST(Strings, EditDistanceAndSuggestions) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(did_you_mean("most_popluar", {"most_popular", "random"}), " (did you mean 'most_popular'?)");
  EXPECT_EQ(did_you_mean("zzzzzz", {"most_popular", "random"}), "");
}

}  // namespace
}  // namespace tailrec
