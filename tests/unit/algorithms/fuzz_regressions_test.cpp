// Regressions found by the libFuzzer targets (tests/fuzz, docs/fuzzing.md): each input here is the
// minimised reproducer committed under tests/fuzz/regressions/<target>/, replayed in the normal build.
#include <string>

#include <gtest/gtest.h>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

std::string folder_error(const std::string& file, const std::string& content) {
  testing::TempDir dir;
  dir.write(file, content);
  try {
    (void)BertTokenizer::from_folder(dir.path());
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// tests/fuzz/regressions/wordpiece/tokenizer_json_number_out_of_range: a tokenizer.json holding "2e729",
// a number beyond double's range. nlohmann::json throws out_of_range (not parse_error) for it, which
// escaped read_json_file as a foreign exception and ended the program.
TEST(FuzzRegressionsTokenizer, JsonNumberOutOfRangeIsAnError) {
  const auto message = folder_error("tokenizer.json", "2e729");
  EXPECT_NE(message.find("tokenizer.json: not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("number overflow"), std::string::npos) << message;
  // The same inside tokenizer_config.json, read by the same function.
  testing::TempDir dir;
  dir.write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
  dir.write("tokenizer_config.json", R"({"model_max_length": -1e400})");
  try {
    (void)BertTokenizer::from_folder(dir.path());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer_config.json: not valid JSON"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec
