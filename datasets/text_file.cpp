#include "datasets/text_file.hpp"

#include <cstdio>
#include <memory>

#include "framework/util/error.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

std::string read_text_file(const std::filesystem::path& file, std::string_view fetch_name) {
  // A path may hold any byte (an override value is taken literally): errors quote it escaped.
  const auto name = shown(file.string(), 1024);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (!fetch_name.empty())
      fail("data file {} not found; run `tailrec data fetch {}` to download it, or set data_dir to the folder "
           "that holds it",
           name, fetch_name);
    fail("data file {} not found; check the path in the dataset config", name);
  }
  if (std::filesystem::is_directory(file, ec)) fail("data file {} is a folder, expected a file", name);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) fail("cannot open data file {} (permissions?)", name);
  std::string text;
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec) text.reserve(static_cast<size_t>(size));
  char buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) text.append(buffer, got);
  if (std::ferror(in.get())) fail("error while reading data file {}", name);
  if (text.empty()) fail("data file {} is empty; download it again (`tailrec data fetch`) or fix the path", name);
  return text;
}

std::string latin1_to_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

}  // namespace tailrec
