// Checkpoint folders: config.json of the shared tiny BERT, sentence-transformers folders in both
// layouts (Transformer at the top or in 0_Transformer/), and every refusal with its message:
// non-BERT model types, broken configs, pickled weights (never loaded, with the conversion hint),
// unsupported poolings and modules, module paths that leave the folder.
#include <filesystem>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "algorithms/bert/text_embedder.hpp"
#include "algorithms/language_model/checkpoint.hpp"
#include "algorithms/language_model/safetensors.hpp"
#include "framework/util/error.hpp"
#include "unit/algorithms/bert_test_support.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::error_of;
using testing::fixture_config;
using testing::pooling_config;
using testing::TempDir;
using testing::write_json;
using testing::write_sentence_transformers;

TEST(BertCheckpoint, ReadsConfigsAndSentenceTransformersFolders) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  const auto plain = read_checkpoint(testing::bert_fixture_dir());
  EXPECT_EQ(plain.dir, testing::bert_fixture_dir());
  EXPECT_EQ(plain.weights, testing::bert_fixture_dir() / "model.safetensors");
  EXPECT_FALSE(plain.sentence_transformers);
  EXPECT_FALSE(plain.pooling.has_value());
  EXPECT_EQ(plain.default_pooling(), Pooling::Mean);
  EXPECT_FALSE(plain.normalize);
  EXPECT_FALSE(plain.max_seq_length.has_value());
  const auto& c = plain.config;
  EXPECT_EQ(c.model_type, "bert");
  EXPECT_EQ(c.architectures, std::vector<std::string>{"BertModel"});
  EXPECT_EQ(c.vocab_size, 30522);
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.num_attention_heads, 4);
  EXPECT_EQ(c.intermediate_size, 64);
  EXPECT_EQ(c.max_position_embeddings, 128);
  EXPECT_EQ(c.type_vocab_size, 2);
  EXPECT_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.hidden_act, "gelu");
  EXPECT_EQ(c.pad_token_id, 0);

  TempDir dir;
  // Transformer at the top, CLS pooling, normalised.
  write_sentence_transformers(dir / "top", "", pooling_config("cls_token"), true);
  const auto top = read_checkpoint(dir / "top");
  EXPECT_TRUE(top.sentence_transformers);
  EXPECT_EQ(top.dir, dir / "top");
  EXPECT_EQ(top.pooling, Pooling::Cls);
  EXPECT_EQ(top.default_pooling(), Pooling::Cls);
  EXPECT_TRUE(top.normalize);
  EXPECT_EQ(top.max_seq_length, 64);

  // Transformer in 0_Transformer/ (config, weights and tokenizer live there), max pooling, newer
  // module type names, no Normalize.
  write_sentence_transformers(dir / "nested", "0_Transformer", pooling_config("max_tokens"), false,
                              "sentence_transformers.base.models.Transformer");
  const auto nested = read_checkpoint(dir / "nested");
  EXPECT_EQ(nested.dir, dir / "nested/0_Transformer");
  EXPECT_EQ(nested.weights, dir / "nested/0_Transformer/model.safetensors");
  EXPECT_EQ(nested.pooling, Pooling::Max);
  EXPECT_FALSE(nested.normalize);
  EXPECT_EQ(nested.max_seq_length, 64);

  // "pooling_mode": "mean" (newer writers), and an old config without model_type but a Bert class.
  write_json(dir / "nested/1_Pooling/config.json", {{"word_embedding_dimension", 32}, {"pooling_mode", "mean"}});
  auto old = fixture_config();
  old.erase("model_type");
  write_json(dir / "nested/0_Transformer/config.json", old);
  const auto mean = read_checkpoint(dir / "nested");
  EXPECT_EQ(mean.pooling, Pooling::Mean);
  EXPECT_EQ(mean.config.model_type, "bert");

  for (const auto* name : {"mean", "cls", "max", "pooler"}) EXPECT_EQ(pooling_name(parse_pooling(name)), name);
  EXPECT_NE(error_of([] { parse_pooling("avg"); }).find("choices: mean, cls, max, pooler"), std::string::npos);
  for (const auto* name : {"fp32", "fp16", "bf16"}) EXPECT_EQ(precision_name(parse_precision(name)), name);
  EXPECT_NE(error_of([] { parse_precision("fp8"); }).find("choices: fp32, fp16, bf16"), std::string::npos);
}

