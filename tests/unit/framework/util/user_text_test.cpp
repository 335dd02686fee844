// User text quoted back in errors: bounded, control bytes and broken UTF-8 escaped; the UTF-8 check.
#include "framework/util/user_text.hpp"

#include <string>

#include <gtest/gtest.h>

namespace tailrec {
namespace {

TEST(UserText, InvalidUtf8AtFindsTheFirstBadByte) {
  EXPECT_EQ(invalid_utf8_at("plain ascii"), std::string::npos);
  EXPECT_EQ(invalid_utf8_at("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::string::npos);  // é € 😀
  EXPECT_EQ(invalid_utf8_at("a\xff" "b"), 1u);
  EXPECT_EQ(invalid_utf8_at("caf\xe9"), 3u);                // Latin-1 é
  EXPECT_EQ(invalid_utf8_at("\xc0\xaf"), 0u);               // overlong '/'
  EXPECT_EQ(invalid_utf8_at("x\xed\xa0\x80"), 1u);          // a UTF-16 surrogate
  EXPECT_EQ(invalid_utf8_at("\xf4\x90\x80\x80"), 0u);       // above U+10FFFF
  EXPECT_EQ(invalid_utf8_at("ab\xe2\x82"), 2u);             // cut short
}

TEST(UserText, ShownEscapesAndBounds) {
  EXPECT_EQ(shown("abc"), "abc");
  // escape_terminal's spelling, and newlines and tabs too: a quoted value stays on the error's line
  EXPECT_EQ(shown(std::string("a\0b\x1b[31m\x7f\n\t", 11)), "a\\x00b\\e[31m\\x7F\\x0A\\x09");
  EXPECT_EQ(shown("caf\xe9 caf\xc3\xa9"), "caf\\xE9 caf\xc3\xa9");  // the broken byte escaped, valid UTF-8 kept
  const std::string big(10 << 20, '9');
  EXPECT_EQ(shown(big), std::string(60, '9') + "... (10485760 bytes)");
  EXPECT_EQ(shown(big, 5), "99999... (10485760 bytes)");
  EXPECT_EQ(shown("\xe2\x82\xac\xe2\x82\xac", 4), "\xe2\x82\xac\xe2\x82\xac");  // a character is not cut in two
}

TEST(UserText, FirstFewCountsTheRest) {
  EXPECT_EQ(first_few({}), "");
  EXPECT_EQ(first_few({"a", "b"}), "a, b");
  EXPECT_EQ(first_few({"a", "b", "c", "d"}, 2), "a, b and 2 more");
  EXPECT_EQ(first_few({"a", "b", "c"}, 2, "; "), "a; b and 1 more");
}

}  // namespace
}  // namespace tailrec
