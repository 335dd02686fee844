// Reading a Hugging Face / sentence-transformers checkpoint folder (see checkpoint.hpp). Nothing
// here touches the weights' bytes; safetensors.cpp and the encoder validate those.
#include "algorithms/language_model/checkpoint.hpp"

#include "algorithms/language_model/json_file.hpp"
#include "algorithms/language_model/safetensors.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/error.hpp"

namespace tailrec {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kConvertHint =
    "convert it once with Python (weights are never unpickled here): python -c \"from transformers import "
    "AutoModel; AutoModel.from_pretrained('DIR').save_pretrained('OUT', safe_serialization=True)\" and copy the "
    "tokenizer files (vocab.txt, tokenizer_config.json) next to it";

const json* optional_key(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

int64_t integer_key(const fs::path& file, const json& object, const char* key, std::optional<int64_t> fallback) {
  const json* value = optional_key(object, key);
  if (!value) {
    if (fallback) return *fallback;
    fail("{}: the required key \"{}\" is missing", file.string(), key);
  }
  if (!value->is_number_integer()) fail("{}: \"{}\" must be an integer, found {}", file.string(), key, value->dump());
  if (value->is_number_unsigned() && value->get<uint64_t>() > uint64_t(INT64_MAX))
    fail("{}: \"{}\" = {} is too large", file.string(), key, value->dump());
  return value->get<int64_t>();
}

int64_t positive_key(const fs::path& file, const json& object, const char* key, std::optional<int64_t> fallback) {
  const auto value = integer_key(file, object, key, fallback);
  if (value <= 0) fail("{}: \"{}\" must be positive, found {}", file.string(), key, value);
  return value;
}

std::string string_key(const fs::path& file, const json& object, const char* key, std::optional<std::string> fallback) {
  const json* value = optional_key(object, key);
  if (!value) {
    if (fallback) return *fallback;
    fail("{}: the required key \"{}\" is missing", file.string(), key);
  }
  if (!value->is_string()) fail("{}: \"{}\" must be a string, found {}", file.string(), key, value->dump());
  return value->get<std::string>();
}

bool bool_key(const fs::path& file, const json& object, const char* key) {
  const json* value = optional_key(object, key);
  if (!value) return false;
  if (!value->is_boolean()) fail("{}: \"{}\" must be true or false, found {}", file.string(), key, value->dump());
  return value->get<bool>();
}

// The last component of a sentence-transformers module type ("sentence_transformers.models.Pooling",
// or the newer "sentence_transformers.sentence_transformer.models.Pooling"), or "" for other packages.
std::string module_kind(const std::string& type) {
  if (type.rfind("sentence_transformers.", 0) != 0) return "";
  return type.substr(type.rfind('.') + 1);
}

// A module's folder, relative to the checkpoint; refuses paths that would leave it.
fs::path module_folder(const fs::path& modules_json, const fs::path& dir, const std::string& relative) {
  const fs::path path(relative);
  if (path.is_absolute())
    fail("{}: module path \"{}\" must be relative to the checkpoint folder", modules_json.string(), relative);
  for (const auto& part : path)
    if (part == "..")
      fail("{}: module path \"{}\" must stay inside the checkpoint folder", modules_json.string(), relative);
  return relative.empty() ? dir : dir / path;
}

Pooling read_pooling_config(const fs::path& file, const BertConfig& config) {
  if (!fs::is_regular_file(file))
    fail("{}: missing; a sentence-transformers Pooling module needs its config.json", file.string());
  const auto pooling = read_json_file(file);
  if (!pooling.is_object()) fail("{}: expected a JSON object", file.string());
  if (const json* dimension = optional_key(pooling, "word_embedding_dimension")) {
    if (!dimension->is_number_integer() || dimension->get<int64_t>() != config.hidden_size)
      fail("{}: word_embedding_dimension {} differs from the model's hidden_size {}", file.string(), dimension->dump(),
           config.hidden_size);
  }
  // Newer sentence-transformers may also write "pooling_mode": "mean".
  std::vector<std::string> modes;
  if (const json* mode = optional_key(pooling, "pooling_mode")) {
    if (!mode->is_string()) fail("{}: \"pooling_mode\" must be a string", file.string());
    modes.push_back(mode->get<std::string>());
  } else {
    const std::pair<const char*, const char*> keys[] = {
        {"pooling_mode_cls_token", "cls"},
        {"pooling_mode_mean_tokens", "mean"},
        {"pooling_mode_max_tokens", "max"},
        {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len_tokens"},
        {"pooling_mode_weightedmean_tokens", "weightedmean"},
        {"pooling_mode_lasttoken", "lasttoken"},
    };
    for (const auto& [key, name] : keys)
      if (bool_key(file, pooling, key)) modes.push_back(name);
  }
  if (modes.empty()) fail("{}: no pooling mode is enabled (set pooling_mode_mean_tokens: true)", file.string());
  if (modes.size() > 1)
    fail(
        "{}: several pooling modes are enabled ({} and {}); their concatenation is not supported, enable one of "
        "cls, mean, max",
        file.string(), modes[0], modes[1]);
  const auto& mode = modes[0];
  if (mode == "cls") return Pooling::Cls;
  if (mode == "mean") return Pooling::Mean;
  if (mode == "max") return Pooling::Max;
  fail("{}: pooling mode \"{}\" is not supported (supported: cls, mean, max); override it with an explicit pooling",
       file.string(), mode);
}

// modules.json: Transformer (+ Pooling) (+ Normalize), in that order; anything else changes the
// embedding in ways this reader does not implement, so it is refused.
void read_modules(const fs::path& root, Checkpoint& checkpoint, fs::path& model_dir, fs::path& pooling_config) {
  const auto file = root / "modules.json";
  const auto modules = read_json_file(file);
  if (!modules.is_array()) fail("{}: expected a JSON array of modules", file.string());
  bool transformer = false;
  for (const auto& module : modules) {
    if (!module.is_object()) fail("{}: every module must be a JSON object", file.string());
    const auto type = string_key(file, module, "type", std::nullopt);
    const auto path = string_key(file, module, "path", std::string());
    const auto kind = module_kind(type);
    if (kind == "Transformer") {
      if (transformer) fail("{}: more than one Transformer module", file.string());
      transformer = true;
      model_dir = module_folder(file, root, path);
    } else if (kind == "Pooling") {
      if (!transformer || !pooling_config.empty() || checkpoint.normalize)
        fail("{}: expected one Pooling module after the Transformer module and before Normalize", file.string());
      pooling_config = module_folder(file, root, path) / "config.json";
    } else if (kind == "Normalize") {
      if (!transformer) fail("{}: the Normalize module comes before the Transformer module", file.string());
      checkpoint.normalize = true;
    } else {
      fail(
          "{}: module type \"{}\" is not supported (supported: sentence_transformers Transformer, Pooling, "
          "Normalize)",
          file.string(), type);
    }
  }
  if (!transformer) fail("{}: no sentence_transformers Transformer module", file.string());
}

}  // namespace

Pooling parse_pooling(const std::string& name) {
  if (name == "mean") return Pooling::Mean;
  if (name == "cls") return Pooling::Cls;
  if (name == "max") return Pooling::Max;
  if (name == "pooler") return Pooling::Pooler;
  fail("unknown pooling \"{}\" (choices: mean, cls, max, pooler)", name);
}

std::string pooling_name(Pooling pooling) {
  switch (pooling) {
    case Pooling::Mean: return "mean";
    case Pooling::Cls: return "cls";
    case Pooling::Max: return "max";
    case Pooling::Pooler: return "pooler";
  }
  return "mean";
}

BertConfig read_bert_config(const fs::path& config_json) {
  if (!fs::is_regular_file(config_json))
    fail("{}: missing; a Hugging Face checkpoint folder holds config.json next to model.safetensors",
         config_json.string());
  const auto object = read_json_file(config_json);
  if (!object.is_object()) fail("{}: expected a JSON object", config_json.string());
  const auto& file = config_json;

  BertConfig config;
  if (const json* architectures = optional_key(object, "architectures")) {
    if (!architectures->is_array()) fail("{}: \"architectures\" must be a list of strings", file.string());
    for (const auto& a : *architectures) {
      if (!a.is_string()) fail("{}: \"architectures\" must be a list of strings", file.string());
      config.architectures.push_back(a.get<std::string>());
    }
  }
  // Old BERT checkpoints predate model_type; their architectures name a Bert class.
  bool bert_architecture = false;
  for (const auto& a : config.architectures) bert_architecture |= a.rfind("Bert", 0) == 0;
  config.model_type =
      string_key(file, object, "model_type", bert_architecture ? std::optional<std::string>("bert") : std::nullopt);
  if (config.model_type != "bert")
    fail(
        "{}: model_type \"{}\" is not supported: only the BERT architecture (model_type \"bert\") is implemented; "
        "RoBERTa, DistilBERT, MPNet, ... differ in weights and embeddings",
        file.string(), config.model_type);

  config.vocab_size = positive_key(file, object, "vocab_size", std::nullopt);
  config.hidden_size = positive_key(file, object, "hidden_size", std::nullopt);
  config.num_hidden_layers = positive_key(file, object, "num_hidden_layers", std::nullopt);
  config.num_attention_heads = positive_key(file, object, "num_attention_heads", std::nullopt);
  config.intermediate_size = positive_key(file, object, "intermediate_size", std::nullopt);
  config.max_position_embeddings = positive_key(file, object, "max_position_embeddings", 512);
  config.type_vocab_size = positive_key(file, object, "type_vocab_size", 2);
  config.pad_token_id = integer_key(file, object, "pad_token_id", 0);
  if (config.hidden_size % config.num_attention_heads != 0)
    fail("{}: hidden_size {} is not a multiple of num_attention_heads {}", file.string(), config.hidden_size,
         config.num_attention_heads);

  if (const json* eps = optional_key(object, "layer_norm_eps")) {
    if (!eps->is_number() || !(eps->get<double>() > 0))
      fail("{}: \"layer_norm_eps\" must be a positive number, found {}", file.string(), eps->dump());
    config.layer_norm_eps = eps->get<double>();
  }
  config.hidden_act = string_key(file, object, "hidden_act", std::string("gelu"));
  if (config.hidden_act != "gelu" && config.hidden_act != "gelu_new" && config.hidden_act != "gelu_pytorch_tanh" &&
      config.hidden_act != "relu")
    fail("{}: hidden_act \"{}\" is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, relu)", file.string(),
         config.hidden_act);
  // Relative position embeddings add weights and change attention; refuse rather than compute garbage.
  const auto position_type = string_key(file, object, "position_embedding_type", std::string("absolute"));
  if (position_type != "absolute")
    fail("{}: position_embedding_type \"{}\" is not supported (only \"absolute\")", file.string(), position_type);
  if (bool_key(file, object, "is_decoder"))
    fail("{}: is_decoder is true; only BERT encoders are supported", file.string());
  return config;
}

Checkpoint read_checkpoint(const fs::path& dir) {
  if (!fs::is_directory(dir))
    fail(
        "model folder {} does not exist (or is not a folder); it must hold a Hugging Face checkpoint: config.json, "
        "model.safetensors, vocab.txt",
        dir.string());
  Checkpoint checkpoint;
  fs::path model_dir = dir;
  fs::path pooling_config;
  if (fs::is_regular_file(dir / "modules.json")) {
    checkpoint.sentence_transformers = true;
    read_modules(dir, checkpoint, model_dir, pooling_config);
  }
  checkpoint.dir = model_dir;
  checkpoint.config = read_bert_config(model_dir / "config.json");
  if (!pooling_config.empty()) checkpoint.pooling = read_pooling_config(pooling_config, checkpoint.config);

  if (checkpoint.sentence_transformers) {
    // Written next to the Transformer module's files; older versions put it at the top.
    for (const auto& folder : {model_dir, dir}) {
      const auto file = folder / "sentence_bert_config.json";
      if (!fs::is_regular_file(file)) continue;
      const auto object = read_json_file(file);
      if (!object.is_object()) fail("{}: expected a JSON object", file.string());
      if (optional_key(object, "max_seq_length"))
        checkpoint.max_seq_length = positive_key(file, object, "max_seq_length", std::nullopt);
      break;
    }
  }

  checkpoint.weights = model_dir / "model.safetensors";
  if (!fs::is_regular_file(checkpoint.weights)) {
    if (fs::exists(model_dir / "model.safetensors.index.json"))
      fail(
          "{}: the weights are sharded (model.safetensors.index.json); save them as one file with "
          "save_pretrained(OUT, safe_serialization=True, max_shard_size='100GB')",
          model_dir.string());
    for (const char* pickled : {"pytorch_model.bin", "model.pt", "pytorch_model.pt", "model.pth", "model.bin"})
      if (fs::exists(model_dir / pickled))
        fail(
            "{}: only {} holds the weights, a Python pickle, which tailrec refuses to load (unpickling runs "
            "arbitrary code); {}",
            model_dir.string(), pickled, kConvertHint);
    fail("{}: model.safetensors is missing; download the checkpoint with its safetensors weights or {}",
         model_dir.string(), kConvertHint);
  }
  return checkpoint;
}

void check_layer_count(const Checkpoint& checkpoint, const SafetensorsFile& weights) {
  int64_t held = 0;
  std::string deepest;  // a tensor of the last layer the weights hold
  for (const auto& tensor : weights.tensors()) {
    std::string_view name = tensor.name;
    if (name.starts_with("bert.")) name.remove_prefix(5);
    if (!name.starts_with("encoder.layer.")) continue;
    name.remove_prefix(14);
    const auto index = parse_int(name.substr(0, name.find('.')));
    if (!index || *index < 0) continue;
    if (*index + 1 > held) {
      held = *index + 1;
      deepest = tensor.name;
    }
  }
  const auto layers = checkpoint.config.num_hidden_layers;
  if (held == 0 || held == layers) return;
  const auto config_json = (checkpoint.dir / "config.json").string();
  if (held > layers)
    fail("{}: num_hidden_layers is {}, but {} holds {} encoder layers (tensor \"{}\"); config.json and the weights "
         "belong to different models: set num_hidden_layers to {} or use the config.json saved with these weights",
         config_json, layers, checkpoint.weights.string(), held, deepest, held);
  fail("{}: num_hidden_layers is {}, but {} holds only {} encoder layers (no tensor \"encoder.layer.{}.*\"); config.json "
       "and the weights belong to different models: set num_hidden_layers to {} or use the config.json saved with "
       "these weights", config_json, layers, checkpoint.weights.string(), held, held, held);
}

}  // namespace tailrec