TEST(BertCheckpoint, RefusesBadFoldersWithClearErrors) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  TempDir dir;
  const auto expect_error = [](const std::string& message, const std::string& expected, const std::string& what) {
    EXPECT_NE(message.find(expected), std::string::npos) << what << ": " << (message.empty() ? "(no error)" : message);
  };

  expect_error(error_of([&] { read_checkpoint(dir / "absent"); }), "absent does not exist", "missing folder");
  fs::create_directories(dir / "empty");
  expect_error(error_of([&] { read_checkpoint(dir / "empty"); }), "config.json: missing", "no config.json");

  // config.json problems, each in a folder of its own.
  const auto config_error = [&](const std::string& name, const std::function<void(json&)>& edit) {
    auto config = fixture_config();
    edit(config);
    write_json(dir / name / "config.json", config);
    return error_of([&] { read_bert_config(dir / name / "config.json"); });
  };
  expect_error(config_error("roberta", [](json& c) { c["model_type"] = "roberta"; }),
               "model_type \"roberta\" is not supported: only the BERT architecture", "roberta");
  expect_error(config_error("no_hidden", [](json& c) { c.erase("hidden_size"); }),
               "the required key \"hidden_size\" is missing", "missing key");
  expect_error(config_error("string_hidden", [](json& c) { c["hidden_size"] = "32"; }),
               "\"hidden_size\" must be an integer, found \"32\"", "string size");
  expect_error(config_error("heads", [](json& c) { c["hidden_size"] = 30; }),
               "hidden_size 30 is not a multiple of num_attention_heads 4", "heads");
  expect_error(config_error("zero_layers", [](json& c) { c["num_hidden_layers"] = 0; }),
               "\"num_hidden_layers\" must be positive, found 0", "zero layers");
  expect_error(config_error("act", [](json& c) { c["hidden_act"] = "swish"; }),
               "hidden_act \"swish\" is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, relu)", "act");
  expect_error(config_error("relative", [](json& c) { c["position_embedding_type"] = "relative_key"; }),
               "position_embedding_type \"relative_key\" is not supported", "relative positions");
  expect_error(config_error("eps", [](json& c) { c["layer_norm_eps"] = -1; }),
               "\"layer_norm_eps\" must be a positive number", "eps");
  expect_error(config_error("no_type",
                            [](json& c) {
                              c.erase("model_type");
                              c["architectures"] = {"GPT2Model"};
                            }),
               "the required key \"model_type\" is missing", "no model_type");
  testing::write_file(dir / "garbage/config.json", "{\"hidden_size\": ");
  expect_error(error_of([&] { read_bert_config(dir / "garbage/config.json"); }), "garbage/config.json: not valid JSON",
               "not JSON");

  // Weights only as a pickle: refused, never opened, with the conversion command.
  testing::copy_bert_fixture(dir / "pickled", /*weights=*/false);
  testing::write_file(dir / "pickled/pytorch_model.bin", "PK\x03\x04 not really a pickle");
  const auto pickled = error_of([&] { read_checkpoint(dir / "pickled"); });
  expect_error(pickled, "only pytorch_model.bin holds the weights, a Python pickle, which tailrec refuses to load",
               "pickle");
  expect_error(pickled, "save_pretrained('OUT', safe_serialization=True)", "pickle hint");
  testing::copy_bert_fixture(dir / "sharded", /*weights=*/false);
  testing::write_file(dir / "sharded/model.safetensors.index.json", "{}");
  expect_error(error_of([&] { read_checkpoint(dir / "sharded"); }), "the weights are sharded", "sharded");
  testing::copy_bert_fixture(dir / "no_weights", /*weights=*/false);
  expect_error(error_of([&] { read_checkpoint(dir / "no_weights"); }), "model.safetensors is missing", "no weights");

  // sentence-transformers poolings and modules this reader does not implement.
  const std::pair<const char*, const char*> poolings[] = {
      {"mean_sqrt_len_tokens", "pooling mode \"mean_sqrt_len_tokens\" is not supported (supported: cls, mean, max)"},
      {"weightedmean_tokens", "pooling mode \"weightedmean\" is not supported"},
      {"lasttoken", "pooling mode \"lasttoken\" is not supported"},
  };
  write_sentence_transformers(dir / "st", "", pooling_config("mean_tokens"), true);
  for (const auto& [mode, expected] : poolings) {
    write_json(dir / "st/1_Pooling/config.json", pooling_config(mode));
    expect_error(error_of([&] { read_checkpoint(dir / "st"); }), expected, mode);
  }
  auto two = pooling_config("mean_tokens");
  two["pooling_mode_max_tokens"] = true;
  write_json(dir / "st/1_Pooling/config.json", two);
  expect_error(error_of([&] { read_checkpoint(dir / "st"); }), "several pooling modes are enabled (mean and max)",
               "two modes");
  auto wrong_dim = pooling_config("mean_tokens");
  wrong_dim["word_embedding_dimension"] = 768;
  write_json(dir / "st/1_Pooling/config.json", wrong_dim);
  expect_error(error_of([&] { read_checkpoint(dir / "st"); }),
               "word_embedding_dimension 768 differs from the model's hidden_size 32", "dimension");
  write_json(dir / "st/1_Pooling/config.json", pooling_config("mean_tokens"));

  auto modules = json::parse(testing::read_text(dir / "st/modules.json"));
  modules.push_back({{"idx", 3}, {"name", "3"}, {"path", "3_Dense"}, {"type", "sentence_transformers.models.Dense"}});
  write_json(dir / "st/modules.json", modules);
  expect_error(error_of([&] { read_checkpoint(dir / "st"); }),
               "module type \"sentence_transformers.models.Dense\" is not supported", "Dense");
  modules.erase(3);
  // Normalize before Pooling would normalise token states, not the sentence embedding.
  write_json(dir / "st/modules.json", json::array({modules[0], modules[2], modules[1]}));
  expect_error(error_of([&] { read_checkpoint(dir / "st"); }),
               "expected one Pooling module after the Transformer module and before Normalize", "normalize first");
  modules[0]["path"] = "../elsewhere";
  write_json(dir / "st/modules.json", modules);
  expect_error(error_of([&] { read_checkpoint(dir / "st"); }), "must stay inside the checkpoint folder", "escape");
  write_json(dir / "st/modules.json", json::array({modules[1]}));
  expect_error(error_of([&] { read_checkpoint(dir / "st"); }), "expected one Pooling module after the Transformer",
               "no transformer");
}

