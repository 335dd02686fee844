#pragma once
// What a text embedder and the encoder it runs share: the compute precision, the options of an
// embedding pass and the embedding matrix. Plain types, no torch.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

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

}  // namespace tailrec
