// BertTokenizer against Hugging Face: the ids and WordPiece tokens that transformers computed for 20
// tricky texts on the tiny-random-bert checkpoint (shared/fixtures/bert), read from vocab.txt and
// from tokenizer.json alone; then each rule on a hand-made vocabulary whose expected pieces follow
// from the WordPiece definition by hand; then the folder reader's options and errors.
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "framework/util/error.hpp"
#include "unit/algorithms/bert_test_support.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;
using Ids = std::vector<int32_t>;

using testing::error_of;

// --- Hugging Face reference -------------------------------------------------------------------------

struct Reference {
  Strings texts;
  std::vector<Ids> input_ids;
  std::vector<Strings> tokens;
  int max_length = 0;
};

fs::path checkpoint_dir() { return testing::bert_fixture_dir(); }

const Reference& reference() {
  static const Reference ref = [] {
    Reference r;
    std::ifstream in(fs::path(TAILREC_SHARED_DIR) / "fixtures" / "bert" / "tiny-random-bert-reference.json");
    if (!in) return r;
    const auto json = nlohmann::json::parse(in);
    r.texts = json.at("texts").get<Strings>();
    r.input_ids = json.at("input_ids").get<std::vector<Ids>>();
    r.tokens = json.at("wordpiece_tokens").get<std::vector<Strings>>();
    r.max_length = json.at("max_length").get<int>();
    return r;
  }();
  return ref;
}

#define REQUIRE_REFERENCE()                                                                 \
  if (reference().texts.empty() || !fs::is_directory(checkpoint_dir()))                     \
  GTEST_SKIP() << "shared/fixtures/bert is missing (TAILREC_SHARED_DIR=" TAILREC_SHARED_DIR ")"

void expect_matches_reference(const BertTokenizer& tokenizer) {
  const auto& ref = reference();
  ASSERT_EQ(ref.texts.size(), 20u);
  for (size_t t = 0; t < ref.texts.size(); ++t) {
    SCOPED_TRACE("text " + std::to_string(t) + ": " + ref.texts[t]);
    const Ids ids = tokenizer.encode(ref.texts[t], ref.max_length);
    EXPECT_EQ(ids, ref.input_ids[t]);
    Strings tokens;
    for (const int32_t id : ids) tokens.push_back(tokenizer.token(id));
    EXPECT_EQ(tokens, ref.tokens[t]);
    // tokenize() gives the same pieces without [CLS]/[SEP] (the long text 11 is truncated by encode).
    Strings pieces = tokenizer.tokenize(ref.texts[t]);
    if (pieces.size() > static_cast<size_t>(ref.max_length - 2)) pieces.resize(static_cast<size_t>(ref.max_length - 2));
    EXPECT_EQ(pieces, Strings(ref.tokens[t].begin() + 1, ref.tokens[t].end() - 1));
  }
}

TEST(BertTokenizerReference, MatchesHuggingFaceFromVocabTxt) {
  REQUIRE_REFERENCE();
  const auto tokenizer = BertTokenizer::from_folder(checkpoint_dir());
  EXPECT_EQ(tokenizer.vocab_size(), 30522);
  EXPECT_EQ(tokenizer.pad_id(), 0);
  EXPECT_EQ(tokenizer.unk_id(), 100);
  EXPECT_EQ(tokenizer.cls_id(), 101);
  EXPECT_EQ(tokenizer.sep_id(), 102);
  EXPECT_TRUE(tokenizer.options().do_lower_case);
  EXPECT_EQ(tokenizer.options().model_max_length, 128);  // tokenizer_config.json
  expect_matches_reference(tokenizer);
}

TEST(BertTokenizerReference, MatchesHuggingFaceFromTokenizerJsonAlone) {
  REQUIRE_REFERENCE();
  testing::TempDir dir;
  fs::copy_file(checkpoint_dir() / "tokenizer.json", dir / "tokenizer.json");
  const auto tokenizer = BertTokenizer::from_folder(dir.path());
  EXPECT_EQ(tokenizer.vocab_size(), 30522);
  EXPECT_EQ(tokenizer.options().model_max_length, 512);  // no tokenizer_config.json: the default
  expect_matches_reference(tokenizer);
}

