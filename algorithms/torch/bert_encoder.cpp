// BertModel forward pass in libtorch, written after Hugging Face's modeling_bert (eager attention):
// embeddings = LayerNorm(word[ids] + token_type[0] + position[0..L)), then per layer
//   a = LayerNorm(x + Dense(softmax(QKᵀ/√d + mask) V)),  x = LayerNorm(a + Dense(act(Dense(a)))),
// with mask = (1 - attention_mask) · finfo(dtype).min on the padded keys, as HF builds it. Q, K and V
// come from one fused product (the three weights concatenated), which only changes rounding.
// No fmt here (see algorithms/CMakeLists.txt): messages are std::string.
#include "algorithms/torch/bert_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include "algorithms/language_model/safetensors.hpp"
#include "algorithms/torch/torch_runtime.hpp"
#include "framework/util/error.hpp"
#include "framework/util/parallel.hpp"

namespace tailrec {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

struct Placement {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat32;
};

Placement placement(const EncoderSettings& settings) {
  if (settings.threads < 1) throw Error("encoder threads must be at least 1, got " + std::to_string(settings.threads));
  Placement p;
  if (settings.cuda) {
    if (!torch::cuda::is_available())
      throw Error(
          "the text encoder was asked to run on CUDA, but libtorch sees no CUDA device (Debian's libtorch "
          "is CPU-only); run it on the CPU instead");
    p.device = torch::Device(torch::kCUDA, 0);
  }
  if (settings.precision != Precision::F32 && !settings.cuda)
    throw Error(std::string("precision ") + (settings.precision == Precision::F16 ? "fp16" : "bf16") +
                " is only supported on CUDA (half-precision matrix products on the CPU are slow and not what the "
                "model was checked with); use precision fp32 on the CPU");
  if (settings.precision == Precision::F16) p.dtype = torch::kFloat16;
  if (settings.precision == Precision::BF16) p.dtype = torch::kBFloat16;
  return p;
}

// torch.finfo(dtype).min, the additive mask value Hugging Face uses.
double dtype_min(torch::ScalarType dtype) {
  if (dtype == torch::kFloat16) return -65504.0;
  if (dtype == torch::kBFloat16) return -3.3895313892515355e38;
  return std::numeric_limits<float>::lowest();
}

struct Layer {
  torch::Tensor qkv_weight, qkv_bias;  // [3H x H], [3H]: query, key, value stacked
  torch::Tensor attention_out_weight, attention_out_bias;
  torch::Tensor attention_norm_weight, attention_norm_bias;
  torch::Tensor intermediate_weight, intermediate_bias;
  torch::Tensor output_weight, output_bias;
  torch::Tensor output_norm_weight, output_norm_bias;
};

struct Weights {
  torch::Tensor word, position, token_type, norm_weight, norm_bias;
  std::vector<Layer> layers;
  torch::Tensor pooler_weight, pooler_bias;  // undefined when the checkpoint has no pooler
};

void check_config(const BertConfig& c) {
  if (c.vocab_size <= 0 || c.hidden_size <= 0 || c.num_hidden_layers <= 0 || c.num_attention_heads <= 0 ||
      c.intermediate_size <= 0 || c.max_position_embeddings <= 0 || c.type_vocab_size <= 0)
    throw Error("BERT config: every size must be positive");
  if (c.hidden_size % c.num_attention_heads != 0)
    throw Error("BERT config: hidden_size " + std::to_string(c.hidden_size) + " is not a multiple of " +
                "num_attention_heads " + std::to_string(c.num_attention_heads));
}

// Reads the tensors of a safetensors checkpoint by their Hugging Face names, checking each shape
// against config.json.
class WeightReader {
 public:
  WeightReader(const Checkpoint& checkpoint, const Placement& place)
      : file_(SafetensorsFile::open(checkpoint.weights)), config_path_(checkpoint.dir / "config.json"), place_(place) {
    // BertModel.save_pretrained writes bare names; BertForMaskedLM & co. prefix them with "bert.".
    if (!file_.find("embeddings.word_embeddings.weight") && file_.find("bert.embeddings.word_embeddings.weight"))
      prefix_ = "bert.";
  }

