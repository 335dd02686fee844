// `tailrec model fetch | info | embed`: get a BERT checkpoint from the Hugging Face hub, describe a
// checkpoint folder, and embed a file of texts with it.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <iterator>

#include <fmt/format.h>

#include "algorithms/bert/text_embedder.hpp"
#include "algorithms/language_model/bert_tokenizer.hpp"
#include "algorithms/language_model/checkpoint.hpp"
#include "algorithms/language_model/safetensors.hpp"
#include "experiments/commands.hpp"
#include "experiments/hub_download.hpp"
#include "framework/util/atomic_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/owned_folder.hpp"
#include "framework/util/progress.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

// 1234567 -> "1,234,567".
std::string with_thousands(int64_t value) {
  const auto digits = std::to_string(value < 0 ? -value : value);
  std::string out = value < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code points
// above U+10FFFF are invalid), or nullopt.
std::optional<size_t> invalid_utf8_at(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code = 0, minimum = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F, minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F, minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07, minimum = 0x10000;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += length;
  }
  return std::nullopt;
}

// One text per line: '\n' ends a line, a '\r' before it is dropped, a UTF-8 BOM is skipped, and a
// final line break does not start another (empty) text. Every line must be valid UTF-8.
std::vector<std::string> read_text_lines(const std::filesystem::path& input) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(input, ec))
    fail("input file {} does not exist or is not a file; give a UTF-8 text file with one text per line",
         input.string());
  std::ifstream in(input, std::ios::binary);
  if (!in) fail("cannot read input file {} (permissions?)", input.string());
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail("error while reading input file {}", input.string());
  std::string_view rest(content);
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  std::vector<std::string> lines;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const auto bad = invalid_utf8_at(line))
      fail("{}:{}: invalid UTF-8 at byte {} of the line (text {} counting from 0); convert the file to UTF-8, e.g. "
           "iconv -f latin1 -t utf-8",
           input.string(), lines.size() + 1, *bad + 1, lines.size());
    lines.emplace_back(line);
  }
  return lines;
}

void print_field(const std::string& name, const std::string& value) {
  std::cout << fmt::format("{:<20} {}\n", name, value);
}

std::string yes_no(bool value) { return value ? "yes" : "no"; }

}  // namespace

int model_fetch_command(const ModelFetchCommand& command) {
  HubFetchOptions options;
  options.repo_id = command.repo_id;
  options.revision = command.revision.empty() ? "main" : command.revision;
  check_repo_id(options.repo_id);
  options.dir = command.dir.empty() ? default_model_dir(options.repo_id, options.revision)
                                    : std::filesystem::path(command.dir);
  options.token = env("HF_TOKEN");
  options.endpoint = hub_endpoint();
  std::unique_ptr<ProgressBar> bar;
  std::string bar_file;
  options.progress = [&](std::string_view file, int64_t done, int64_t total) {
    if (!bar || bar_file != file) {
      bar_file = std::string(file);
      bar = std::make_unique<ProgressBar>(bar_file, true);
    }
    bar->update(done, total);
  };
  options.note = [&](const std::string& line) {
    if (bar) bar->finish();
    bar.reset();
    std::cerr << line << '\n';
  };
  std::cerr << fmt::format("fetching {} (revision {}) from {} into {}\n", options.repo_id, options.revision,
                           options.endpoint, options.dir.string());
  const auto result = fetch_hub_model(options);
  if (bar) bar->finish();
  size_t downloaded = 0, present = 0;
  for (const auto& file : result.files) {
    downloaded += file.state == HubFile::State::Downloaded;
    present += file.state == HubFile::State::UpToDate;
  }
  std::cerr << fmt::format("{}: {} file(s) downloaded, {} already present{}\n", options.repo_id, downloaded, present,
                           result.commit.empty() ? "" : ", commit " + result.commit);
  std::cout << options.dir.string() << '\n';  // the last line is the folder, for scripts
  return 0;
}