TEST(BertTokenizerReference, ConcurrentCallsGiveTheSameIds) {
  REQUIRE_REFERENCE();
  const auto tokenizer = BertTokenizer::from_folder(checkpoint_dir());
  const auto& ref = reference();
  std::vector<std::vector<Ids>> results(4);
  std::vector<std::thread> threads;
  for (size_t k = 0; k < results.size(); ++k)
    threads.emplace_back([&, k] {
      for (int repeat = 0; repeat < 20; ++repeat)
        for (const auto& text : ref.texts) results[k].push_back(tokenizer.encode(text, ref.max_length));
    });
  for (auto& t : threads) t.join();
  for (const auto& r : results)
    for (size_t i = 0; i < r.size(); ++i) ASSERT_EQ(r[i], ref.input_ids[i % ref.texts.size()]);
}

// --- rules on a hand-made vocabulary ----------------------------------------------------------------

const Strings kVocabulary = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",                         // 0-4
    "un",    "una",   "##aff", "##able", "##ffable", "a",     "##a",      // 5-11
    "cafe",  "café",  "Café",  "Cafe",   ",",        "你",    "好",       // 12-18
    "你好",  "i",     "##\u0307", "b",   "ab",       "[",     "]",        // 19-25
    "sep",   "x",                                                          // 26-27
};

BertTokenizer tiny(TokenizerOptions options = {}) { return BertTokenizer(kVocabulary, options); }

TEST(BertTokenizer, GreedyLongestMatchFirstWithContinuations) {
  const auto tokenizer = tiny();
  EXPECT_EQ(tokenizer.tokenize("un"), (Strings{"un"}));
  // "una" is the longest prefix, then "##ffable" covers the rest; "un ##aff ##able" is never tried.
  EXPECT_EQ(tokenizer.tokenize("unaffable"), (Strings{"una", "##ffable"}));
  EXPECT_EQ(tokenizer.tokenize("aaa"), (Strings{"a", "##a", "##a"}));
  EXPECT_EQ(tokenizer.find("##aff"), 7);
  EXPECT_EQ(tokenizer.find("aff"), -1);
}

TEST(BertTokenizer, AWordWithAnUnmatchablePartIsOneUnknown) {
  const auto tokenizer = tiny();
  EXPECT_EQ(tokenizer.tokenize("unx"), (Strings{"[UNK]"}));  // "un" matches, "##x" does not: not "un [UNK]"
  EXPECT_EQ(tokenizer.tokenize("x unx a"), (Strings{"x", "[UNK]", "a"}));
  EXPECT_EQ(tokenizer.tokenize("xa"), (Strings{"x", "##a"}));
}

TEST(BertTokenizer, WordsLongerThanMaxInputCharsAreUnknown) {
  const auto tokenizer = tiny();
  const auto pieces = tokenizer.tokenize(std::string(100, 'a'));  // exactly the limit: a + 99 x ##a
  ASSERT_EQ(pieces.size(), 100u);
  EXPECT_EQ(pieces.front(), "a");
  EXPECT_EQ(pieces.back(), "##a");
  EXPECT_EQ(tokenizer.tokenize(std::string(101, 'a')), (Strings{"[UNK]"}));
  // The limit counts code points of the normalised word: "café" is 5 bytes but 4 characters.
  TokenizerOptions options;
  options.strip_accents = false;
  options.max_input_chars_per_word = 4;
  EXPECT_EQ(BertTokenizer(kVocabulary, options).tokenize("café aaaa aaaaa"),
            (Strings{"café", "a", "##a", "##a", "##a", "[UNK]"}));
}

