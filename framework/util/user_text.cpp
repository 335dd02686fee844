#include "framework/util/user_text.hpp"

#include <fmt/format.h>

namespace tailrec {

namespace {
// Length of the well-formed UTF-8 sequence starting at text[k] (1 for ASCII), or 0 when none does.
size_t sequence_length(std::string_view text, size_t k) {
  const auto b = static_cast<unsigned char>(text[k]);
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) {
    length = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    length = 3;
    if (b == 0xE0) low = 0xA0;
    if (b == 0xED) high = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    length = 4;
    if (b == 0xF0) low = 0x90;
    if (b == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (k + length > text.size()) return 0;
  for (size_t c = 1; c < length; ++c) {
    const auto next = static_cast<unsigned char>(text[k + c]);
    if (next < (c == 1 ? low : 0x80) || next > (c == 1 ? high : 0xBF)) return 0;
  }
  return length;
}
}  // namespace

size_t invalid_utf8_at(std::string_view text) {
  for (size_t k = 0; k < text.size();) {
    const auto length = sequence_length(text, k);
    if (length == 0) return k;
    k += length;
  }
  return std::string_view::npos;
}

std::string shown(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t k = 0;
  while (k < text.size() && k < max_bytes) {
    const auto byte = static_cast<unsigned char>(text[k]);
    const auto length = sequence_length(text, k);
    if (byte < 0x20 || byte == 0x7f || length == 0) {
      out += fmt::format("\\x{:02x}", byte);
      ++k;
    } else {
      out.append(text.substr(k, length));
      k += length;
    }
  }
  if (k < text.size()) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

std::string first_few(const std::vector<std::string>& items, size_t max_items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i) out += separator;
    out += items[i];
  }
  if (items.size() > max_items) out += fmt::format(" and {} more", items.size() - max_items);
  return out;
}

}  // namespace tailrec
