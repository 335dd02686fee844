#include "datasets/field_parsing.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "framework/util/user_text.hpp"

namespace tailrec {

namespace {

std::string_view strip(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view read_id(const DelimitedReader& reader, size_t column, std::string_view what) {
  const auto id = strip(reader[column]);
  if (id.empty()) reader.fail_here(fmt::format("{} in column {} is empty", what, column + 1));
  // A NUL byte is never part of a real id: the file is binary or corrupt.
  if (id.find('\0') != std::string_view::npos)
    reader.fail_here(fmt::format("{} '{}' in column {} contains a NUL byte; the file looks binary or corrupt", what,
                                 shown(id), column + 1));
  return id;
}

std::string_view read_positive_id(const DelimitedReader& reader, size_t column, std::string_view what) {
  const auto id = read_id(reader, column, what);
  int32_t value = 0;
  const auto result = std::from_chars(id.data(), id.data() + id.size(), value);
  if (result.ec != std::errc() || result.ptr != id.data() + id.size() || value < 1)
    reader.fail_here(fmt::format("{} '{}' in column {} is not a positive integer below 2^31, as this format's ids are; "
                                 "the file is damaged or in another format",
                                 what, shown(id), column + 1));
  return id;
}

float read_rating(const DelimitedReader& reader, size_t column) {
  auto text = strip(reader[column]);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != end)
    reader.fail_here(fmt::format("rating '{}' in column {} is not a number", shown(reader[column]), column + 1));
  if (!std::isfinite(value))
    reader.fail_here(fmt::format("rating '{}' in column {} is not a finite number", shown(reader[column]), column + 1));
  // Ratings are stored as float: a larger double would turn into inf when narrowed (found by fuzzing).
  if (std::fabs(value) > std::numeric_limits<float>::max())
    reader.fail_here(fmt::format("rating '{}' in column {} is too large; ratings are 32-bit floats (at most {:g} in "
                                 "magnitude): check the column mapping or rescale the ratings",
                                 shown(reader[column]), column + 1, std::numeric_limits<float>::max()));
  return static_cast<float>(value);
}

int64_t read_timestamp(const DelimitedReader& reader, size_t column) {
  auto text = strip(reader[column]);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto* end = text.data() + text.size();
  int64_t value = 0;
  auto result = std::from_chars(text.data(), end, value);
  if (!text.empty() && result.ec == std::errc() && result.ptr == end) return value;
  double real = 0;
  const auto as_real = std::from_chars(text.data(), end, real);
  if (!text.empty() && as_real.ec == std::errc() && as_real.ptr == end && std::isfinite(real) &&
      real == std::floor(real) && std::fabs(real) < 9.0e18)
    return static_cast<int64_t>(real);
  reader.fail_here(fmt::format("timestamp '{}' in column {} is not a whole number (seconds since 1970 expected)",
                               shown(reader[column]), column + 1));
}

int64_t read_epoch_timestamp(const DelimitedReader& reader, size_t column) {
  const auto value = read_timestamp(reader, column);
  if (value < 0)
    reader.fail_here(fmt::format("timestamp '{}' in column {} is before 1970; this format stores seconds since 1970",
                                 shown(reader[column]), column + 1));
  return value;
}

}  // namespace tailrec
