#pragma once
// A Hugging Face BERT-family checkpoint folder: config.json (the architecture), vocab.txt and
// tokenizer_config.json (the tokenizer), model.safetensors (the weights) and, for
// sentence-transformers folders, modules.json + 1_Pooling/config.json (+ a Normalize module and
// sentence_bert_config.json) that say how the model pools and normalises. Read and validated here,
// without torch. pytorch_model.bin is refused (never unpickled) with a conversion hint.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tailrec {

// The keys of config.json that define a BertModel.
struct BertConfig {
  std::string model_type = "bert";
  std::vector<std::string> architectures;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t intermediate_size = 0;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  std::string hidden_act = "gelu";  // exact erf GELU; "gelu_new"/"gelu_pytorch_tanh" = tanh form
  int64_t pad_token_id = 0;
};

enum class Pooling { Mean, Cls, Max, Pooler };

// "mean" | "cls" | "max" | "pooler"; errors list the choices.
Pooling parse_pooling(const std::string& name);
std::string pooling_name(Pooling pooling);

struct Checkpoint {
  std::filesystem::path dir;
  BertConfig config;
  std::filesystem::path weights;           // model.safetensors
  // From a sentence-transformers folder (modules.json), when there is one.
  bool sentence_transformers = false;
  std::optional<Pooling> pooling;          // 1_Pooling/config.json
  bool normalize = false;                  // a sentence_transformers.models.Normalize module
  std::optional<int64_t> max_seq_length;   // sentence_bert_config.json
  // The pooling and normalisation the model was made for: the sentence-transformers ones, else mean
  // pooling without normalisation.
  Pooling default_pooling() const { return pooling.value_or(Pooling::Mean); }
};

// Reads and validates the folder (every error names the file, the key and the fix).
BertConfig read_bert_config(const std::filesystem::path& config_json);
Checkpoint read_checkpoint(const std::filesystem::path& dir);

class SafetensorsFile;
// Refuses weights whose encoder layers (encoder.layer.<n>.*, with or without "bert.") are not the
// num_hidden_layers of config.json: fewer would fail on a missing tensor, more would be silently
// ignored (a different model). Weights without any such tensor are left to the encoder to refuse.
void check_layer_count(const Checkpoint& checkpoint, const SafetensorsFile& weights);

}  // namespace tailrec