TEST(BertTokenizer, CleansWhitespaceControlsAndSplitsPunctuation) {
  const auto tokenizer = tiny();
  EXPECT_EQ(tokenizer.tokenize("a,b"), (Strings{"a", ",", "b"}));
  EXPECT_EQ(tokenizer.tokenize("\t a\n\r,\u00a0b\u3000 "), (Strings{"a", ",", "b"}));  // NBSP, ideographic space
  // Controls and format characters vanish inside a word: U+0001, soft hyphen, zero-width space.
  EXPECT_EQ(tokenizer.tokenize("a\x01" "b a\u00adb a\u200bb"), (Strings{"ab", "ab", "ab"}));
  EXPECT_EQ(tokenizer.tokenize("a\u2014b"), (Strings{"a", "[UNK]", "b"}));  // em dash (Pd) is punctuation
  EXPECT_EQ(tokenizer.tokenize("a\xff" "b"), (Strings{"ab"}));               // a byte that is not UTF-8 is dropped
  EXPECT_TRUE(tokenizer.tokenize("").empty());
  EXPECT_TRUE(tokenizer.tokenize(" \t\n ").empty());
}

TEST(BertTokenizer, SpecialTokensInTheTextStandForThemselves) {
  const auto tokenizer = tiny();
  EXPECT_EQ(tokenizer.tokenize("a[SEP]b [MASK]"), (Strings{"a", "[SEP]", "b", "[MASK]"}));
  // Matched before normalisation, so a lower-case spelling is ordinary text.
  EXPECT_EQ(tokenizer.tokenize("[sep] [SEP"), (Strings{"[", "sep", "]", "[", "sep"}));
}

TEST(BertTokenizer, LowerCasesAndStripsAccentsByDefault) {
  const auto tokenizer = tiny();
  EXPECT_TRUE(tokenizer.options().do_lower_case);
  EXPECT_EQ(tokenizer.tokenize("Café CAFÉ Cafe\u0301"), (Strings{"cafe", "cafe", "cafe"}));
  EXPECT_EQ(tokenizer.tokenize("\u0130"), (Strings{"i"}));  // İ: NFD gives I + U+0307, the mark goes, then i
}

TEST(BertTokenizer, StripAccentsFalseKeepsThemWhileLowerCasing) {
  TokenizerOptions options;
  options.strip_accents = false;
  const auto tokenizer = tiny(options);
  EXPECT_EQ(tokenizer.tokenize("Café CAFÉ"), (Strings{"café", "café"}));
  // Full lower-casing (Rust's char::to_lowercase): İ becomes i + U+0307, which then ends the word as a piece.
  EXPECT_EQ(tokenizer.tokenize("\u0130"), (Strings{"i", "##\u0307"}));
}

TEST(BertTokenizer, WithoutLowerCasingCaseAndAccentsStay) {
  TokenizerOptions options;
  options.do_lower_case = false;  // strip_accents unset follows do_lower_case
  EXPECT_EQ(tiny(options).tokenize("Café café"), (Strings{"Café", "café"}));
  options.strip_accents = true;  // explicit: strips without lower-casing
  EXPECT_EQ(tiny(options).tokenize("Café café"), (Strings{"Cafe", "cafe"}));
}

TEST(BertTokenizer, ChineseCharactersAreSeparateUnlessDisabled) {
  EXPECT_EQ(tiny().tokenize("你好"), (Strings{"你", "好"}));
  EXPECT_EQ(tiny().tokenize("a你b"), (Strings{"a", "你", "b"}));
  TokenizerOptions options;
  options.tokenize_chinese_chars = false;
  EXPECT_EQ(tiny(options).tokenize("你好"), (Strings{"你好"}));
}

