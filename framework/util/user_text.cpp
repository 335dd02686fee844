#include "framework/util/user_text.hpp"

#include <string>

#include <fmt/format.h>

namespace tailrec {

namespace {
// escape_terminal keeps newlines and tabs (a log line may span lines); a quoted value must not.
std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : escape_terminal(text)) out += c == '\n' ? "\\x0A" : c == '\t' ? "\\x09" : std::string(1, c);
  return out;
}
}  // namespace

std::string shown(std::string_view text, size_t max_bytes) {
  size_t cut = max_bytes;  // on to the end of the character at the limit, so no sequence is split
  while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
  if (cut >= text.size()) return one_line(text);
  return one_line(text.substr(0, cut)) + fmt::format("... ({} bytes)", text.size());
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