// The fixture holds 2 encoder layers (encoder.layer.0/1.*, as its config.json says): a config.json
// that claims 1 or 3 describes another model and is refused naming config.json and a tensor.
TEST(BertCheckpoint, RefusesAConfigWhoseLayerCountIsNotTheWeights) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  const auto original = read_checkpoint(testing::bert_fixture_dir());
  ASSERT_EQ(original.config.num_hidden_layers, 2);
  EXPECT_NO_THROW(check_layer_count(original, SafetensorsFile::open(original.weights)));
  TempDir dir;
  const auto with_layers = [&](int layers) {
    const auto folder = dir / ("layers" + std::to_string(layers));
    testing::copy_bert_fixture(folder);
    auto config = fixture_config();
    config["num_hidden_layers"] = layers;
    write_json(folder / "config.json", config);
    const auto checkpoint = read_checkpoint(folder);
    return error_of([&] { check_layer_count(checkpoint, SafetensorsFile::open(checkpoint.weights)); });
  };
  const auto fewer = with_layers(1);
  EXPECT_NE(fewer.find("layers1/config.json: num_hidden_layers is 1, but"), std::string::npos) << fewer;
  EXPECT_NE(fewer.find("holds 2 encoder layers (tensor \"encoder.layer.1."), std::string::npos) << fewer;
  const auto more = with_layers(3);
  EXPECT_NE(more.find("layers3/config.json: num_hidden_layers is 3, but"), std::string::npos) << more;
  EXPECT_NE(more.find("holds only 2 encoder layers (no tensor \"encoder.layer.2.*\")"), std::string::npos) << more;
}

}  // namespace
}  // namespace tailrec