TEST(BertTokenizer, EncodeAddsClsSepAndTruncatesPieces) {
  const auto tokenizer = tiny();
  EXPECT_EQ(tokenizer.encode("un un un", 512), (Ids{2, 5, 5, 5, 3}));
  EXPECT_EQ(tokenizer.encode("un un un", 4), (Ids{2, 5, 5, 3}));
  EXPECT_EQ(tokenizer.encode("unaffable", 3), (Ids{2, 6, 3}));  // cut inside a word, as Hugging Face does
  EXPECT_EQ(tokenizer.encode("un", 2), (Ids{2, 3}));
  EXPECT_EQ(tokenizer.encode("", 8), (Ids{2, 3}));
  EXPECT_NE(error_of([&] { tokenizer.encode("un", 1); }).find("max_length is 1"), std::string::npos);
}

TEST(BertTokenizer, PadBuildsIdsMaskAndLengths) {
  const auto tokenizer = tiny();
  const std::vector<Ids> encodings = {tokenizer.encode("un", 16), tokenizer.encode("a un a", 16), {2, 3}};
  const TokenBatch batch = tokenizer.pad(encodings);
  EXPECT_EQ(batch.batch, 3);
  EXPECT_EQ(batch.length, 5);
  EXPECT_EQ(batch.input_ids, (std::vector<int64_t>{2, 5, 3, 0, 0, /**/ 2, 10, 5, 10, 3, /**/ 2, 3, 0, 0, 0}));
  EXPECT_EQ(batch.attention_mask, (std::vector<int64_t>{1, 1, 1, 0, 0, /**/ 1, 1, 1, 1, 1, /**/ 1, 1, 0, 0, 0}));
  EXPECT_EQ(batch.lengths, (std::vector<int32_t>{3, 5, 2}));
  const TokenBatch empty = tokenizer.pad({});
  EXPECT_EQ(empty.batch, 0);
  EXPECT_EQ(empty.length, 0);
  EXPECT_TRUE(empty.input_ids.empty());
}

TEST(BertTokenizer, MissingSpecialTokenIsAnError) {
  Strings vocabulary = kVocabulary;
  vocabulary[3] = "[SEPARATOR]";
  const auto message = error_of([&] { BertTokenizer(vocabulary, {}); });
  EXPECT_NE(message.find("no [SEP] token"), std::string::npos) << message;
}

// --- from_folder ------------------------------------------------------------------------------------

std::string lines(const Strings& tokens, const std::string& end = "\n") {
  std::string out;
  for (const auto& t : tokens) out += t + end;
  return out;
}

TEST(BertTokenizerFolder, ReadsVocabAndConfig) {
  testing::TempDir dir;
  dir.write("vocab.txt", lines(kVocabulary, "\r\n"));  // CRLF line ends
  dir.write("tokenizer_config.json",
            R"({"do_lower_case": false, "strip_accents": null, "tokenize_chinese_chars": false,
                "model_max_length": 1000000000000000019884624838656, "tokenizer_class": "BertTokenizer"})");
  const auto tokenizer = BertTokenizer::from_folder(dir.path());
  EXPECT_EQ(tokenizer.vocab_size(), static_cast<int32_t>(kVocabulary.size()));
  EXPECT_EQ(tokenizer.token(13), "café");
  EXPECT_FALSE(tokenizer.options().do_lower_case);
  EXPECT_FALSE(tokenizer.options().strip_accents.has_value());
  EXPECT_FALSE(tokenizer.options().tokenize_chinese_chars);
  EXPECT_EQ(tokenizer.options().model_max_length, 512);  // 1e30 means "no limit": the default stays
  EXPECT_EQ(tokenizer.tokenize("Café 你好"), (Strings{"Café", "你好"}));

  dir.write("tokenizer_config.json", R"({"model_max_length": 256, "strip_accents": false})");
  const auto second = BertTokenizer::from_folder(dir.path());
  EXPECT_EQ(second.options().model_max_length, 256);
  EXPECT_EQ(second.options().strip_accents, std::optional<bool>(false));
  EXPECT_TRUE(second.options().do_lower_case);
}

