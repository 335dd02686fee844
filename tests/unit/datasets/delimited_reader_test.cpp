#include "datasets/delimited_reader.hpp"

#include <gtest/gtest.h>

#include "datasets/text_file.hpp"
#include "unit/datasets/dataset_test_support.hpp"

namespace tailrec {
namespace {

using test::error_of;

std::vector<std::string> record(const DelimitedReader& r) { return {r.fields().begin(), r.fields().end()}; }

TEST(DatasetsDelimitedReader, SplitsPlainRecordsAndSkipsBlankLines) {
  DelimitedReader r("a,b,c\n\n1,,3\n", "x.csv", {",", true});
  ASSERT_TRUE(r.next());
  EXPECT_EQ(record(r), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r.line(), 1u);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(record(r), (std::vector<std::string>{"1", "", "3"}));  // empty middle field kept
  EXPECT_EQ(r.line(), 3u);                                          // line 2 was blank
  EXPECT_FALSE(r.next());
}

TEST(DatasetsDelimitedReader, QuotesBomCrlfAndEmbeddedNewlines) {
  DelimitedReader r(read_text_file(test::fixture("delimited/quoted.csv")), "quoted.csv", {",", true});
  ASSERT_TRUE(r.next());
  EXPECT_EQ(record(r), (std::vector<std::string>{"user", "item", "score", "when", "comment"}));  // BOM gone
  ASSERT_TRUE(r.next());
  EXPECT_EQ(record(r), (std::vector<std::string>{"u1", "i,1", "4.5", "100", "plain"}));
  EXPECT_EQ(r.line(), 2u);
  ASSERT_TRUE(r.next());
  // The CRLF inside the quotes is data; "" is one quote.
  EXPECT_EQ(record(r), (std::vector<std::string>{"u2", "i2", "3", "200", "multi\r\nline \"quoted\" comment"}));
  EXPECT_EQ(r.line(), 3u);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(record(r), (std::vector<std::string>{"u1", "i2", "2", "300", ""}));  // trailing empty field, no \r
  EXPECT_EQ(r.line(), 5u);  // the quoted record took lines 3 and 4
  EXPECT_FALSE(r.next());
}

TEST(DatasetsDelimitedReader, MultiByteSeparatorWithoutQuoting) {
  DelimitedReader r("1::Heat \"1995\"::Action|Crime\r\n", "movies.dat", {"::", false});
  ASSERT_TRUE(r.next());
  EXPECT_EQ(record(r), (std::vector<std::string>{"1", "Heat \"1995\"", "Action|Crime"}));
  EXPECT_FALSE(r.next());
}

TEST(DatasetsDelimitedReader, LastLineWithoutNewlineAndQuoteInsideUnquotedField) {
  DelimitedReader r("a,b\"c,\"d\"", "x.csv", {",", true});
  ASSERT_TRUE(r.next());
  EXPECT_EQ(record(r), (std::vector<std::string>{"a", "b\"c", "d"}));
  EXPECT_FALSE(r.next());
}

TEST(DatasetsDelimitedReader, ErrorsNameFileAndLine) {
  EXPECT_NE(error_of([] {
              DelimitedReader r("h\n\"never closed\nmore\n", "u.csv", {",", true});
              while (r.next()) {
              }
            }).find("u.csv:2: a quoted field opened here is never closed"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              DelimitedReader r("\"a\"b,c\n", "v.csv", {",", true});
              r.next();
            }).find("v.csv:1: unexpected character 'b' after a closing quote"),
            std::string::npos);
  DelimitedReader r("a,b\nc\n", "w.csv", {",", true});
  r.next();
  r.next();
  EXPECT_NE(error_of([&] { r.expect_columns(2); }).find("w.csv:2: expected 2 columns separated by ',', found 1"),
            std::string::npos);
}

// Classic Mac OS line ends are named as such, not reported as a one-line file: also with a BOM or an
// editor's final LF. A lone trailing \r (one record, no newline), CRLF files, a CR inside a quoted
// field of the first record and an empty text are not CR-only files.
TEST(DatasetsDelimitedReader, CarriageReturnOnlyLineEndsAreNamed) {
  for (const std::string text : {"user,item\r1,2\r3,4\r", "\xEF\xBB\xBFuser,item\r1,2\r", "user,item\r1,2\r3,4\n"}) {
    const auto message = error_of([&] { DelimitedReader r(text, "mac.csv", {",", true}); });
    EXPECT_NE(message.find("mac.csv: its lines end in a carriage return alone"), std::string::npos) << message;
    EXPECT_NE(message.find("tr '\\r' '\\n' < 'mac.csv' > 'mac.csv.converted'"), std::string::npos) << message;
  }
  DelimitedReader single("a,b\r", "one.csv", {",", true});
  ASSERT_TRUE(single.next());
  EXPECT_EQ(record(single), (std::vector<std::string>{"a", "b"}));
  DelimitedReader crlf("a,b\r\nc,d\r\n", "crlf.csv", {",", true});
  ASSERT_TRUE(crlf.next());
  ASSERT_TRUE(crlf.next());
  EXPECT_EQ(record(crlf), (std::vector<std::string>{"c", "d"}));
  DelimitedReader quoted("a,\"x\ry\"", "quoted.csv", {",", true});
  ASSERT_TRUE(quoted.next());
  EXPECT_EQ(record(quoted), (std::vector<std::string>{"a", "x\ry"}));
  DelimitedReader empty("", "empty.csv", {",", true});
  EXPECT_FALSE(empty.next());
}

TEST(DatasetsTextFile, Latin1ToUtf8) {
  // 0xE9 (é) -> C3 A9; 0xFC (ü) -> C3 BC; ASCII unchanged.
  EXPECT_EQ(latin1_to_utf8("Mis\xE9rables \xFC"), "Mis\xC3\xA9rables \xC3\xBC");
}

TEST(DatasetsTextFile, MissingAndEmptyFiles) {
  const auto missing = error_of([] { read_text_file("/nonexistent/u.data", "ml100k"); });
  EXPECT_NE(missing.find("/nonexistent/u.data not found"), std::string::npos) << missing;
  EXPECT_NE(missing.find("tailrec data fetch ml100k"), std::string::npos) << missing;
  const auto empty = error_of([] { read_text_file(test::fixture("delimited/empty.csv")); });
  EXPECT_NE(empty.find("empty.csv is empty"), std::string::npos) << empty;
}

}  // namespace
}  // namespace tailrec