  void check_layers(const Checkpoint& checkpoint) const { check_layer_count(checkpoint, file_); }

  torch::Tensor required(const std::string& name, std::vector<int64_t> shape) {
    auto tensor = optional(name, std::move(shape));
    if (!tensor)
      throw Error("safetensors file " + file_.path().string() + ": tensor \"" + prefix_ + name +
                  "\" is missing; this is not a BERT checkpoint, or its weights use other names (expected Hugging "
                  "Face BertModel names, with or without the \"bert.\" prefix)");
    return *tensor;
  }

  std::optional<torch::Tensor> optional(const std::string& name, std::vector<int64_t> shape) {
    const SafetensorsTensor* found = file_.find(prefix_ + name);
    // TensorFlow-era checkpoints call the LayerNorm parameters gamma and beta.
    const auto dot = name.rfind('.');
    if (!found && name.find("LayerNorm.") != std::string::npos) {
      const auto leaf = name.substr(dot + 1);
      const auto old = name.substr(0, dot + 1) + (leaf == "weight" ? "gamma" : "beta");
      found = file_.find(prefix_ + old);
    }
    if (!found) return std::nullopt;
    const auto where = "safetensors file " + file_.path().string() + ": tensor \"" + found->name + "\"";
    torch::ScalarType source;
    if (found->dtype == "F32")
      source = torch::kFloat32;
    else if (found->dtype == "F16")
      source = torch::kFloat16;
    else if (found->dtype == "BF16")
      source = torch::kBFloat16;
    else
      throw Error(where + " has dtype " + found->dtype + "; the encoder reads F32, F16 or BF16 weights");
    if (found->shape != shape)
      throw Error(where + " has shape " + shape_text(found->shape) + ", but " + config_path_.string() + " implies " +
                  shape_text(shape) + "; config.json and the weights belong to different models");
    // memcpy, not from_blob: tensor data in a safetensors file need not be aligned. (Both the format
    // and every platform libtorch runs on are little-endian.)
    auto host = torch::empty(shape, torch::dtype(source));
    const auto bytes = file_.data(*found);
    if (!bytes.empty()) std::memcpy(host.data_ptr(), bytes.data(), bytes.size());
    return host.to(place_.device, place_.dtype);
  }

 private:
  SafetensorsFile file_;
  std::filesystem::path config_path_;
  Placement place_;
  std::string prefix_;
};

class TorchBertEncoder final : public BertEncoder {
 public:
  TorchBertEncoder(BertConfig config, const EncoderSettings& settings, Placement place, Weights weights)
      : config_(std::move(config)), settings_(settings), place_(place), w_(std::move(weights)) {}

  const BertConfig& config() const override { return config_; }

  std::vector<float> pooled(const TokenBatch& batch, Pooling pooling, bool normalize) const override {
    if (pooling == Pooling::Pooler && !w_.pooler_weight.defined())
      throw Error(
          "pooling \"pooler\" needs the checkpoint's pooler.dense weights, which it does not have; use "
          "pooling mean, cls or max");
    check_batch(batch);
    if (batch.batch == 0) return {};
    c10::InferenceMode inference;
    set_threads();
    const auto [ids, mask] = inputs(batch);
    const auto hidden = encode(ids, mask);
    torch::Tensor out;
    if (pooling == Pooling::Pooler) {
      out = torch::tanh(torch::linear(hidden.select(1, 0), w_.pooler_weight, w_.pooler_bias)).to(torch::kFloat32);
    } else {
      const auto h = hidden.to(torch::kFloat32);
      const auto m = mask.unsqueeze(-1).to(torch::kFloat32);  // [B x L x 1]
      if (pooling == Pooling::Cls) {
        out = h.select(1, 0);
      } else if (pooling == Pooling::Mean) {  // as sentence-transformers: sum / max(count, 1e-9)
        out = (h * m).sum(1) / m.sum(1).clamp_min(1e-9);
      } else {  // Max over the real tokens only
        out = std::get<0>(h.masked_fill(m == 0, std::numeric_limits<float>::lowest()).max(1));
      }
    }
    if (normalize)
      out = out / out.norm(2, std::vector<int64_t>{1}, true).clamp_min(1e-12);  // torch F.normalize, eps 1e-12
    return to_host(out);
  }

