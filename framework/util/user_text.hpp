#pragma once
// Text that came from a user (a config value, a field of a data file) as errors quote it back, and
// the UTF-8 check every layer applies to it. One place, so every message built from user data is
// bounded and holds no control byte or broken UTF-8 that would garble a terminal or a JSON file.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "framework/util/escape.hpp"  // invalid_utf8_at, for the callers of this header

namespace tailrec {

// `text` as an error quotes it: escaped as for the terminal (escape_terminal: control bytes and
// bytes outside valid UTF-8 as \xNN, ESC as \e), and at most `max_bytes` of it followed by
// "... (N bytes)", so a 10 MB field is not a 10 MB message.
std::string shown(std::string_view text, size_t max_bytes = 60);

// "a, b, c and 997 more": the first `max_items` of a list in an error, with a count of the rest.
std::string first_few(const std::vector<std::string>& items, size_t max_items = 5, std::string_view separator = ", ");

}  // namespace tailrec