int model_info_command(const std::string& model_dir) {
  const auto checkpoint = read_checkpoint(model_dir);
  const auto& config = checkpoint.config;
  const auto weights = SafetensorsFile::open(checkpoint.weights);
  check_layer_count(checkpoint, weights);
  const auto tokenizer = BertTokenizer::from_folder(checkpoint.dir);

  int64_t parameters = 0;
  std::map<std::string, size_t> dtypes;
  for (const auto& tensor : weights.tensors()) {
    parameters += tensor.numel();
    ++dtypes[tensor.dtype];
  }
  std::vector<std::string> dtype_list;
  for (const auto& [dtype, count] : dtypes) dtype_list.push_back(fmt::format("{} ({} tensors)", dtype, count));

  print_field("folder", checkpoint.dir.string());
  print_field("architecture", fmt::format("{} (model_type {})",
                                          config.architectures.empty() ? "-" : join(config.architectures, ", "),
                                          config.model_type));
  print_field("layers", std::to_string(config.num_hidden_layers));
  print_field("hidden size", std::to_string(config.hidden_size));
  print_field("attention heads", std::to_string(config.num_attention_heads));
  print_field("intermediate size", std::to_string(config.intermediate_size));
  print_field("max positions", std::to_string(config.max_position_embeddings));
  print_field("activation", config.hidden_act);
  print_field("parameters", fmt::format("{} in {} tensors", with_thousands(parameters), weights.tensors().size()));
  print_field("dtype", dtype_list.empty() ? "-" : join(dtype_list, ", "));
  print_field("vocab size", fmt::format("{} (config.json), {} tokens in vocab.txt{}", config.vocab_size,
                                        tokenizer.vocab_size(),
                                        config.vocab_size == tokenizer.vocab_size() ? "" : "  (they differ!)"));
  const auto& t = tokenizer.options();
  const bool strip_accents = t.strip_accents.value_or(t.do_lower_case);
  print_field("tokenizer", fmt::format("lower case {}, strip accents {}{}, CJK characters split {}, model_max_length {}",
                                       yes_no(t.do_lower_case), yes_no(strip_accents),
                                       t.strip_accents ? "" : " (follows lower case)", yes_no(t.tokenize_chinese_chars),
                                       t.model_max_length));
  print_field("pooling", checkpoint.pooling
                             ? fmt::format("{} (1_Pooling/config.json)", pooling_name(*checkpoint.pooling))
                             : fmt::format("{} (default; no sentence-transformers pooling module)",
                                           pooling_name(checkpoint.default_pooling())));
  print_field("normalize", checkpoint.sentence_transformers
                               ? fmt::format("{} (modules.json)", yes_no(checkpoint.normalize))
                               : "no (default; no sentence-transformers modules)");
  if (checkpoint.max_seq_length)
    print_field("max seq length", fmt::format("{} (sentence_bert_config.json)", *checkpoint.max_seq_length));
  std::error_code ec;
  uint64_t folder_bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(checkpoint.dir, ec))
    if (entry.is_regular_file(ec)) folder_bytes += entry.file_size(ec);
  print_field("weights", fmt::format("{}, {}", checkpoint.weights.filename().string(),
                                     human_bytes(std::filesystem::file_size(checkpoint.weights))));
  print_field("folder size", human_bytes(folder_bytes));
  return 0;
}

int model_embed_command(const ModelEmbedCommand& command) {
  EmbedOptions options;
  if (!command.pooling.empty()) options.pooling = parse_pooling(command.pooling);
  if (command.normalize && command.no_normalize) fail("tailrec model embed: give --normalize or --no-normalize, not both");
  if (command.normalize) options.normalize = true;
  if (command.no_normalize) options.normalize = false;
  if (command.max_length < 0 || command.max_length == 1)
    fail("tailrec model embed: --max-length {} is too small; give at least 2 ([CLS] and [SEP]) or 0 for the model's "
         "limit",
         command.max_length);
  if (command.batch_size < 1) fail("tailrec model embed: --batch-size must be at least 1, got {}", command.batch_size);
  if (command.threads < 1) fail("tailrec model embed: --threads must be at least 1, got {}", command.threads);
  if (command.device != "cpu" && command.device != "cuda")
    fail("tailrec model embed: unknown --device '{}'; choose cpu or cuda", command.device);
  options.max_length = command.max_length;
  options.batch_size = command.batch_size;
  options.cuda = command.device == "cuda";
  options.precision = parse_precision(command.precision);
  options.threads = command.threads;

  const std::filesystem::path input(command.input), output(command.output);
  check_output_file(output, {input, command.model_dir}, "--output");
  const auto texts = read_text_lines(input);
  const TextEmbedder embedder(command.model_dir, options);
  Embeddings embeddings;
  {
    ProgressBar bar("embed", true);
    embeddings = embedder.embed(texts, [&](int64_t done, int64_t total) { bar.update(done, total); });
  }

  if (!output.parent_path().empty()) create_user_folder(output.parent_path(), "the folder of --output");
  AtomicFile out(output);
  fmt::memory_buffer line;
  for (int64_t r = 0; r < embeddings.rows; ++r) {
    line.clear();
    fmt::format_to(std::back_inserter(line), "{}", r);
    for (const float value : embeddings.row(r)) fmt::format_to(std::back_inserter(line), "\t{:.9g}", value);
    line.push_back('\n');
    out.write(line.data(), line.size());
  }
  out.commit();
  std::cerr << fmt::format("embedded {} texts: dimension {}, pooling {}, normalize {}, max length {} -> {}\n",
                           embeddings.rows, embeddings.dim, pooling_name(embedder.pooling()),
                           yes_no(embedder.normalize()), embedder.max_length(), output.string());
  return 0;
}

}  // namespace tailrec
