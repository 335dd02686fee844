#include "datasets/delimited_reader.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "framework/util/error.hpp"

namespace tailrec {

DelimitedReader::DelimitedReader(std::string text, std::string file, DelimitedFormat format)
    : text_(std::move(text)), file_(std::move(file)), format_(std::move(format)) {
  if (format_.separator.empty()) fail("{}: the column separator is empty", file_);
  if (text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // UTF-8 byte order mark
  reject_carriage_return_line_ends();
}

// Classic Mac OS line ends (a carriage return alone) would read as one long line and fail later
// with a message about columns or an empty file that hides the cause. Only the first line is
// looked at: it ends in a bare CR if one comes before the first LF (or, without any LF, before
// the last byte, where a lone CR is an ordinary line end), outside quotes.
void DelimitedReader::reject_carriage_return_line_ends() const {
  const size_t lf = text_.find('\n', pos_);
  const size_t limit = lf != std::string::npos ? lf : (text_.empty() ? 0 : text_.size() - 1);
  size_t cr = text_.find('\r', pos_);
  while (cr != std::string::npos && cr < limit && text_[cr + 1] == '\n') cr = text_.find('\r', cr + 1);
  if (cr == std::string::npos || cr >= limit) return;
  if (format_.quoting && std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                    text_.begin() + static_cast<std::ptrdiff_t>(cr), '"') % 2 == 1)
    return;  // inside a quoted field: data
  fail("{}: its lines end in a carriage return alone (classic Mac OS line ends), so the whole file reads as "
       "one line; convert them first, e.g. tr '\\r' '\\n' < '{}' > '{}.converted'",
       file_, file_, file_);
}

std::string DelimitedReader::where() const { return fmt::format("{}:{}", file_, record_line_); }

void DelimitedReader::fail_here(const std::string& message) const { fail("{}: {}", where(), message); }

void DelimitedReader::expect_columns(size_t count) const {
  if (fields_.size() != count)
    fail_here(fmt::format("expected {} columns separated by '{}', found {}", count, format_.separator, fields_.size()));
}

void DelimitedReader::expect_at_least(size_t count) const {
  if (fields_.size() < count)
    fail_here(fmt::format("expected at least {} columns separated by '{}', found {}", count, format_.separator,
                          fields_.size()));
}

// Splits text_[pos_, end_of_line) on the separator; no quotes involved.
void DelimitedReader::parse_plain(size_t end_of_line) {
  const char* data = text_.data();
  const std::string& sep = format_.separator;
  size_t start = pos_;
  if (sep.size() == 1) {
    const char s = sep[0];
    while (true) {
      const void* hit = std::memchr(data + start, s, end_of_line - start);
      if (!hit) break;
      const auto at = static_cast<size_t>(static_cast<const char*>(hit) - data);
      fields_.emplace_back(data + start, at - start);
      start = at + 1;
    }
  } else {
    const std::string_view line(data + start, end_of_line - start);
    size_t offset = 0;
    while (true) {
      const auto at = line.find(sep, offset);
      if (at == std::string_view::npos) break;
      fields_.emplace_back(line.substr(offset, at - offset));
      offset = at + sep.size();
    }
    start += offset;
  }
  fields_.emplace_back(data + start, end_of_line - start);
}

bool DelimitedReader::next() {
  fields_.clear();
  const size_t n = text_.size();
  const char* data = text_.data();
  // Skip blank lines (also a lone "\r").
  while (pos_ < n) {
    if (data[pos_] == '\n') {
      ++pos_, ++line_;
    } else if (data[pos_] == '\r' && (pos_ + 1 == n || data[pos_ + 1] == '\n')) {
      ++pos_;
    } else {
      break;
    }
  }
  if (pos_ >= n) return false;
  record_line_ = line_;

  const void* newline = std::memchr(data + pos_, '\n', n - pos_);
  size_t line_end = newline ? static_cast<size_t>(static_cast<const char*>(newline) - data) : n;
  const bool has_quote = format_.quoting && std::memchr(data + pos_, '"', line_end - pos_) != nullptr;
  if (!has_quote) {
    size_t content_end = line_end;
    if (content_end > pos_ && data[content_end - 1] == '\r') --content_end;
    parse_plain(content_end);
    pos_ = line_end < n ? line_end + 1 : n;
    if (line_end < n) ++line_;
    return true;
  }

  // Quote-aware path: a field that starts with '"' runs to the matching closing quote, across
  // separators and newlines; "" inside it is one quote.
  const std::string& sep = format_.separator;
  struct Span {
    size_t begin, length;
    int unescaped;  // index into unescaped_, or -1
  };
  std::vector<Span> spans;
  size_t used_unescaped = 0;
  auto at_separator = [&](size_t p) { return text_.compare(p, sep.size(), sep) == 0; };
  while (true) {
    if (pos_ < n && data[pos_] == '"') {
      const size_t quote_line = line_;
      size_t p = pos_ + 1;
      bool doubled = false;
      size_t close = std::string::npos;
      while (p < n) {
        if (data[p] == '"') {
          if (p + 1 < n && data[p + 1] == '"') {
            doubled = true;
            p += 2;
            continue;
          }
          close = p;
          break;
        }
        if (data[p] == '\n') ++line_;
        ++p;
      }
      if (close == std::string::npos)
        fail("{}:{}: a quoted field opened here is never closed (missing '\"')", file_, quote_line);
      if (doubled) {
        if (unescaped_.size() <= used_unescaped) unescaped_.emplace_back();
        auto& out = unescaped_[used_unescaped];
        out.clear();
        for (size_t k = pos_ + 1; k < close; ++k) {
          out.push_back(data[k]);
          if (data[k] == '"') ++k;  // skip the second quote of a pair
        }
        spans.push_back({0, 0, static_cast<int>(used_unescaped++)});
      } else {
        spans.push_back({pos_ + 1, close - pos_ - 1, -1});
      }
      pos_ = close + 1;
      if (pos_ >= n) break;
      if (data[pos_] == '\n') {
        ++pos_, ++line_;
        break;
      }
      if (data[pos_] == '\r' && (pos_ + 1 == n || data[pos_ + 1] == '\n')) {
        if (pos_ + 1 < n) {
          pos_ += 2;
          ++line_;
        } else {
          pos_ = n;
        }
        break;
      }
      if (at_separator(pos_)) {
        pos_ += sep.size();
        continue;
      }
      fail("{}:{}: unexpected character '{}' after a closing quote (a quote inside a quoted field must be doubled)",
           file_, line_, data[pos_]);
    }
    // Unquoted field: up to the next separator or end of line; quotes inside are kept as text.
    size_t p = pos_;
    while (p < n && data[p] != '\n' && !at_separator(p)) ++p;
    size_t field_end = p;
    const bool end_of_record = p >= n || data[p] == '\n';
    if (end_of_record && field_end > pos_ && data[field_end - 1] == '\r') --field_end;
    spans.push_back({pos_, field_end - pos_, -1});
    if (end_of_record) {
      pos_ = p < n ? p + 1 : n;
      if (p < n) ++line_;
      break;
    }
    pos_ = p + sep.size();
  }
  for (const auto& span : spans)
    fields_.push_back(span.unescaped >= 0 ? std::string_view(unescaped_[static_cast<size_t>(span.unescaped)])
                                          : std::string_view(data + span.begin, span.length));
  return true;
}

}  // namespace tailrec
