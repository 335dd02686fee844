// BertTokenizer: the `tokenizers` library's BERT pipeline (what transformers' BertTokenizer runs):
// added-token split of the special tokens, BertNormalizer (clean text, space around CJK, NFD accent
// stripping, lower-casing), BertPreTokenizer (whitespace, then punctuation as single characters),
// WordPiece (greedy longest match, "##" continuations, [UNK] for a word it cannot cover).
// Text is processed code point by code point in one pass, with a fast path for ASCII: every step of
// the normaliser maps one code point to a few independently of its neighbours, so normalising and
// splitting can be fused without building the normalised string.
// Known limits: character classes come from utf8proc's Unicode version, so a code point that is
// unassigned in the `tokenizers` library's tables (dropped there as "other") but assigned here is
// kept, and vice versa; NFD's canonical reordering is not applied to the few combining marks that
// survive accent stripping (spacing marks with a non-zero combining class, e.g. U+302E).
#include "algorithms/language_model/bert_tokenizer.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include "algorithms/language_model/json_file.hpp"
#include "framework/util/error.hpp"

namespace tailrec {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::string_view kContinuationPrefix = "##";

// --- character classes, as `tokenizers` defines them --------------------------------------------

enum class AsciiClass : uint8_t { Drop, Space, Punctuation, Keep };

// Control characters (except \t \n \r) are dropped; \t \n \r and ' ' are whitespace;
// 33-47, 58-64, 91-96, 123-126 are punctuation (char::is_ascii_punctuation).
constexpr std::array<AsciiClass, 128> make_ascii_classes() {
  std::array<AsciiClass, 128> classes{};
  for (int b = 0; b < 128; ++b) {
    AsciiClass c = AsciiClass::Keep;
    if (b < 32 || b == 127) c = AsciiClass::Drop;
    if (b == ' ' || b == '\t' || b == '\n' || b == '\r') c = AsciiClass::Space;
    if ((b >= 33 && b <= 47) || (b >= 58 && b <= 64) || (b >= 91 && b <= 96) || (b >= 123 && b <= 126))
      c = AsciiClass::Punctuation;
    classes[static_cast<size_t>(b)] = c;
  }
  return classes;
}
constexpr auto kAsciiClasses = make_ascii_classes();

// Unicode category C* (Cc, Cf, Cs, Co, Cn): removed by the cleaning step.
bool is_other(utf8proc_category_t category) {
  return category == UTF8PROC_CATEGORY_CN || category == UTF8PROC_CATEGORY_CC || category == UTF8PROC_CATEGORY_CF ||
         category == UTF8PROC_CATEGORY_CS || category == UTF8PROC_CATEGORY_CO;
}

// Rust's char::is_whitespace (the White_Space property) above ASCII; U+0085 is Cc and was dropped.
// (Python's BasicTokenizer uses category Zs, which differs only on U+2028 and U+2029.)
bool is_white_space(int32_t c) {
  return c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// The CJK Unified Ideograph blocks of `tokenizers`' is_chinese_char. Its fifth range starts at
// U+2B920 where transformers' Python _is_chinese_char says U+2B820; the Rust library is what
// transformers' BertTokenizer runs, so its ranges are used.
bool is_chinese_char(int32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_punctuation(int32_t c) {
  if (c < 128) return kAsciiClasses[static_cast<size_t>(c)] == AsciiClass::Punctuation;
  const auto category = utf8proc_category(c);
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

bool is_utf8_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

void append_utf8(int32_t c, std::string& out) {
  utf8proc_uint8_t buffer[4];
  const auto n = utf8proc_encode_char(c, buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

// The normalised form of one non-ASCII code point: NFD without nonspacing marks (when stripping
// accents), then Rust's char::to_lowercase (the full mapping: U+0130 becomes "i" + U+0307; the only
// unconditional lower-case mapping longer than one code point). Returns how many were written.
size_t normalize(int32_t c, bool strip_accents, bool lower_case, std::array<int32_t, 16>& out) {
  std::array<int32_t, 8> decomposed{c};
  size_t count = 1;
  if (strip_accents) {
    int boundclass = 0;
    const utf8proc_ssize_t capacity = decomposed.size();
    const auto written = utf8proc_decompose_char(c, decomposed.data(), capacity, UTF8PROC_DECOMPOSE, &boundclass);
    if (written > 0 && written <= capacity) count = static_cast<size_t>(written);  // canonical ones are <= 4
  }
  size_t n = 0;
  for (size_t i = 0; i < count; ++i) {
    const int32_t d = decomposed[i];
    if (strip_accents && utf8proc_category(d) == UTF8PROC_CATEGORY_MN) continue;
    if (!lower_case) {
      out[n++] = d;
    } else if (d == 0x0130) {
      out[n++] = 'i';
      out[n++] = 0x0307;
    } else {
      out[n++] = utf8proc_tolower(d);
    }
  }
  return n;
}

// --- files ----------------------------------------------------------------------------------------

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("cannot read {}", file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t c = 0;
    const auto used = utf8proc_iterate(bytes, left, &c);
    if (used <= 0) return false;
    bytes += used, left -= used;
  }
  return true;
}

// vocab.txt: one token per line, id = line number (0-based), line ends \n or \r\n.
std::vector<std::string> read_vocab_txt(const fs::path& file) {
  const std::string text = read_file(file);
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!valid_utf8(line))
      fail("{}:{}: the token is not valid UTF-8 (vocab.txt must be UTF-8, one token per line)", file.string(),
           tokens.size() + 1);
    tokens.emplace_back(line);
    start = end + 1;
  }
  if (tokens.empty()) fail("{} is empty: a WordPiece vocabulary has one token per line", file.string());
  return tokens;
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

void read_bool(const json& object, const char* key, const fs::path& file, bool& out) {
  const json* value = member(object, key);
  if (value == nullptr) return;
  if (!value->is_boolean()) fail("{}: \"{}\" must be true or false, not {}", file.string(), key, value->dump());
  out = value->get<bool>();
}

// null = "follow do_lower_case".
void read_optional_bool(const json& object, const char* key, const fs::path& file, std::optional<bool>& out) {
  const json* value = member(object, key);
  if (value == nullptr) return;
  if (value->is_null()) {
    out.reset();
    return;
  }
  if (!value->is_boolean()) fail("{}: \"{}\" must be true, false or null, not {}", file.string(), key, value->dump());
  out = value->get<bool>();
}

// tokenizer_config.json: the keys that change tokenization; every other key is left to its reader.
void read_tokenizer_config(const fs::path& file, TokenizerOptions& options) {
  const json config = read_json_file(file);
  if (!config.is_object()) fail("{}: expected a JSON object, found {}", file.string(), config.type_name());
  read_bool(config, "do_lower_case", file, options.do_lower_case);
  read_optional_bool(config, "strip_accents", file, options.strip_accents);
  read_bool(config, "tokenize_chinese_chars", file, options.tokenize_chinese_chars);
  if (const json* value = member(config, "model_max_length")) {
    if (!value->is_number())
      fail("{}: \"model_max_length\" must be a number, not {}", file.string(), value->dump());
    const double length = value->get<double>();
    if (length <= 1e6) {  // transformers writes 1e30 (VERY_LARGE_INTEGER) for "no limit"
      if (length < 2 || length != static_cast<double>(static_cast<int>(length)))
        fail("{}: \"model_max_length\" is {}; it must be a whole number >= 2 ([CLS] and [SEP] take two)",
             file.string(), value->dump());
      options.model_max_length = static_cast<int>(length);
    }
  }
}

// tokenizer.json (the `tokenizers` format) with a WordPiece model: its vocabulary (ids given) and
// normaliser settings. Anything this class would tokenize differently is refused.
std::vector<std::string> read_tokenizer_json(const fs::path& file, TokenizerOptions& options) {
  const json tokenizer = read_json_file(file);
  const json* model = member(tokenizer, "model");
  const json* type = model ? member(*model, "type") : nullptr;
  if (type == nullptr || !type->is_string() || type->get<std::string>() != "WordPiece")
    fail("{}: \"model.type\" is {}, but a BERT tokenizer needs a WordPiece model (or a vocab.txt beside it)",
         file.string(), type ? type->dump() : "missing");
  if (const json* prefix = member(*model, "continuing_subword_prefix"); prefix && *prefix != "##")
    fail("{}: \"model.continuing_subword_prefix\" is {}; only \"##\" is supported", file.string(), prefix->dump());
  if (const json* unk = member(*model, "unk_token"); unk && *unk != "[UNK]")
    fail("{}: \"model.unk_token\" is {}; only \"[UNK]\" is supported", file.string(), unk->dump());
  if (const json* chars = member(*model, "max_input_chars_per_word")) {
    if (!chars->is_number_integer() || chars->get<int64_t>() < 1)
      fail("{}: \"model.max_input_chars_per_word\" must be a positive integer, not {}", file.string(), chars->dump());
    options.max_input_chars_per_word = static_cast<int>(std::min<int64_t>(chars->get<int64_t>(), 1 << 30));
  }
  if (const json* normalizer = member(tokenizer, "normalizer"); normalizer && !normalizer->is_null()) {
    const json* kind = member(*normalizer, "type");
    if (kind == nullptr || *kind != "BertNormalizer")
      fail("{}: \"normalizer.type\" is {}; only BertNormalizer is supported", file.string(),
           kind ? kind->dump() : "missing");
    if (const json* clean = member(*normalizer, "clean_text"); clean && *clean == false)
      fail("{}: \"normalizer.clean_text\" is false; only true is supported", file.string());
    read_bool(*normalizer, "lowercase", file, options.do_lower_case);
    read_optional_bool(*normalizer, "strip_accents", file, options.strip_accents);
    read_bool(*normalizer, "handle_chinese_chars", file, options.tokenize_chinese_chars);
  }
  const json* vocab = member(*model, "vocab");
  if (vocab == nullptr || !vocab->is_object() || vocab->empty())
    fail("{}: \"model.vocab\" must be a non-empty object {{token: id}}", file.string());
  std::vector<std::string> tokens(vocab->size());
  std::vector<bool> seen(vocab->size(), false);
  for (const auto& [token, id] : vocab->items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= static_cast<int64_t>(tokens.size()))
      fail("{}: \"model.vocab\" gives '{}' the id {}; ids must run from 0 to {} (one per token)", file.string(), token,
           id.dump(), tokens.size() - 1);
    const auto i = static_cast<size_t>(id.get<int64_t>());
    if (seen[i]) fail("{}: \"model.vocab\" gives the id {} to both '{}' and '{}'", file.string(), i, tokens[i], token);
    seen[i] = true;
    tokens[i] = token;
  }
  return tokens;
}

}  // namespace

// --- construction -------------------------------------------------------------------------------

BertTokenizer BertTokenizer::from_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("tokenizer folder {} does not exist (or is not a folder)", dir.string());
  TokenizerOptions options;
  std::vector<std::string> vocabulary;
  fs::path source = dir / "vocab.txt";
  if (fs::exists(source, ec)) {
    vocabulary = read_vocab_txt(source);
  } else if (fs::exists(dir / "tokenizer.json", ec)) {
    source = dir / "tokenizer.json";
    vocabulary = read_tokenizer_json(source, options);
  } else {
    fail("{} has neither vocab.txt nor tokenizer.json: a BERT tokenizer needs vocab.txt (the WordPiece "
         "vocabulary, one token per line) or a Hugging Face tokenizer.json with a WordPiece model",
         dir.string());
  }
  if (fs::exists(dir / "tokenizer_config.json", ec)) read_tokenizer_config(dir / "tokenizer_config.json", options);
  try {
    return BertTokenizer(std::move(vocabulary), options);
  } catch (const Error& e) {
    fail("{}: {}", source.string(), e.what());
  }
}

BertTokenizer::BertTokenizer(std::vector<std::string> vocabulary, TokenizerOptions options)
    : vocabulary_(std::move(vocabulary)), options_(options) {
  if (options_.max_input_chars_per_word < 1)
    fail("max_input_chars_per_word is {}; it must be at least 1", options_.max_input_chars_per_word);
  strip_accents_ = options_.strip_accents.value_or(options_.do_lower_case);
  word_start_ids_.reserve(vocabulary_.size());
  // A token listed twice keeps its last id, as Hugging Face's vocabulary loaders do.
  for (size_t i = 0; i < vocabulary_.size(); ++i) {
    const std::string& token = vocabulary_[i];
    const auto id = static_cast<int32_t>(i);
    word_start_ids_[token] = id;
    longest_start_ = std::max(longest_start_, token.size());
    if (token.size() > kContinuationPrefix.size() && token.starts_with(kContinuationPrefix)) {
      continuation_ids_[token.substr(kContinuationPrefix.size())] = id;
      longest_continuation_ = std::max(longest_continuation_, token.size() - kContinuationPrefix.size());
    }
  }
  const auto required = [&](const char* name) {
    const int32_t id = find(name);
    if (id < 0)
      fail("the vocabulary ({} tokens) has no {} token; a BERT WordPiece vocabulary needs [PAD], [UNK], [CLS] and "
           "[SEP]",
           vocabulary_.size(), name);
    return id;
  };
  pad_id_ = required("[PAD]");
  unk_id_ = required("[UNK]");
  cls_id_ = required("[CLS]");
  sep_id_ = required("[SEP]");
  for (const char* name : {"[MASK]", "[PAD]", "[UNK]", "[CLS]", "[SEP]"})  // longest first
    if (const int32_t id = find(name); id >= 0) special_tokens_.emplace_back(name, id);
}

int32_t BertTokenizer::find(std::string_view token) const {
  const auto it = word_start_ids_.find(token);
  return it == word_start_ids_.end() ? -1 : it->second;
}

// --- tokenization ---------------------------------------------------------------------------------

void BertTokenizer::append_word(std::string_view word, size_t chars, std::vector<int32_t>& out) const {
  if (chars > static_cast<size_t>(options_.max_input_chars_per_word)) {
    out.push_back(unk_id_);
    return;
  }
  const size_t first = out.size();
  size_t start = 0;
  while (start < word.size()) {
    const PieceIds& pieces = start == 0 ? word_start_ids_ : continuation_ids_;
    size_t end = std::min(word.size(), start + (start == 0 ? longest_start_ : longest_continuation_));
    while (end > start && end < word.size() && is_utf8_continuation(word[end])) --end;  // whole code points only
    int32_t id = -1;
    while (end > start) {
      if (const auto it = pieces.find(word.substr(start, end - start)); it != pieces.end()) {
        id = it->second;
        break;
      }
      do --end;
      while (end > start && is_utf8_continuation(word[end]));
    }
    if (id < 0) {  // some part matches no piece: the whole word is unknown
      out.resize(first);
      out.push_back(unk_id_);
      return;
    }
    out.push_back(id);
    start = end;
  }
}

void BertTokenizer::append_ids(std::string_view text, size_t cap, std::vector<int32_t>& out) const {
  if (out.size() >= cap) return;
  const bool lower_case = options_.do_lower_case;
  std::string word;  // the pre-token being built, already normalised
  word.reserve(64);
  size_t chars = 0;
  // Ends the current word; true once `out` is full.
  const auto flush = [&] {
    if (!word.empty()) {
      append_word(word, chars, out);
      word.clear();
      chars = 0;
    }
    return out.size() >= cap;
  };
  // Adds one normalised code point: punctuation is a word of its own.
  const auto put = [&](int32_t c) {
    if (!is_punctuation(c)) {
      append_utf8(c, word);
      ++chars;
      return false;
    }
    if (flush()) return true;
    append_utf8(c, word);
    chars = 1;
    return flush();
  };

  std::array<int32_t, 16> normalized{};
  size_t bracket = special_tokens_.empty() ? std::string_view::npos : text.find('[');
  size_t i = 0;
  while (i < text.size()) {
    if (i == bracket) {  // a special token written in the text stands for itself
      const auto special = std::find_if(special_tokens_.begin(), special_tokens_.end(),
                                        [&](const auto& s) { return text.substr(i).starts_with(s.first); });
      if (special != special_tokens_.end()) {
        if (flush()) return;
        out.push_back(special->second);
        if (out.size() >= cap) return;
        i += special->first.size();
        bracket = text.find('[', i);
        continue;
      }
      bracket = text.find('[', i + 1);
    }
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      switch (kAsciiClasses[byte]) {
        case AsciiClass::Drop:
          break;
        case AsciiClass::Space:
          if (flush()) return;
          break;
        case AsciiClass::Punctuation:
          if (flush()) return;
          word.push_back(static_cast<char>(byte));
          chars = 1;
          if (flush()) return;
          break;
        case AsciiClass::Keep:
          word.push_back(static_cast<char>(lower_case && byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A') : byte));
          ++chars;
          break;
      }
      ++i;
      continue;
    }
    utf8proc_int32_t c = 0;
    const auto used = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                       static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (used <= 0) {  // not UTF-8: dropped, like U+FFFD
      ++i;
      continue;
    }
    i += static_cast<size_t>(used);
    if (c == 0xFFFD || is_other(utf8proc_category(c))) continue;
    if (is_white_space(c)) {
      if (flush()) return;
      continue;
    }
    const bool alone = options_.tokenize_chinese_chars && is_chinese_char(c);
    if (alone && flush()) return;
    const size_t n = normalize(c, strip_accents_, lower_case, normalized);
    for (size_t k = 0; k < n; ++k)
      if (put(normalized[k])) return;
    if (alone && flush()) return;
  }
  flush();
}

std::vector<std::string> BertTokenizer::tokenize(std::string_view text) const {
  std::vector<int32_t> ids;
  append_ids(text, static_cast<size_t>(-1), ids);
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (const int32_t id : ids) tokens.push_back(token(id));
  return tokens;
}

std::vector<int32_t> BertTokenizer::encode(std::string_view text, int max_length) const {
  if (max_length < 2) fail("max_length is {}; it must be at least 2 ([CLS] and [SEP])", max_length);
  const size_t cap = static_cast<size_t>(max_length) - 1;  // [CLS] + at most max_length - 2 pieces
  std::vector<int32_t> ids;
  ids.reserve(std::min(cap + 1, text.size() / 2 + 2));
  ids.push_back(cls_id_);
  append_ids(text, cap, ids);
  if (ids.size() > cap) ids.resize(cap);
  ids.push_back(sep_id_);
  return ids;
}

TokenBatch BertTokenizer::pad(std::span<const std::vector<int32_t>> encodings) const {
  TokenBatch batch;
  batch.batch = static_cast<int64_t>(encodings.size());
  for (const auto& e : encodings) batch.length = std::max(batch.length, static_cast<int64_t>(e.size()));
  const auto length = static_cast<size_t>(batch.length);
  batch.input_ids.assign(encodings.size() * length, pad_id_);
  batch.attention_mask.assign(encodings.size() * length, 0);
  batch.lengths.reserve(encodings.size());
  for (size_t row = 0; row < encodings.size(); ++row) {
    const auto& e = encodings[row];
    std::copy(e.begin(), e.end(), batch.input_ids.begin() + static_cast<std::ptrdiff_t>(row * length));
    std::fill_n(batch.attention_mask.begin() + static_cast<std::ptrdiff_t>(row * length), e.size(), 1);
    batch.lengths.push_back(static_cast<int32_t>(e.size()));
  }
  return batch;
}

}  // namespace tailrec
