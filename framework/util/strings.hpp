#pragma once
// Small string helpers shared by every layer: splitting, trimming, number parsing and the
// did-you-mean suggestions used by the registry and the config checker.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tailrec {

std::string_view trim(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
bool starts_with(std::string_view text, std::string_view prefix);
std::string to_lower_ascii(std::string_view text);

// Strict number parsing: the whole (trimmed) text must be a finite number.
std::optional<int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);

// `text` with every occurrence of `secret` replaced by "<redacted>" (a secret must not reach a file
// however it was spelled around it). An empty secret changes nothing.
std::string redact(std::string_view text, std::string_view secret);

// Levenshtein distance, for suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// Up to `limit` candidates closest to `word` (distance <= max(2, |word|/3), or a shared prefix).
std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates,
                                 size_t limit = 3);
// " (did you mean 'x' or 'y'?)" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace tailrec
