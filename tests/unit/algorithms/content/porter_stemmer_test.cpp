// Porter (1980) stems of known words: the paper's step examples and words of Porter's reference
// vocabulary, with the stems of Snowball's `porter` (the published algorithm; libstemmer 2.2).
// The same implementation was compared with libstemmer on the 26,093 ASCII words of the embedded
// dataset's titles, tags and abstracts: no difference (see docs/algorithms/content.md).
#include <gtest/gtest.h>

#include "algorithms/content/porter_stemmer.hpp"

namespace tailrec {
namespace {

struct Pair {
  const char* word;
  const char* stem;
};

TEST(PorterStemmer, KnownStems) {
  const Pair pairs[] = {
      // Step 1a
      {"caresses", "caress"}, {"ponies", "poni"}, {"ties", "ti"}, {"caress", "caress"}, {"cats", "cat"},
      // Step 1b (with the at/bl/iz, double-consonant and *o fix-ups)
      {"feed", "feed"}, {"agreed", "agre"}, {"plastered", "plaster"}, {"bled", "bled"}, {"motoring", "motor"},
      {"sing", "sing"}, {"conflated", "conflat"}, {"troubled", "troubl"}, {"sized", "size"}, {"hopping", "hop"},
      {"tanned", "tan"}, {"falling", "fall"}, {"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"},
      {"filing", "file"},
      // Step 1c
      {"happy", "happi"}, {"sky", "sky"},
      // Step 2 words, stemmed through all steps
      {"relational", "relat"}, {"conditional", "condit"}, {"rational", "ration"}, {"valenci", "valenc"},
      {"hesitanci", "hesit"}, {"digitizer", "digit"}, {"conformabli", "conform"}, {"radicalli", "radic"},
      {"differentli", "differ"}, {"vileli", "vile"}, {"analogousli", "analog"}, {"vietnamization", "vietnam"},
      {"predication", "predic"}, {"operator", "oper"}, {"feudalism", "feudal"}, {"decisiveness", "decis"},
      {"hopefulness", "hope"}, {"callousness", "callous"}, {"formaliti", "formal"}, {"sensitiviti", "sensit"},
      {"sensibiliti", "sensibl"},
      // Step 3
      {"triplicate", "triplic"}, {"formative", "form"}, {"formalize", "formal"}, {"electriciti", "electr"},
      {"electrical", "electr"}, {"hopeful", "hope"}, {"goodness", "good"},
      // Step 4
      {"revival", "reviv"}, {"allowance", "allow"}, {"inference", "infer"}, {"airliner", "airlin"},
      {"gyroscopic", "gyroscop"}, {"adjustable", "adjust"}, {"defensible", "defens"}, {"irritant", "irrit"},
      {"replacement", "replac"}, {"adjustment", "adjust"}, {"dependent", "depend"}, {"adoption", "adopt"},
      {"homologou", "homolog"}, {"communism", "commun"}, {"activate", "activ"}, {"angulariti", "angular"},
      {"homologous", "homolog"}, {"effective", "effect"}, {"bowdlerize", "bowdler"}, {"agreement", "agreement"},
      // Step 5
      {"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"}, {"controll", "control"}, {"roll", "roll"},
      // Reference vocabulary and everyday words
      {"generalization", "gener"}, {"generalizations", "gener"}, {"oscillators", "oscil"}, {"abandoned", "abandon"},
      {"abatements", "abat"}, {"abbey", "abbei"}, {"abilities", "abil"}, {"ability", "abil"},
      {"abolishing", "abolish"}, {"knightly", "knightli"}, {"skies", "ski"}, {"dying", "dy"}, {"lying", "ly"},
      {"news", "new"}, {"probably", "probabl"}, {"matting", "mat"}, {"mating", "mate"}, {"meeting", "meet"},
      {"meetings", "meet"}, {"running", "run"}, {"runs", "run"},
      // The published rules, not the C release's departures: abli (not bli) -> able, no logi -> log,
      // and two-letter words are stemmed too.
      {"sensibly", "sensibli"}, {"possibly", "possibli"}, {"analogies", "analogi"}, {"is", "i"}, {"as", "a"},
  };
  for (const auto& p : pairs) EXPECT_EQ(porter_stem(p.word), p.stem) << p.word;
}

TEST(PorterStemmer, LeavesNonAsciiWordsAlone) {
  EXPECT_EQ(porter_stem("cafés"), "cafés");  // the rules are for English letters only
  EXPECT_EQ(porter_stem("2001"), "2001");
  EXPECT_EQ(porter_stem("x_files"), "x_files");
  EXPECT_EQ(porter_stem("running2"), "running2");
  EXPECT_EQ(porter_stem(""), "");
}

}  // namespace
}  // namespace tailrec
