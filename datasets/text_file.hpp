#pragma once
// Whole-file input for the loaders: one read per file (rating files reach 500 MB, so no per-line
// streams), with one clear error for a missing or empty file, and Latin-1 -> UTF-8 conversion for
// the MovieLens 100K/1M item files, which predate UTF-8.
#include <filesystem>
#include <string>
#include <string_view>

namespace tailrec {

// Reads `file` completely. A missing file raises an error that, when `fetch_name` is given,
// suggests `tailrec data fetch <fetch_name>`; an empty file is an error too.
std::string read_text_file(const std::filesystem::path& file, std::string_view fetch_name = {});
// Each byte is a Latin-1 code point; bytes >= 0x80 become two UTF-8 bytes.
std::string latin1_to_utf8(std::string_view text);

}  // namespace tailrec