  std::vector<float> last_hidden_state(const TokenBatch& batch) const override {
    check_batch(batch);
    if (batch.batch == 0 || batch.length == 0) return {};
    c10::InferenceMode inference;
    set_threads();
    const auto [ids, mask] = inputs(batch);
    return to_host(encode(ids, mask).to(torch::kFloat32));
  }

 private:
  void check_batch(const TokenBatch& batch) const {
    const auto cells = static_cast<size_t>(batch.batch * batch.length);
    if (batch.batch < 0 || batch.length < 0 || batch.input_ids.size() != cells || batch.attention_mask.size() != cells)
      throw Error("token batch: " + std::to_string(batch.batch) + " x " + std::to_string(batch.length) +
                  " does not match its " + std::to_string(batch.input_ids.size()) + " ids and " +
                  std::to_string(batch.attention_mask.size()) + " mask values");
    if (batch.batch > 0 && batch.length < 1) throw Error("token batch: rows of length 0 (every row needs [CLS])");
    if (batch.length > config_.max_position_embeddings)
      throw Error("token batch: length " + std::to_string(batch.length) + " exceeds max_position_embeddings " +
                  std::to_string(config_.max_position_embeddings) + "; lower max_length");
    for (size_t i = 0; i < cells; ++i) {
      if (batch.input_ids[i] < 0 || batch.input_ids[i] >= config_.vocab_size)
        throw Error("token batch: id " + std::to_string(batch.input_ids[i]) + " is outside the vocabulary [0, " +
                    std::to_string(config_.vocab_size) + "); the tokenizer's vocab.txt does not match the model");
      if (batch.attention_mask[i] != 0 && batch.attention_mask[i] != 1)
        throw Error("token batch: attention mask values must be 0 or 1");
    }
  }

  // CPU: torch's own intra-op pool is held at one thread (and OpenBLAS too, see torch_runtime.hpp);
  // encode() parallelises over chunks with plain threads instead. libgomp's idle threads spin at
  // each barrier, and on a machine with more runnable threads than cores (ctest -j2, a shared node)
  // that made a 2-thread encode of the tiny fixture 17x slower than 1 thread (OMP_WAIT_POLICY=PASSIVE
  // removed the loss, but must be set before libgomp loads).
  void set_threads() const {
    if (!settings_.cuda) configure_torch_cpu_threads(1);
  }

  // The batch in fixed chunks of kCpuChunkRows sequences on `threads` plain threads, each chunk one
  // serial forward pass. The chunking does not depend on the thread count, so neither do the
  // results; on the GPU the whole batch is one forward pass.
  static constexpr int64_t kCpuChunkRows = 8;
  torch::Tensor encode(const torch::Tensor& ids, const torch::Tensor& mask) const {
    const int64_t rows = ids.size(0);
    if (settings_.cuda || rows <= kCpuChunkRows) return forward(ids, mask);
    const int64_t chunks = (rows + kCpuChunkRows - 1) / kCpuChunkRows;
    std::vector<torch::Tensor> parts(static_cast<size_t>(chunks));
    parallel_chunks(chunks, 1, settings_.threads, [&](int64_t begin, int64_t end) {
      c10::InferenceMode inference;  // thread-local: the worker threads need their own
      for (int64_t c = begin; c < end; ++c) {
        const int64_t start = c * kCpuChunkRows, n = std::min(kCpuChunkRows, rows - start);
        parts[static_cast<size_t>(c)] = forward(ids.narrow(0, start, n), mask.narrow(0, start, n));
      }
    });
    return torch::cat(parts);
  }

