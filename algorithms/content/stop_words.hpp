#pragma once
// The English stop-word list of the text pipeline: scikit-learn's ENGLISH_STOP_WORDS, committed as
// data so results match sklearn's `stop_words="english"` without a Python dependency.
#include <span>
#include <string_view>

namespace tailrec {

// The 318 words, lowercase ASCII, sorted.
std::span<const std::string_view> english_stop_words();
// Whether a (lowercased) token is on the list.
bool is_english_stop_word(std::string_view word);

}  // namespace tailrec
