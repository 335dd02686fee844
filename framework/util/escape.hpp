#pragma once
// Escaping for every output format tailrec writes, one function per format. Labels, ids, dataset
// names, config values and anything read back from a stored run folder (which anyone may have
// edited) reach these outputs; each function makes such text inert in its format. Every function
// also takes care of invalid UTF-8: no output passes an invalid byte sequence through raw.
// docs/reports.md ("Escaping") lists the rules.
#include <cstddef>
#include <string>
#include <string_view>

namespace tailrec {

// Valid UTF-8 with each byte of an invalid sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// A TSV field: tab, newline, CR and backslash become \t \n \r \\; other control bytes (C0, DEL) and
// the bytes of invalid UTF-8 become \xHH. Reversible (unescape_tsv_field), so ids `a<TAB>b` and
// `a b` stay distinct and no value splits or merges cells or rows.
std::string escape_tsv_field(std::string_view text);
// The inverse of escape_tsv_field (an unknown escape is kept as written).
std::string unescape_tsv_field(std::string_view text);

// A CSV text cell (RFC 4180): a cell starting with = + - @ TAB or CR (a formula to a spreadsheet)
// gets a leading apostrophe unless the whole cell is a finite number such as -0.5; then a cell
// holding a comma, quote, CR or newline, or starting or ending with a space, is double-quoted with
// quotes doubled. Control bytes other than tab, newline and CR, and invalid UTF-8, become U+FFFD.
std::string escape_csv_cell(std::string_view text);

// A Markdown (GitHub) table cell or list item: no raw HTML (< > & become entities), nothing that
// splits the cell (| becomes \|), no link, emphasis or code markup (\ ` * [ ] are backslash-escaped;
// _ is left alone: GitHub never reads it as emphasis inside a word such as item_knn), newlines and
// other control bytes become spaces. Invalid UTF-8 becomes U+FFFD.
std::string escape_markdown_cell(std::string_view text);
// A Markdown code span (`text`, | as \| so it keeps a table cell whole) for a path or a command
// line; text holding a backquote, a control byte or invalid UTF-8 gets escape_markdown_cell instead.
std::string escape_markdown_code(std::string_view text);

// HTML text or a double- or single-quoted attribute value: & < > " ' become entities; control
// bytes other than tab, newline and CR, and invalid UTF-8, become U+FFFD.
std::string escape_html(std::string_view text);

// LaTeX text: \ & % $ # _ { } ~ ^ < > become their LaTeX spellings, the report's few symbols
// (± † ↑ ↓ · — – ≥ ≤) math or dashes, newlines and other control bytes spaces, invalid UTF-8 '?'.
std::string escape_latex(std::string_view text);

// A gnuplot string literal, quotes included: double-quoted, with \ and " backslash-escaped, and
// ` $ @ written as octal escapes (\140 \044 \100): gnuplot substitutes `command` even inside double
// quotes, but only in the raw line, before it decodes escapes. Newline stays a line break (\n), tab
// a space; other control bytes and invalid UTF-8 become U+FFFD.
std::string gnuplot_string(std::string_view text);
// A string field of a gnuplot data file (which gnuplot neither unescapes nor substitutes): double
// quotes become apostrophes, control bytes spaces, invalid UTF-8 U+FFFD; quotes included.
std::string gnuplot_data_string(std::string_view text);
// Text after '#' on a comment line of a gnuplot script or data file: nothing can end the line
// (control bytes become spaces, invalid UTF-8 U+FFFD).
std::string gnuplot_comment(std::string_view text);

// Text for the user's terminal (console, stderr, run.log): control bytes other than newline and tab
// (NUL, BEL, CR, DEL, C1 controls U+0080..U+009F) are shown as \xHH, ESC as \e, and each byte of
// invalid UTF-8 as \xHH, so nothing printed can move the cursor, recolour or retitle the terminal.
std::string escape_terminal(std::string_view text);
// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or npos when `text` is valid UTF-8.
size_t invalid_utf8_at(std::string_view text);
// escape_terminal, cut to at most `max_bytes` bytes of the original text (at a character
// boundary) with a note saying how many bytes were cut: "... [12345 more bytes cut]".
std::string escape_terminal(std::string_view text, size_t max_bytes);

}  // namespace tailrec
