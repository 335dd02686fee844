#include "framework/run/table.hpp"

#include <algorithm>

#include "framework/util/escape.hpp"

namespace tailrec {

namespace {
// Display width of UTF-8 text (code points; good enough for labels and numbers).
size_t width(const std::string& text) {
  size_t w = 0;
  for (unsigned char c : text) w += (c & 0xC0) != 0x80;
  return w;
}
}  // namespace

std::string format_table(const std::vector<std::string>& raw_header, const std::vector<std::vector<std::string>>& raw_rows) {
  // Cells hold labels and config values: escaped for the terminal before they are measured.
  const auto escaped = [](const std::vector<std::string>& cells) {
    std::vector<std::string> out;
    for (const auto& c : cells) out.push_back(escape_terminal(c));
    return out;
  };
  const auto header = escaped(raw_header);
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : raw_rows) rows.push_back(escaped(row));
  std::vector<size_t> widths(header.size(), 0);
  for (size_t c = 0; c < header.size(); ++c) widths[c] = width(header[c]);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const std::string pad(widths[c] - width(cell), ' ');
      if (c) out += "  ";
      out += c == 0 ? cell + pad : pad + cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  size_t total = 0;
  for (auto w : widths) total += w;
  out += std::string(total + 2 * (widths.empty() ? 0 : widths.size() - 1), '-') + "\n";
  for (const auto& row : rows) out += line(row);
  return out;
}

}  // namespace tailrec
