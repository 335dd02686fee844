// Each step of the content text pipeline on hand-made inputs: Unicode lowercasing (Python's
// str.lower()), \w\w+ tokens with Python's \w, stop words, stemming and n-grams.
#include <gtest/gtest.h>

#include "algorithms/content/stop_words.hpp"
#include "algorithms/content/text_pipeline.hpp"

namespace tailrec {
namespace {

using Strings = std::vector<std::string>;

TEST(TextPipeline, LowercasesLikePython) {
  EXPECT_EQ(lowercase_unicode("ÀÉÎ Çà"), "àéî çà");
  EXPECT_EQ(lowercase_unicode("ΣΟΦΟΣ"), "σοφος");       // a word-final capital sigma becomes ς
  EXPECT_EQ(lowercase_unicode("ΣΑ Σ"), "σα σ");          // not final: σ; alone (no cased letter before): σ
  EXPECT_EQ(lowercase_unicode("İZMİR"), "i\u0307zmi\u0307r");  // İ -> i + combining dot above
  EXPECT_EQ(lowercase_unicode("STRAẞE Straße"), "straße straße");
  EXPECT_EQ(lowercase_unicode("ＡＢＣ Ⅻ"), "ａｂｃ ⅻ");
  EXPECT_EQ(lowercase_unicode("bad \xff byte"), "bad \xEF\xBF\xBD byte");  // invalid UTF-8 -> U+FFFD
}

TEST(TextPipeline, WordCharactersArePythonsBackslashW) {
  EXPECT_TRUE(is_word_char(U'a'));
  EXPECT_TRUE(is_word_char(U'_'));
  EXPECT_TRUE(is_word_char(U'7'));
  EXPECT_TRUE(is_word_char(U'é'));
  EXPECT_TRUE(is_word_char(U'東'));     // Lo
  EXPECT_TRUE(is_word_char(U'²'));      // No
  EXPECT_TRUE(is_word_char(U'Ⅻ'));      // Nl
  EXPECT_TRUE(is_word_char(U'\u0663'));  // Arabic-Indic digit three, Nd
  EXPECT_FALSE(is_word_char(U'\u0301'));  // combining acute accent, Mn: not \w in Python
  EXPECT_FALSE(is_word_char(U'-'));
  EXPECT_FALSE(is_word_char(U'\''));
  EXPECT_FALSE(is_word_char(U'🎬'));
}

TEST(TextPipeline, TokensAreRunsOfTwoOrMoreWordCharacters) {
  EXPECT_EQ(word_tokens("R2-D2, a x_1 naïve café! 東京物語 don't", 2),
            (Strings{"R2", "D2", "x_1", "naïve", "café", "東京物語", "don"}));
  // "e" + combining acute is a one-letter token followed by a mark: dropped, as in sklearn.
  EXPECT_EQ(word_tokens("e\u0301te\u0301 été", 2), (Strings{"te", "été"}));
  EXPECT_EQ(word_tokens("a b c", 1), (Strings{"a", "b", "c"}));
  EXPECT_EQ(word_tokens("", 2), Strings{});
}

TEST(TextPipeline, StopWordsAreSklearnsList) {
  const auto words = english_stop_words();
  EXPECT_EQ(words.size(), 318u);
  EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
  EXPECT_TRUE(is_english_stop_word("the"));
  EXPECT_TRUE(is_english_stop_word("amoungst"));  // sic: sklearn's list has it
  EXPECT_FALSE(is_english_stop_word("movie"));
  EXPECT_FALSE(is_english_stop_word("The"));  // the list is lowercase; the pipeline lowercases first
}

TEST(TextPipeline, SklearnPresetLowercasesAndTokenisesOnly) {
  const TextPipeline sklearn(TextPipelineOptions::sklearn());
  EXPECT_EQ(sklearn.tokens("The Running DOGS are in the parks"),
            (Strings{"the", "running", "dogs", "are", "in", "the", "parks"}));
}

TEST(TextPipeline, EnglishPresetDropsStopWordsThenStems) {
  const TextPipeline english(TextPipelineOptions::english());
  // lower -> the running dogs are running in the parks; stop words the/are/in dropped; stems.
  EXPECT_EQ(english.tokens("The Running DOGS are running in the Parks"),
            (Strings{"run", "dog", "run", "park"}));
}

TEST(TextPipeline, EachStepCanBeSwitchedOff) {
  TextPipelineOptions o = TextPipelineOptions::english();
  o.lowercase = false;  // "The" is then not the stop word "the" and is not lowercased
  EXPECT_EQ(TextPipeline(o).tokens("The Caresses"), (Strings{"The", "Caresses"}));
  o = TextPipelineOptions::english();
  o.stem = false;
  EXPECT_EQ(TextPipeline(o).tokens("the caresses"), (Strings{"caresses"}));
  o = TextPipelineOptions::english();
  o.remove_stop_words = false;
  EXPECT_EQ(TextPipeline(o).tokens("the caresses"), (Strings{"the", "caress"}));
  o = TextPipelineOptions::sklearn();
  o.min_token_chars = 1;
  EXPECT_EQ(TextPipeline(o).tokens("a b"), (Strings{"a", "b"}));
}

TEST(TextPipeline, NgramsFollowSklearnsOrder) {
  TextPipelineOptions o = TextPipelineOptions::sklearn();
  o.ngram_max = 3;
  EXPECT_EQ(TextPipeline(o).terms("love story about love"),
            (Strings{"love", "story", "about", "love", "love story", "story about", "about love",
                     "love story about", "story about love"}));
  // Stop words go before n-grams are formed: "about" is dropped, so "stori love" is a bigram.
  o = TextPipelineOptions::english();
  o.ngram_max = 2;
  EXPECT_EQ(TextPipeline(o).terms("love story about love"),
            (Strings{"love", "stori", "love", "love stori", "stori love"}));
  // n larger than the text: only the n-grams that fit.
  o.ngram_max = 5;
  EXPECT_EQ(TextPipeline(o).terms("love story"), (Strings{"love", "stori", "love stori"}));
}

}  // namespace
}  // namespace tailrec
