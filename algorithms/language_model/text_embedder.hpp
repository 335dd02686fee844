#pragma once
// Texts in, one embedding per text out: tokenizer + encoder + pooling, in batches sorted by token
// length so that little padding is computed (results are returned in input order). No torch in this
// header; the encoder lives in algorithms/torch/.
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

namespace tailrec {

enum class Precision { F32, F16, BF16 };
// "fp32" | "fp16" | "bf16".
Precision parse_precision(const std::string& name);
std::string precision_name(Precision precision);

struct EmbedOptions {
  std::optional<Pooling> pooling;   // unset: the checkpoint's default_pooling()
  std::optional<bool> normalize;    // unset: the checkpoint's normalize (L2 per row)
  int max_length = 0;               // 0: min(max_seq_length or model_max_length, max_position_embeddings)
  int batch_size = 32;
  bool sort_by_length = true;       // false: batches in input order (benchmarks compare both)
  bool cuda = false;                // run on the GPU (errors clearly when none is available)
  Precision precision = Precision::F32;  // fp16/bf16 compute on CUDA only; outputs are float32
  int threads = 1;                  // intra-op threads on the CPU
};

// Row-major [rows x dim], float32.
struct Embeddings {
  int64_t rows = 0;
  int64_t dim = 0;
  std::vector<float> values;
  std::span<const float> row(int64_t r) const {
    return {values.data() + r * dim, static_cast<size_t>(dim)};
  }
};

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
