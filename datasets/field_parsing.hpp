#pragma once
// Typed reads of one field of the current record, shared by every loader, so a bad value always
// fails the same way: "file:line: <what> '<value>' in column N is not ...". Numbers are parsed
// with std::from_chars (no locale, no streams); surrounding spaces are ignored.
#include <cstdint>
#include <string_view>

#include "datasets/delimited_reader.hpp"

namespace tailrec {

// A user or item id: non-empty after trimming spaces.
std::string_view read_id(const DelimitedReader& reader, size_t column, std::string_view what);
// An id that must be a positive integer below 2^31 (MovieLens's user and movie ids): "-1" or a
// 25-digit number is a damaged file, not an id.
std::string_view read_positive_id(const DelimitedReader& reader, size_t column, std::string_view what);
// A finite rating.
float read_rating(const DelimitedReader& reader, size_t column);
// An integer timestamp; "123.0"-style whole numbers (RecBole float columns) are accepted.
int64_t read_timestamp(const DelimitedReader& reader, size_t column);
// A timestamp that must not precede 1970 (MovieLens's ratings).
int64_t read_epoch_timestamp(const DelimitedReader& reader, size_t column);

}  // namespace tailrec
