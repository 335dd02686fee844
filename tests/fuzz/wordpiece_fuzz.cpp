// libFuzzer target: the BERT WordPiece tokenizer, fuzzing both the vocabulary and the text.
// Input: one mode byte, then parts separated by lines holding only "%%": the vocabulary, the text,
// and (folder modes) tokenizer_config.json. Mode bits 0-1: 0 or 3 builds the tokenizer from the
// vocabulary's lines with options from bits 2-6; 1 reads a folder with vocab.txt; 2 a folder with
// tokenizer.json (the first part). Checks the encoding's shape: [CLS] ... [SEP], within max_length.
#include <string>
#include <vector>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

tailrec::BertTokenizer build(uint8_t mode, const std::vector<std::string_view>& parts) {
  const auto dir = tailrec::fuzz::scratch_dir() / "tokenizer";
  const bool folder = (mode & 3) == 1 || (mode & 3) == 2;
  if (folder) {
    tailrec::fuzz::put_file(dir / "vocab.txt", parts[0], (mode & 3) == 1);
    tailrec::fuzz::put_file(dir / "tokenizer.json", parts[0], (mode & 3) == 2);
    tailrec::fuzz::put_file(dir / "tokenizer_config.json", parts.size() > 2 ? parts[2] : "", parts.size() > 2);
    return tailrec::BertTokenizer::from_folder(dir);
  }
  std::vector<std::string> vocabulary;
  std::string_view rest = parts[0];
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    vocabulary.emplace_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  tailrec::TokenizerOptions options;
  options.do_lower_case = (mode & 4) != 0;
  if (mode & 8) options.strip_accents = (mode & 16) != 0;
  options.tokenize_chinese_chars = (mode & 32) != 0;
  options.max_input_chars_per_word = (mode & 64) ? 3 : 100;
  return tailrec::BertTokenizer(std::move(vocabulary), options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const auto parts = tailrec::fuzz::split_parts(tailrec::fuzz::as_text(data + 1, size - 1), 3);
  const std::string_view text = parts.size() > 1 ? parts[1] : "";
  try {
    const auto tokenizer = build(mode, parts);
    for (const auto& piece : tokenizer.tokenize(text)) (void)tokenizer.find(piece);
    const int max_length = 2 + static_cast<int>(text.size() % 17);
    const auto ids = tokenizer.encode(text, max_length);
    if (ids.size() < 2 || static_cast<int>(ids.size()) > max_length || ids.front() != tokenizer.cls_id() ||
        ids.back() != tokenizer.sep_id())
      __builtin_trap();
    for (int32_t id : ids)
      if (id < 0 || id >= tokenizer.vocab_size()) __builtin_trap();
    const std::vector<std::vector<int32_t>> encodings = {ids, tokenizer.encode(text.substr(text.size() / 2), 512)};
    const auto batch = tokenizer.pad(encodings);
    if (batch.input_ids.size() != static_cast<size_t>(batch.batch * batch.length)) __builtin_trap();
  } catch (const tailrec::Error&) {
    // A user error with a message: the expected outcome for bad input.
  }
  return 0;
}
