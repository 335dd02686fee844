#pragma once
// The configurable text pipeline of content-based models: Unicode lowercasing -> word tokens ->
// stop words -> Porter stemming -> n-grams. The `sklearn` preset reproduces scikit-learn's
// default analyzer (lowercase, token_pattern r"(?u)\b\w\w+\b", unigrams) exactly, so vectors can
// be checked against TfidfVectorizer; `english` adds stop words and stemming.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tailrec {

struct TextPipelineOptions {
  bool lowercase = true;         // Python's str.lower(), Unicode-aware
  size_t min_token_chars = 2;    // code points; 2 = sklearn's \w\w+
  bool remove_stop_words = false;  // scikit-learn's English list (stop_words.hpp)
  bool stem = false;             // Porter (1980), ASCII words only
  int ngram_max = 1;             // word n-grams 1..ngram_max, joined by one space

  static TextPipelineOptions sklearn();  // lowercase + \w\w+ tokens, nothing else
  static TextPipelineOptions english();  // sklearn + stop words + Porter stemming
};

class TextPipeline {
 public:
  explicit TextPipeline(TextPipelineOptions options = TextPipelineOptions::sklearn());
  const TextPipelineOptions& options() const { return options_; }

  // The unigrams of `text`: lowercased, tokenised, stop words dropped, stemmed (as configured).
  std::vector<std::string> tokens(std::string_view text) const;
  // Every term of `text`: the unigrams, then the 2-grams, ... up to ngram_max (sklearn's order).
  // Stop words are removed before n-grams are formed, as in sklearn.
  std::vector<std::string> terms(std::string_view text) const;

 private:
  TextPipelineOptions options_;
};

// Python's str.lower() on UTF-8 text: full Unicode lowercase mapping, including U+0130 -> "i̇"
// and the final-sigma rule (Σ at the end of a word -> ς). Invalid bytes become U+FFFD.
std::string lowercase_unicode(std::string_view text);

// Python's `\w` for str patterns: letters (L*), numbers (N*: Nd, Nl, No) and '_'.
bool is_word_char(char32_t c);

// Maximal runs of word characters at least `min_chars` code points long (\b\w{min,}\b).
std::vector<std::string> word_tokens(std::string_view text, size_t min_chars);

}  // namespace tailrec