TEST(BertTokenizerFolder, ADuplicatedTokenKeepsItsLastId) {
  testing::TempDir dir;
  Strings vocabulary = kVocabulary;
  vocabulary.push_back("un");  // id 28
  dir.write("vocab.txt", lines(vocabulary));
  const auto tokenizer = BertTokenizer::from_folder(dir.path());
  EXPECT_EQ(tokenizer.vocab_size(), 29);
  EXPECT_EQ(tokenizer.find("un"), 28);
  EXPECT_EQ(tokenizer.encode("un", 8), (Ids{2, 28, 3}));
  EXPECT_EQ(tokenizer.token(5), "un");
}

TEST(BertTokenizerFolder, ConfigErrorsNameTheFileAndKey) {
  testing::TempDir dir;
  dir.write("vocab.txt", lines(kVocabulary));
  dir.write("tokenizer_config.json", R"({"do_lower_case": true,)");
  auto message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("tokenizer_config.json: not valid JSON"), std::string::npos) << message;

  dir.write("tokenizer_config.json", R"({"do_lower_case": "yes"})");
  message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("tokenizer_config.json: \"do_lower_case\" must be true or false"), std::string::npos)
      << message;

  dir.write("tokenizer_config.json", R"({"model_max_length": 1.5})");
  message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("\"model_max_length\" is 1.5"), std::string::npos) << message;
}

TEST(BertTokenizerFolder, VocabErrorsNameTheFile) {
  testing::TempDir dir;
  Strings vocabulary = kVocabulary;
  vocabulary.erase(vocabulary.begin() + 2);  // no [CLS]
  dir.write("vocab.txt", lines(vocabulary));
  auto message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("vocab.txt: the vocabulary (27 tokens) has no [CLS] token"), std::string::npos) << message;

  dir.write("vocab.txt", "[PAD]\n\xff\xfe\n");
  message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("vocab.txt:2: the token is not valid UTF-8"), std::string::npos) << message;

  fs::remove(dir / "vocab.txt");
  message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("has neither vocab.txt nor tokenizer.json"), std::string::npos) << message;
  EXPECT_NE(message.find(dir.path().string()), std::string::npos) << message;

  message = error_of([&] { BertTokenizer::from_folder(dir / "absent"); });
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

TEST(BertTokenizerFolder, FallsBackToTheVocabularyOfTokenizerJson) {
  testing::TempDir dir;
  nlohmann::json vocab = nlohmann::json::object();
  for (size_t i = 0; i < kVocabulary.size(); ++i) vocab[kVocabulary[i]] = i;
  nlohmann::json tokenizer_json = {
      {"normalizer",
       {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
        {"strip_accents", nullptr}, {"lowercase", false}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"model",
       {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 4}, {"vocab", vocab}}}};
  dir.write("tokenizer.json", tokenizer_json.dump());
  const auto tokenizer = BertTokenizer::from_folder(dir.path());
  EXPECT_EQ(tokenizer.vocab_size(), static_cast<int32_t>(kVocabulary.size()));
  EXPECT_EQ(tokenizer.find("##ffable"), 9);
  EXPECT_FALSE(tokenizer.options().do_lower_case);  // from the normaliser
  EXPECT_EQ(tokenizer.options().max_input_chars_per_word, 4);
  EXPECT_EQ(tokenizer.tokenize("Café una aaaaa"), (Strings{"Café", "una", "[UNK]"}));

  dir.write("tokenizer_config.json", R"({"do_lower_case": true})");  // tokenizer_config.json has the last word
  EXPECT_TRUE(BertTokenizer::from_folder(dir.path()).options().do_lower_case);

  tokenizer_json["model"]["type"] = "BPE";
  dir.write("tokenizer.json", tokenizer_json.dump());
  auto message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("tokenizer.json: \"model.type\" is \"BPE\""), std::string::npos) << message;

  tokenizer_json["model"]["type"] = "WordPiece";
  tokenizer_json["model"]["vocab"]["zz"] = 1;  // id 1 twice
  dir.write("tokenizer.json", tokenizer_json.dump());
  message = error_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(message.find("gives the id 1 to both"), std::string::npos) << message;
}

}  // namespace
}  // namespace tailrec
