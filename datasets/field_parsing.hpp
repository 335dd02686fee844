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
// A finite rating.
float read_rating(const DelimitedReader& reader, size_t column);
// An integer timestamp; "123.0"-style whole numbers (RecBole float columns) are accepted.
int64_t read_timestamp(const DelimitedReader& reader, size_t column);

}  // namespace tailrec
