#pragma once
// BertModel in libtorch: embeddings (word + position + token type, LayerNorm), encoder layers
// (self-attention with the padding mask, residual + LayerNorm, exact erf GELU), pooler (dense +
// tanh), and the poolings. Torch stays behind this header (each torch TU costs ~15 s to compile).
#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "algorithms/language_model/checkpoint.hpp"
#include "algorithms/language_model/embeddings.hpp"

namespace tailrec {

struct EncoderSettings {
  bool cuda = false;
  Precision precision = Precision::F32;  // fp16/bf16 only with cuda
  int threads = 1;                        // at::set_num_threads on the CPU
};

class BertEncoder {
 public:
  virtual ~BertEncoder() = default;

  // Weights from the checkpoint's model.safetensors (names with or without "bert."; F32, F16, BF16).
  static std::unique_ptr<BertEncoder> load(const Checkpoint& checkpoint, const EncoderSettings& settings);
  // Random weights (normal(0, 0.02), seeded) of the given shape: for benchmarks only.
  static std::unique_ptr<BertEncoder> random(const BertConfig& config, uint64_t seed, const EncoderSettings& settings);

  virtual const BertConfig& config() const = 0;
  // [batch x hidden] float32, pooled over the real tokens of each row (optionally L2-normalised).
  virtual std::vector<float> pooled(const TokenBatch& batch, Pooling pooling, bool normalize) const = 0;
  // [batch x length x hidden] float32: the last hidden state (padding rows included).
  virtual std::vector<float> last_hidden_state(const TokenBatch& batch) const = 0;
};

}  // namespace tailrec
