#pragma once
// Shared helpers of the libFuzzer targets: a per-process scratch folder (reused by every input, so
// the file-only parsers can be fed) and the split of one input into several files.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace tailrec::fuzz {

// One folder per fuzzing process (libFuzzer's -jobs/-fork run several), removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    auto base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    auto path = base / ("tailrec-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch_dir(), ignored);
    });
    return path;
  }();
  return dir;
}

// Writes `content` to `path` (truncating), creating the parent folder.
inline void write_file(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

// Writes `content` to `path`, or removes `path` when `present` is false (a leftover of an earlier input
// must not change what this input means).
inline void put_file(const std::filesystem::path& path, std::string_view content, bool present) {
  if (present) {
    write_file(path, content);
  } else {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
}

// The separator between the files packed into one input: a line holding only "%%".
inline constexpr std::string_view kPartSeparator = "\n%%\n";

// Splits `text` at each separator line, into at most `max_parts` parts (the last keeps the rest).
inline std::vector<std::string_view> split_parts(std::string_view text, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const auto at = text.find(kPartSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at + 1));  // keep the part's last newline
    text.remove_prefix(at + kPartSeparator.size());
  }
  parts.push_back(text);
  return parts;
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tailrec::fuzz