  std::pair<torch::Tensor, torch::Tensor> inputs(const TokenBatch& batch) const {
    const auto opts = torch::dtype(torch::kInt64);
    auto ids = torch::from_blob(const_cast<int64_t*>(batch.input_ids.data()), {batch.batch, batch.length}, opts);
    auto mask = torch::from_blob(const_cast<int64_t*>(batch.attention_mask.data()), {batch.batch, batch.length}, opts);
    return {ids.to(place_.device, /*non_blocking=*/false, /*copy=*/true),
            mask.to(place_.device, /*non_blocking=*/false, /*copy=*/true)};
  }

  torch::Tensor activation(const torch::Tensor& x) const {
    if (config_.hidden_act == "gelu") return torch::gelu(x);  // exact erf form
    if (config_.hidden_act == "relu") return torch::relu(x);
    return torch::gelu(x, "tanh");  // gelu_new, gelu_pytorch_tanh
  }

  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask) const {
    const int64_t batch = ids.size(0), length = ids.size(1);
    const int64_t hidden = config_.hidden_size, heads = config_.num_attention_heads, head_dim = hidden / heads;
    const double eps = config_.layer_norm_eps;
    const auto positions = torch::arange(length, ids.options());
    auto x = torch::embedding(w_.word, ids) + w_.token_type[0];
    x = x + torch::embedding(w_.position, positions).unsqueeze(0);
    x = torch::layer_norm(x, {hidden}, w_.norm_weight, w_.norm_bias, eps);

    const auto additive = ((1 - mask.to(place_.dtype)) * dtype_min(place_.dtype)).view({batch, 1, 1, length});
    const double scale = std::sqrt(static_cast<double>(head_dim));
    for (const auto& layer : w_.layers) {
      const auto qkv = torch::linear(x, layer.qkv_weight, layer.qkv_bias)
                           .view({batch, length, 3, heads, head_dim})
                           .permute({2, 0, 3, 1, 4});  // [3 x B x heads x L x head_dim]
      const auto scores = torch::matmul(qkv[0], qkv[1].transpose(-1, -2)) / scale + additive;
      const auto context =
          torch::matmul(torch::softmax(scores, -1), qkv[2]).permute({0, 2, 1, 3}).reshape({batch, length, hidden});
      const auto attended =
          torch::layer_norm(torch::linear(context, layer.attention_out_weight, layer.attention_out_bias) + x, {hidden},
                            layer.attention_norm_weight, layer.attention_norm_bias, eps);
      const auto intermediate = activation(torch::linear(attended, layer.intermediate_weight, layer.intermediate_bias));
      x = torch::layer_norm(torch::linear(intermediate, layer.output_weight, layer.output_bias) + attended, {hidden},
                            layer.output_norm_weight, layer.output_norm_bias, eps);
    }
    return x;
  }

  static std::vector<float> to_host(const torch::Tensor& t) {
    const auto host = t.to(torch::kCPU, torch::kFloat32).contiguous();
    std::vector<float> out(static_cast<size_t>(host.numel()));
    if (!out.empty()) std::memcpy(out.data(), host.data_ptr<float>(), out.size() * sizeof(float));
    return out;
  }

  BertConfig config_;
  EncoderSettings settings_;
  Placement place_;
  Weights w_;
};

}  // namespace

