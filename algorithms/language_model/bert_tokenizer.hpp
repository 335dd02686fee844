#pragma once
// A C++ BertTokenizer with Hugging Face's behaviour (transformers' BasicTokenizer + WordPiece, the
// same as the `tokenizers` BertNormalizer/BertPreTokenizer/WordPiece pipeline): text cleaning,
// CJK characters as single tokens, lower-casing with NFD accent stripping, punctuation splitting,
// greedy longest-match-first WordPiece with "##" continuations, [CLS]/[SEP], truncation, padding.
// Unicode normalisation and character classes come from utf8proc.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tailrec {

struct TokenizerOptions {
  bool do_lower_case = true;
  // Hugging Face: unset means "strip accents exactly when lower-casing".
  std::optional<bool> strip_accents;
  bool tokenize_chinese_chars = true;
  int model_max_length = 512;
  int max_input_chars_per_word = 100;  // longer words become [UNK]
};

// Token ids of several texts, padded to the longest (row-major [batch x length]).
struct TokenBatch {
  int64_t batch = 0;
  int64_t length = 0;
  std::vector<int64_t> input_ids;       // padded with the [PAD] id
  std::vector<int64_t> attention_mask;  // 1 for real tokens, 0 for padding
  std::vector<int32_t> lengths;         // real tokens per row ([CLS] and [SEP] included)
};

class BertTokenizer {
 public:
  // Reads `dir`/vocab.txt (one token per line, id = line number) and, when present,
  // `dir`/tokenizer_config.json (do_lower_case, strip_accents, tokenize_chinese_chars,
  // model_max_length; a model_max_length above 1e6 means "unset" and is ignored).
  // Without vocab.txt, the WordPiece vocabulary and normaliser settings come from `dir`/tokenizer.json.
  // A token listed twice keeps its last id, as in Hugging Face. Errors name the file and line.
  static BertTokenizer from_folder(const std::filesystem::path& dir);

  BertTokenizer(std::vector<std::string> vocabulary, TokenizerOptions options);

  // WordPiece tokens of `text` without [CLS]/[SEP] (for tests and `model info`).
  std::vector<std::string> tokenize(std::string_view text) const;
  // [CLS] ids... [SEP], the word pieces truncated so that the whole fits in `max_length` (>= 2).
  std::vector<int32_t> encode(std::string_view text, int max_length) const;
  // Pads encodings to the longest one and builds the attention mask.
  TokenBatch pad(std::span<const std::vector<int32_t>> encodings) const;

  const TokenizerOptions& options() const { return options_; }
  int32_t vocab_size() const { return static_cast<int32_t>(vocabulary_.size()); }
  const std::string& token(int32_t id) const { return vocabulary_[static_cast<size_t>(id)]; }
  // The id of a token, or -1.
  int32_t find(std::string_view token) const;
  int32_t pad_id() const { return pad_id_; }
  int32_t cls_id() const { return cls_id_; }
  int32_t sep_id() const { return sep_id_; }
  int32_t unk_id() const { return unk_id_; }

 private:
  // Hashes std::string and std::string_view alike, so the hot path looks pieces up without copies.
  struct PieceHash {
    using is_transparent = void;
    size_t operator()(std::string_view piece) const noexcept { return std::hash<std::string_view>{}(piece); }
  };
  using PieceIds = std::unordered_map<std::string, int32_t, PieceHash, std::equal_to<>>;

  // Appends the WordPiece ids of `text` to `out`, stopping once `out` holds `cap` ids or more.
  void append_ids(std::string_view text, size_t cap, std::vector<int32_t>& out) const;
  // Appends the ids of one pre-token (a normalised word of `chars` code points).
  void append_word(std::string_view word, size_t chars, std::vector<int32_t>& out) const;

  std::vector<std::string> vocabulary_;
  TokenizerOptions options_;
  int32_t pad_id_ = 0, cls_id_ = 0, sep_id_ = 0, unk_id_ = 0;
  PieceIds word_start_ids_;    // every token as written: candidates for the start of a word
  PieceIds continuation_ids_;  // "##x" tokens keyed by x: candidates inside a word
  size_t longest_start_ = 0, longest_continuation_ = 0;  // bytes; longer substrings cannot match
  // [PAD] [UNK] [CLS] [SEP] [MASK] (those in the vocabulary), longest first: matched verbatim in the
  // raw text before normalisation, as Hugging Face's added-token split does.
  std::vector<std::pair<std::string, int32_t>> special_tokens_;
  bool strip_accents_ = true;  // options_.strip_accents resolved
};

}  // namespace tailrec
