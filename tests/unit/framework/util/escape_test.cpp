// framework/util/escape: each output format's escaping against hand-written expected strings,
// hostile inputs included (backquotes, formulas, markup, terminal control sequences, separators in
// ids, invalid UTF-8).
#include <gtest/gtest.h>

#include <string>

#include "framework/util/escape.hpp"

namespace tailrec {
namespace {

const std::string kInvalid = "a\xFF" "b\xC3";          // a stray byte and a truncated 2-byte sequence
const std::string kOverlong = "\xC0\xAF";               // '/' spelled in 2 bytes: invalid
const std::string kSurrogate = "\xED\xA0\x80";          // U+D800: invalid in UTF-8
const std::string kReplacement = "\xEF\xBF\xBD";        // U+FFFD

TEST(Escape, ValidUtf8ReplacesEachBadByte) {
  EXPECT_EQ(valid_utf8("héllo ↑"), "héllo ↑");
  EXPECT_EQ(valid_utf8(kInvalid), "a" + kReplacement + "b" + kReplacement);
  EXPECT_EQ(valid_utf8(kOverlong), kReplacement + kReplacement);
  EXPECT_EQ(valid_utf8(kSurrogate), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), kReplacement + kReplacement + kReplacement + kReplacement);  // > U+10FFFF
}

TEST(Escape, TsvFieldKeepsTabAndSpaceIdsApart) {
  EXPECT_EQ(escape_tsv_field("a\tb"), "a\\tb");
  EXPECT_EQ(escape_tsv_field("a b"), "a b");
  EXPECT_EQ(escape_tsv_field("line\nbreak\r"), "line\\nbreak\\r");
  EXPECT_EQ(escape_tsv_field("C:\\new"), "C:\\\\new");   // a backslash before n is not a newline
  EXPECT_EQ(escape_tsv_field("\x1b[31mred\x07"), "\\x1B[31mred\\x07");
  EXPECT_EQ(escape_tsv_field(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(escape_tsv_field(kInvalid), "a\\xFFb\\xC3");
  EXPECT_EQ(escape_tsv_field("ünïcode ↓"), "ünïcode ↓");
}

TEST(Escape, TsvFieldRoundTrips) {
  for (const std::string& text : {std::string("a\tb"), std::string("x\\ty"), std::string("C:\\new\n"), kInvalid,
                                 std::string("\x1b[2J\x7f"), std::string("\\x41"), std::string("end\\")})
    EXPECT_EQ(unescape_tsv_field(escape_tsv_field(text)), text) << text;
  EXPECT_EQ(unescape_tsv_field("a\\qb"), "a\\qb");  // an unknown escape stays as written
}

TEST(Escape, CsvCellQuotesAndNeutralisesFormulas) {
  EXPECT_EQ(escape_csv_cell("plain"), "plain");
  EXPECT_EQ(escape_csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(escape_csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(escape_csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(escape_csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(escape_csv_cell("=1+2"), "'=1+2");
  EXPECT_EQ(escape_csv_cell("+cmd"), "'+cmd");
  EXPECT_EQ(escape_csv_cell("-2+3"), "'-2+3");
  EXPECT_EQ(escape_csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(escape_csv_cell("\t=1"), "'\t=1");
  EXPECT_EQ(escape_csv_cell("\r=1"), "\"'\r=1\"");
  // Real numbers stay numbers.
  EXPECT_EQ(escape_csv_cell("-0.5"), "-0.5");
  EXPECT_EQ(escape_csv_cell("+3"), "+3");
  EXPECT_EQ(escape_csv_cell("-1e-3"), "-1e-3");
  EXPECT_EQ(escape_csv_cell("-inf"), "'-inf");
  EXPECT_EQ(escape_csv_cell(" lead"), "\" lead\"");
  EXPECT_EQ(escape_csv_cell(kInvalid), "a" + kReplacement + "b" + kReplacement);
  EXPECT_EQ(escape_csv_cell(""), "");
  EXPECT_EQ(escape_csv_cell("\x1b[31m\x07"), kReplacement + "[31m" + kReplacement);
}

TEST(Escape, MarkdownCellHasNoHtmlNoSplitNoMarkup) {
  EXPECT_EQ(escape_markdown_cell("a|b\nc*"), "a\\|b c\\*");
  EXPECT_EQ(escape_markdown_cell("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(escape_markdown_cell("a & b"), "a &amp; b");
  EXPECT_EQ(escape_markdown_cell("[x](javascript:y)"), "\\[x\\](javascript:y)");
  EXPECT_EQ(escape_markdown_cell("`code` *em* item_knn \\"), "\\`code\\` \\*em\\* item_knn \\\\");
  EXPECT_EQ(escape_markdown_cell("cr\rlf\r\n\x1b[31m"), "cr lf   \\[31m");
  EXPECT_EQ(escape_markdown_cell(kInvalid), "a" + kReplacement + "b" + kReplacement);
}

TEST(Escape, MarkdownCodeSpanOrEscapedText) {
  EXPECT_EQ(escape_markdown_code("results/run 1"), "`results/run 1`");
  EXPECT_EQ(escape_markdown_code("a|b <i>"), "`a\\|b <i>`");  // no HTML inside a code span; | kept in its cell
  EXPECT_EQ(escape_markdown_code("`x`"), "\\`x\\`");
  EXPECT_EQ(escape_markdown_code("two\nlines"), "two lines");
  EXPECT_EQ(escape_markdown_code(kInvalid), "a" + kReplacement + "b" + kReplacement);
}

TEST(Escape, HtmlTextAndAttributes) {
  EXPECT_EQ(escape_html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  EXPECT_EQ(escape_html("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(escape_html("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(escape_html("\x1b[31m\x07"), kReplacement + "[31m" + kReplacement);
  EXPECT_EQ(escape_html(kInvalid), "a" + kReplacement + "b" + kReplacement);
}

TEST(Escape, Latex) {
  EXPECT_EQ(escape_latex("item_knn & 5% #1 {x} $y"), "item\\_knn \\& 5\\% \\#1 \\{x\\} \\$y");
  EXPECT_EQ(escape_latex("a~b^c\\d"), "a\\textasciitilde{}b\\textasciicircum{}c\\textbackslash{}d");
  EXPECT_EQ(escape_latex("0.1 ± 0.2†"), "0.1 $\\pm$ 0.2$^\\dagger$");
  EXPECT_EQ(escape_latex("<b>"), "\\textless{}b\\textgreater{}");
  // A newline would end a % comment line; \input or \write18 after it would run.
  EXPECT_EQ(escape_latex("x\n\\input{/etc/passwd}"), "x \\textbackslash{}input\\{/etc/passwd\\}");
  EXPECT_EQ(escape_latex(kInvalid), "a?b?");
}

TEST(Escape, GnuplotStringNeverCarriesABackquote) {
  EXPECT_EQ(gnuplot_string("item_knn"), "\"item_knn\"");
  EXPECT_EQ(gnuplot_string("`touch pwned`"), "\"\\140touch pwned\\140\"");
  EXPECT_EQ(gnuplot_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(gnuplot_string("@macro $HOME"), "\"\\100macro \\044HOME\"");
  EXPECT_EQ(gnuplot_string("two\nlines\tx"), "\"two\\nlines x\"");
  EXPECT_EQ(gnuplot_string("\x1b[31m\r"), "\"" + kReplacement + "[31m" + kReplacement + "\"");
  EXPECT_EQ(gnuplot_string(kInvalid), "\"a" + kReplacement + "b" + kReplacement + "\"");
}

TEST(Escape, GnuplotDataStringAndComment) {
  EXPECT_EQ(gnuplot_data_string("say \"hi\"\tnow\n"), "\"say 'hi' now \"");
  EXPECT_EQ(gnuplot_data_string(kInvalid), "\"a" + kReplacement + "b" + kReplacement + "\"");
  // A newline in a comment would start a command line: system("...") would run.
  EXPECT_EQ(gnuplot_comment("title\nsystem(\"touch x\")"), "title system(\"touch x\")");
  EXPECT_EQ(gnuplot_comment("a\r\x0b" "b"), "a  b");
}

TEST(Escape, TerminalShowsControlBytes) {
  EXPECT_EQ(escape_terminal("\x1b[31mred\x1b[0m"), "\\e[31mred\\e[0m");
  EXPECT_EQ(escape_terminal("\x1b]0;owned\x07"), "\\e]0;owned\\x07");  // set-title sequence
  EXPECT_EQ(escape_terminal("ok\rfake"), "ok\\x0Dfake");
  EXPECT_EQ(escape_terminal(std::string("nul\0del\x7f", 8)), "nul\\x00del\\x7F");
  EXPECT_EQ(escape_terminal("c1 \xC2\x9B" "2J \xC2\x85"), "c1 \\x9B2J \\x85");  // CSI and NEL as UTF-8
  EXPECT_EQ(escape_terminal("keeps\ttab\nand newline, ünïcode ↑"), "keeps\ttab\nand newline, ünïcode ↑");
  EXPECT_EQ(escape_terminal(kInvalid), "a\\xFFb\\xC3");
}

TEST(Escape, TerminalBoundedCutsWithANote) {
  EXPECT_EQ(escape_terminal("short", 4000), "short");
  EXPECT_EQ(escape_terminal(std::string(10, 'x'), 4), "xxxx... [6 more bytes cut]");
  // Never inside an escape or a character: "\e" needs 2 bytes, "é" 2 bytes.
  EXPECT_EQ(escape_terminal("ab\x1b" "cd", 3), "ab... [3 more bytes cut]");
  EXPECT_EQ(escape_terminal("abé", 3), "ab... [2 more bytes cut]");
  const auto huge = escape_terminal(std::string(1000000, 'k'), 4000);
  EXPECT_EQ(huge, std::string(4000, 'k') + "... [996000 more bytes cut]");
}

}  // namespace
}  // namespace tailrec
