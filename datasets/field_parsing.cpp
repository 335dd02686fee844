#include "datasets/field_parsing.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

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
  return id;
}

float read_rating(const DelimitedReader& reader, size_t column) {
  auto text = strip(reader[column]);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != end)
    reader.fail_here(fmt::format("rating '{}' in column {} is not a number", reader[column], column + 1));
  if (!std::isfinite(value))
    reader.fail_here(fmt::format("rating '{}' in column {} is not a finite number", reader[column], column + 1));
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
                               reader[column], column + 1));
}

}  // namespace tailrec
