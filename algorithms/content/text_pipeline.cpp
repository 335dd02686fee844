#include "algorithms/content/text_pipeline.hpp"

#include <utf8proc.h>

#include "algorithms/content/porter_stemmer.hpp"
#include "algorithms/content/stop_words.hpp"

namespace tailrec {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

std::u32string decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t c = 0;
    const auto used = utf8proc_iterate(bytes, left, &c);
    if (used <= 0) {  // an invalid byte: replace it and go on with the next one
      out.push_back(kReplacement);
      bytes += 1, left -= 1;
      continue;
    }
    out.push_back(static_cast<char32_t>(c));
    bytes += used, left -= used;
  }
  return out;
}

void encode(std::u32string_view code_points, std::string& out) {
  utf8proc_uint8_t buffer[4];
  for (char32_t c : code_points) {
    const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buffer);
    out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
  }
}

utf8proc_category_t category(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)); }

// Unicode's "Cased" property, approximated by letter case categories and case mappings.
bool is_cased(char32_t c) {
  const auto cat = category(c);
  if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT) return true;
  const auto i = static_cast<utf8proc_int32_t>(c);
  return utf8proc_tolower(i) != i || utf8proc_toupper(i) != i;
}

// Unicode's "Case_Ignorable": marks, format characters, modifiers and the word-internal
// punctuation of Word_Break MidLetter / MidNumLet / Single_Quote.
bool is_case_ignorable(char32_t c) {
  switch (category(c)) {
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_SK: return true;
    default: break;
  }
  switch (c) {
    case U'\'': case U'.': case U':': case 0x00B7: case 0x0387: case 0x05F4: case 0x2018: case 0x2019:
    case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
      return true;
    default: return false;
  }
}

// CPython's handle_capital_sigma: Σ is final when a cased letter precedes it (skipping
// case-ignorables) and none follows it.
bool is_final_sigma(const std::u32string& s, size_t i) {
  size_t j = i;
  while (j > 0 && is_case_ignorable(s[j - 1])) --j;
  if (j == 0 || !is_cased(s[j - 1])) return false;
  size_t k = i + 1;
  while (k < s.size() && is_case_ignorable(s[k])) ++k;
  return k == s.size() || !is_cased(s[k]);
}

std::u32string lower(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (c < 0x80) {
      out.push_back(c >= U'A' && c <= U'Z' ? c + 32 : c);
    } else if (c == 0x0130) {  // the one unconditional multi-code-point lowercase (SpecialCasing.txt)
      out.push_back(U'i'), out.push_back(0x0307);
    } else if (c == 0x03A3) {
      out.push_back(is_final_sigma(s, i) ? 0x03C2 : 0x03C3);
    } else {
      out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
  }
  return out;
}

void append_tokens(const std::u32string& s, size_t min_chars, std::vector<std::string>& out) {
  size_t i = 0;
  while (i < s.size()) {
    if (!is_word_char(s[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && is_word_char(s[end])) ++end;
    if (end - i >= min_chars) {
      std::string token;
      encode(std::u32string_view(s).substr(i, end - i), token);
      out.push_back(std::move(token));
    }
    i = end;
  }
}

}  // namespace

TextPipelineOptions TextPipelineOptions::sklearn() { return TextPipelineOptions{}; }

TextPipelineOptions TextPipelineOptions::english() {
  TextPipelineOptions o;
  o.remove_stop_words = true;
  o.stem = true;
  return o;
}

bool is_word_char(char32_t c) {
  if (c < 0x80) return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') || c == U'_';
  switch (category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default: return false;
  }
}

std::string lowercase_unicode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  encode(lower(decode(text)), out);
  return out;
}

std::vector<std::string> word_tokens(std::string_view text, size_t min_chars) {
  std::vector<std::string> out;
  append_tokens(decode(text), min_chars, out);
  return out;
}

TextPipeline::TextPipeline(TextPipelineOptions options) : options_(options) {}

std::vector<std::string> TextPipeline::tokens(std::string_view text) const {
  auto code_points = decode(text);
  if (options_.lowercase) code_points = lower(code_points);
  std::vector<std::string> out;
  append_tokens(code_points, options_.min_token_chars, out);
  if (options_.remove_stop_words)
    std::erase_if(out, [](const std::string& t) { return is_english_stop_word(t); });
  if (options_.stem) {
    for (auto& t : out) t = porter_stem(t);
    std::erase_if(out, [](const std::string& t) { return t.empty(); });  // "s" stems to ""
  }
  return out;
}

std::vector<std::string> TextPipeline::terms(std::string_view text) const {
  auto unigrams = tokens(text);
  if (options_.ngram_max <= 1) return unigrams;
  std::vector<std::string> out = unigrams;
  for (size_t n = 2; n <= static_cast<size_t>(options_.ngram_max) && n <= unigrams.size(); ++n) {
    for (size_t i = 0; i + n <= unigrams.size(); ++i) {
      std::string gram = unigrams[i];
      for (size_t k = 1; k < n; ++k) gram += ' ', gram += unigrams[i + k];
      out.push_back(std::move(gram));
    }
  }
  return out;
}

}  // namespace tailrec
