// TextEmbedder (see text_embedder.hpp): tokenise everything, order the texts by token length so
// that each batch pads to a similar length, encode batch by batch, put each row back at its text's
// index.
#include "algorithms/bert/text_embedder.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <numeric>

#include <openssl/evp.h>

#include "algorithms/torch/bert_encoder.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"

namespace tailrec {

namespace {

// Hex sha256 of a file, streamed (model.safetensors may be gigabytes).
std::string sha256_hex(const std::filesystem::path& file) {
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (!in) fail("{}: cannot read the file to fingerprint it", file.string());
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  std::vector<unsigned char> buffer(1 << 20);
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) EVP_DigestUpdate(context, buffer.data(), got);
  const bool read_error = std::ferror(in) != 0;
  std::fclose(in);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context, digest, &size);
  EVP_MD_CTX_free(context);
  if (read_error) fail("{}: read error while fingerprinting the file", file.string());
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

int default_max_length(const Checkpoint& checkpoint, const BertTokenizer& tokenizer) {
  const int64_t wanted = checkpoint.max_seq_length.value_or(tokenizer.options().model_max_length);
  return static_cast<int>(std::min(wanted, checkpoint.config.max_position_embeddings));
}

}  // namespace

TextEmbedder::TextEmbedder(const std::filesystem::path& model_dir, const EmbedOptions& options)
    : checkpoint_(read_checkpoint(model_dir)),
      tokenizer_(BertTokenizer::from_folder(checkpoint_.dir)),
      options_(options) {
  const auto& config = checkpoint_.config;
  if (tokenizer_.vocab_size() > config.vocab_size)
    fail("{}: vocab.txt has {} tokens but config.json's vocab_size is {}; the tokenizer belongs to another model",
         checkpoint_.dir.string(), tokenizer_.vocab_size(), config.vocab_size);
  if (options.batch_size <= 0) fail("embedding batch_size must be positive, got {}", options.batch_size);
  if (options.threads <= 0) fail("embedding threads must be positive, got {}", options.threads);
  pooling_ = options.pooling.value_or(checkpoint_.default_pooling());
  normalize_ = options.normalize.value_or(checkpoint_.normalize);
  max_length_ = options.max_length == 0 ? default_max_length(checkpoint_, tokenizer_) : options.max_length;
  if (max_length_ < 2 || max_length_ > config.max_position_embeddings)
    fail(
        "embedding max_length {} is out of range: it must be in [2, {}] (2 holds [CLS] and [SEP]; {} is the model's "
        "max_position_embeddings)",
        max_length_, config.max_position_embeddings, config.max_position_embeddings);
  encoder_ = BertEncoder::load(checkpoint_, EncoderSettings{options.cuda, options.precision, options.threads});
}

TextEmbedder::~TextEmbedder() = default;
TextEmbedder::TextEmbedder(TextEmbedder&&) noexcept = default;
TextEmbedder& TextEmbedder::operator=(TextEmbedder&&) noexcept = default;

Embeddings TextEmbedder::embed(std::span<const std::string> texts,
                               const std::function<void(int64_t, int64_t)>& progress) const {
  const auto n = static_cast<int64_t>(texts.size());
  std::vector<std::vector<int32_t>> encodings(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) encodings[i] = tokenizer_.encode(texts[i], max_length_);

  // Longest first (as sentence-transformers): the largest batch, and any out-of-memory, comes first.
  // Stable, so equal lengths keep input order and the batching does not depend on the sort routine.
  std::vector<int64_t> order(texts.size());
  std::iota(order.begin(), order.end(), 0);
  if (options_.sort_by_length)
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return encodings[static_cast<size_t>(a)].size() > encodings[static_cast<size_t>(b)].size();
    });

  Embeddings out;
  out.rows = n;
  out.dim = dimension();
  out.values.resize(static_cast<size_t>(n * out.dim));
  std::vector<std::vector<int32_t>> batch;
  for (int64_t start = 0; start < n; start += options_.batch_size) {
    const int64_t stop = std::min<int64_t>(n, start + options_.batch_size);
    batch.clear();
    for (int64_t k = start; k < stop; ++k)
      batch.push_back(std::move(encodings[static_cast<size_t>(order[static_cast<size_t>(k)])]));
    const auto pooled = encoder_->pooled(tokenizer_.pad(batch), pooling_, normalize_);
    for (int64_t k = start; k < stop; ++k)
      std::memcpy(out.values.data() + order[static_cast<size_t>(k)] * out.dim, pooled.data() + (k - start) * out.dim,
                  static_cast<size_t>(out.dim) * sizeof(float));
    if (progress) progress(stop, n);
  }
  return out;
}

std::string TextEmbedder::fingerprint() const {
  const std::lock_guard<std::mutex> lock(*fingerprint_mutex_);
  if (!fingerprint_.empty()) return fingerprint_;
  Hasher hasher;
  hasher.text("tailrec text embedder v1").text(sha256_hex(checkpoint_.weights));
  // config.json beyond the shapes (which the weights fix) still changes the output.
  const auto& config = checkpoint_.config;
  hasher.text(config.hidden_act).real(config.layer_norm_eps).integer(static_cast<uint64_t>(config.num_attention_heads));
  hasher.integer(static_cast<uint64_t>(tokenizer_.vocab_size()));
  for (int32_t id = 0; id < tokenizer_.vocab_size(); ++id) hasher.text(tokenizer_.token(id));
  const auto& t = tokenizer_.options();
  hasher.integer(t.do_lower_case).integer(t.strip_accents.has_value()).integer(t.strip_accents.value_or(false));
  hasher.integer(t.tokenize_chinese_chars).integer(static_cast<uint64_t>(t.max_input_chars_per_word));
  hasher.text(pooling_name(pooling_)).integer(normalize_).integer(static_cast<uint64_t>(max_length_));
  hasher.text(precision_name(options_.precision)).text(options_.cuda ? "cuda" : "cpu");
  fingerprint_ = hasher.hex();
  return fingerprint_;
}

}  // namespace tailrec
