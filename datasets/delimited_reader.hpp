#pragma once
// A small, fast reader of delimited text (CSV, TSV, MovieLens "::" files) over a file held in
// memory. Fields are string_views into the text; quoted fields follow RFC 4180 (doubled quotes,
// separators and newlines inside quotes). It skips a UTF-8 BOM and blank lines, accepts CRLF, and
// knows the line each record starts on, so every parse error can name file:line.
#include <string>
#include <string_view>
#include <vector>

namespace tailrec {

struct DelimitedFormat {
  std::string separator = ",";  // one or more bytes ("," "\t" "::" "|")
  bool quoting = true;          // honour RFC 4180 quotes; off for formats that never quote
};

class DelimitedReader {
 public:
  // `file` names the source in error messages.
  DelimitedReader(std::string text, std::string file, DelimitedFormat format);

  // Advances to the next non-blank record; false at the end of the text.
  bool next();
  size_t size() const { return fields_.size(); }
  std::string_view operator[](size_t column) const { return fields_[column]; }
  const std::vector<std::string_view>& fields() const { return fields_; }
  // 1-based line on which the current record starts.
  size_t line() const { return record_line_; }
  const std::string& file() const { return file_; }
  std::string where() const;  // "file:line"
  // Throws tailrec::Error "file:line: message".
  [[noreturn]] void fail_here(const std::string& message) const;
  // Throws unless the current record has exactly `count` fields.
  void expect_columns(size_t count) const;
  // Throws unless the current record has at least `count` fields.
  void expect_at_least(size_t count) const;

 private:
  void parse_plain(size_t end_of_line);
  void reject_carriage_return_line_ends() const;
  std::string text_;
  std::string file_;
  DelimitedFormat format_;
  size_t pos_ = 0;
  size_t line_ = 1;  // line of pos_
  size_t record_line_ = 0;
  std::vector<std::string_view> fields_;
  std::vector<std::string> unescaped_;  // storage for quoted fields with doubled quotes
};

}  // namespace tailrec