std::unique_ptr<BertEncoder> BertEncoder::load(const Checkpoint& checkpoint, const EncoderSettings& settings) {
  const auto place = placement(settings);
  const auto& c = checkpoint.config;
  check_config(c);
  torch::NoGradGuard no_grad;
  WeightReader read(checkpoint, place);
  read.check_layers(checkpoint);
  const int64_t h = c.hidden_size, inter = c.intermediate_size;
  Weights w;
  w.word = read.required("embeddings.word_embeddings.weight", {c.vocab_size, h});
  w.position = read.required("embeddings.position_embeddings.weight", {c.max_position_embeddings, h});
  w.token_type = read.required("embeddings.token_type_embeddings.weight", {c.type_vocab_size, h});
  w.norm_weight = read.required("embeddings.LayerNorm.weight", {h});
  w.norm_bias = read.required("embeddings.LayerNorm.bias", {h});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const auto p = "encoder.layer." + std::to_string(l) + ".";
    Layer layer;
    layer.qkv_weight = torch::cat({read.required(p + "attention.self.query.weight", {h, h}),
                                   read.required(p + "attention.self.key.weight", {h, h}),
                                   read.required(p + "attention.self.value.weight", {h, h})});
    layer.qkv_bias = torch::cat({read.required(p + "attention.self.query.bias", {h}),
                                 read.required(p + "attention.self.key.bias", {h}),
                                 read.required(p + "attention.self.value.bias", {h})});
    layer.attention_out_weight = read.required(p + "attention.output.dense.weight", {h, h});
    layer.attention_out_bias = read.required(p + "attention.output.dense.bias", {h});
    layer.attention_norm_weight = read.required(p + "attention.output.LayerNorm.weight", {h});
    layer.attention_norm_bias = read.required(p + "attention.output.LayerNorm.bias", {h});
    layer.intermediate_weight = read.required(p + "intermediate.dense.weight", {inter, h});
    layer.intermediate_bias = read.required(p + "intermediate.dense.bias", {inter});
    layer.output_weight = read.required(p + "output.dense.weight", {h, inter});
    layer.output_bias = read.required(p + "output.dense.bias", {h});
    layer.output_norm_weight = read.required(p + "output.LayerNorm.weight", {h});
    layer.output_norm_bias = read.required(p + "output.LayerNorm.bias", {h});
    w.layers.push_back(std::move(layer));
  }
  auto pooler_weight = read.optional("pooler.dense.weight", {h, h});
  auto pooler_bias = read.optional("pooler.dense.bias", {h});
  if (pooler_weight.has_value() != pooler_bias.has_value())
    throw Error(checkpoint.weights.string() + ": has " + (pooler_weight ? "pooler.dense.weight" : "pooler.dense.bias") +
                " but not " + (pooler_weight ? "pooler.dense.bias" : "pooler.dense.weight") +
                "; the file is incomplete (re-export or re-fetch the model)");
  if (pooler_weight && pooler_bias) {
    w.pooler_weight = *pooler_weight;
    w.pooler_bias = *pooler_bias;
  }
  return std::make_unique<TorchBertEncoder>(c, settings, place, std::move(w));
}

std::unique_ptr<BertEncoder> BertEncoder::random(const BertConfig& config, uint64_t seed,
                                                 const EncoderSettings& settings) {
  const auto place = placement(settings);
  check_config(config);
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  // Drawn on the CPU in float32 (the same values for every device), then placed.
  const auto normal = [&](std::vector<int64_t> shape) {
    return torch::empty(shape, torch::kFloat32).normal_(0.0, 0.02, generator).to(place.device, place.dtype);
  };
  const auto filled = [&](int64_t n, double value) {
    return torch::full({n}, value, torch::dtype(place.dtype).device(place.device));
  };
  const int64_t h = config.hidden_size, inter = config.intermediate_size;
  Weights w;
  w.word = normal({config.vocab_size, h});
  w.position = normal({config.max_position_embeddings, h});
  w.token_type = normal({config.type_vocab_size, h});
  w.norm_weight = filled(h, 1);
  w.norm_bias = filled(h, 0);
  for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
    Layer layer;
    layer.qkv_weight = normal({3 * h, h});
    layer.qkv_bias = filled(3 * h, 0);
    layer.attention_out_weight = normal({h, h});
    layer.attention_out_bias = filled(h, 0);
    layer.attention_norm_weight = filled(h, 1);
    layer.attention_norm_bias = filled(h, 0);
    layer.intermediate_weight = normal({inter, h});
    layer.intermediate_bias = filled(inter, 0);
    layer.output_weight = normal({h, inter});
    layer.output_bias = filled(h, 0);
    layer.output_norm_weight = filled(h, 1);
    layer.output_norm_bias = filled(h, 0);
    w.layers.push_back(std::move(layer));
  }
  w.pooler_weight = normal({h, h});
  w.pooler_bias = filled(h, 0);
  return std::make_unique<TorchBertEncoder>(config, settings, place, std::move(w));
}

}  // namespace tailrec
