#include "framework/util/escape.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// One step through UTF-8: the code point at `text[i]` and its length in bytes, or length 1 and
// `valid` false for a byte that does not start a well-formed sequence (overlong forms, surrogates
// and values above U+10FFFF are invalid too).
struct CodePoint {
  char32_t value = 0;
  size_t length = 1;
  bool valid = false;
};

CodePoint decode(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1, true};
  size_t n = 0;
  char32_t value = 0, minimum = 0;
  if ((b0 & 0xE0) == 0xC0) n = 2, value = b0 & 0x1F, minimum = 0x80;
  else if ((b0 & 0xF0) == 0xE0) n = 3, value = b0 & 0x0F, minimum = 0x800;
  else if ((b0 & 0xF8) == 0xF0) n = 4, value = b0 & 0x07, minimum = 0x10000;
  else return {};
  if (i + n > text.size()) return {};
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {};
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, n, true};
}

// C0 controls, DEL and the C1 controls U+0080..U+009F.
bool is_control(char32_t c) { return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F); }

// Calls `emit(view_of_the_character, code_point)` for each character; invalid bytes come one by one
// with `valid` false.
template <typename F>
void for_each_char(std::string_view text, F emit) {
  for (size_t i = 0; i < text.size();) {
    const auto cp = decode(text, i);
    emit(text.substr(i, cp.length), cp);
    i += cp.length;
  }
}

std::string hex_byte(unsigned value) { return fmt::format("\\x{:02X}", value); }

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) { out += cp.valid ? s : kReplacement; });
  return out;
}

std::string escape_tsv_field(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    if (!cp.valid) return void(out += hex_byte(static_cast<unsigned char>(s[0])));
    switch (cp.value) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (cp.value < 0x20 || cp.value == 0x7F) out += hex_byte(cp.value);
        else out += s;
    }
  });
  return out;
}

std::string unescape_tsv_field(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char next = text[i + 1];
    if (next == 't' || next == 'n' || next == 'r' || next == '\\') {
      out += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : '\\';
      ++i;
    } else if (next == 'x' && i + 3 < text.size() && hex(text[i + 2]) >= 0 && hex(text[i + 3]) >= 0) {
      out += static_cast<char>(hex(text[i + 2]) * 16 + hex(text[i + 3]));
      i += 3;
    } else {
      out += '\\';
    }
  }
  return out;
}

std::string escape_csv_cell(std::string_view text) {
  std::string cell;
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    const bool line_break = cp.value == '\t' || cp.value == '\n' || cp.value == '\r';
    cell += !cp.valid || (is_control(cp.value) && !line_break) ? std::string_view(kReplacement) : s;
  });
  const bool number = parse_double(cell).has_value() && trim(cell).size() == cell.size();
  if (!cell.empty() && !number && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos)
    cell.insert(cell.begin(), '\'');
  const bool quote = cell.find_first_of(",\"\n\r") != std::string::npos ||
                     (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string escape_markdown_cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    if (!cp.valid) return void(out += kReplacement);
    switch (cp.value) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '|': case '\\': case '`': case '*': case '[': case ']':
        out += '\\';
        out += s;
        break;
      default: out += is_control(cp.value) ? std::string_view(" ") : s;
    }
  });
  return out;
}

std::string escape_markdown_code(std::string_view text) {
  const bool plain = !valid_utf8(text).empty() && valid_utf8(text) == text &&
                     std::none_of(text.begin(), text.end(), [](char c) {
                       return c == '`' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
                     });
  if (!plain) return escape_markdown_cell(text);
  std::string out = "`";
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out + "`";
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    if (!cp.valid) return void(out += kReplacement);
    switch (cp.value) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': case '\n': case '\r': out += s; break;
      default: out += is_control(cp.value) ? std::string_view(kReplacement) : s;
    }
  });
  return out;
}

std::string escape_latex(std::string_view text) {
  static const std::pair<std::string_view, const char*> kSymbols[] = {
      {"±", "$\\pm$"},     {"†", "$^\\dagger$"}, {"↑", "$\\uparrow$"}, {"↓", "$\\downarrow$"}, {"·", "$\\cdot$"},
      {"—", "---"},        {"–", "--"},          {"≥", "$\\geq$"},     {"≤", "$\\leq$"}};
  std::string out;
  out.reserve(text.size());
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    if (!cp.valid) return void(out += '?');
    for (const auto& [symbol, latex] : kSymbols)
      if (s == symbol) return void(out += latex);
    switch (cp.value) {
      case '\\': out += "\\textbackslash{}"; break;
      case '&': case '%': case '$': case '#': case '_': case '{': case '}':
        out += '\\';
        out += s;
        break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '<': out += "\\textless{}"; break;
      case '>': out += "\\textgreater{}"; break;
      default: out += is_control(cp.value) ? std::string_view(" ") : s;
    }
  });
  return out;
}

std::string gnuplot_string(std::string_view text) {
  std::string out = "\"";
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    if (!cp.valid) return void(out += kReplacement);
    switch (cp.value) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '`': out += "\\140"; break;
      case '$': out += "\\044"; break;
      case '@': out += "\\100"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += ' '; break;
      default: out += is_control(cp.value) ? std::string_view(kReplacement) : s;
    }
  });
  return out + "\"";
}

std::string gnuplot_data_string(std::string_view text) {
  std::string out = "\"";
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    if (!cp.valid) out += kReplacement;
    else if (cp.value == '"') out += '\'';
    else out += is_control(cp.value) ? std::string_view(" ") : s;
  });
  return out + "\"";
}

std::string gnuplot_comment(std::string_view text) {
  std::string out;
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) {
    if (!cp.valid) out += kReplacement;
    else out += is_control(cp.value) ? std::string_view(" ") : s;
  });
  return out;
}

namespace {
// The terminal spelling of one character.
void append_terminal(std::string& out, std::string_view s, const CodePoint& cp) {
  if (!cp.valid) out += hex_byte(static_cast<unsigned char>(s[0]));
  else if (cp.value == 0x1B) out += "\\e";
  else if (cp.value == '\n' || cp.value == '\t' || !is_control(cp.value)) out += s;
  else out += hex_byte(cp.value);
}
}  // namespace

size_t invalid_utf8_at(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto cp = decode(text, i);
    if (!cp.valid) return i;
    i += cp.length;
  }
  return std::string_view::npos;
}

std::string escape_terminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_char(text, [&](std::string_view s, const CodePoint& cp) { append_terminal(out, s, cp); });
  return out;
}

std::string escape_terminal(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const auto cp = decode(text, i);
    std::string one;
    append_terminal(one, text.substr(i, cp.length), cp);
    if (out.size() + one.size() > max_bytes) break;
    out += one;
    i += cp.length;
  }
  if (i < text.size()) out += fmt::format("... [{} more bytes cut]", text.size() - i);
  return out;
}

}  // namespace tailrec
