#pragma once
// Texts in, one embedding per text out: tokenizer + encoder + pooling, in batches sorted by token
// length so that little padding is computed (results are returned in input order). No torch in this
// header; the encoder it runs lives in algorithms/torch/, the types it shares with it in
// algorithms/language_model/embeddings.hpp.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "algorithms/language_model/checkpoint.hpp"
#include "algorithms/language_model/embeddings.hpp"

namespace tailrec {

class BertEncoder;

class TextEmbedder {
 public:
  TextEmbedder(const std::filesystem::path& model_dir, const EmbedOptions& options);
  ~TextEmbedder();
  TextEmbedder(TextEmbedder&&) noexcept;
  TextEmbedder& operator=(TextEmbedder&&) noexcept;

  // `progress(done, total)` after each batch.
  Embeddings embed(std::span<const std::string> texts,
                   const std::function<void(int64_t, int64_t)>& progress = {}) const;

  const Checkpoint& checkpoint() const { return checkpoint_; }
  const BertTokenizer& tokenizer() const { return tokenizer_; }
  Pooling pooling() const { return pooling_; }
  bool normalize() const { return normalize_; }
  int max_length() const { return max_length_; }
  int64_t dimension() const { return checkpoint_.config.hidden_size; }
  // Identifies what embeddings this embedder produces, for caches: the weights' sha256 (computed once
  // per embedder), the vocabulary, tokenizer options, pooling, normalisation, max length, precision
  // and device (CPU and GPU agree within 1e-5 only, and a cache must not blur that).
  std::string fingerprint() const;

 private:
  Checkpoint checkpoint_;
  BertTokenizer tokenizer_;
  EmbedOptions options_;
  Pooling pooling_ = Pooling::Mean;
  bool normalize_ = false;
  int max_length_ = 0;
  std::unique_ptr<BertEncoder> encoder_;
  // Computed on first use (hashing the weights takes a while); the mutex makes that safe from
  // several threads. Held by pointer so that TextEmbedder stays movable.
  mutable std::unique_ptr<std::mutex> fingerprint_mutex_ = std::make_unique<std::mutex>();
  mutable std::string fingerprint_;
};

}  // namespace tailrec
