// The libtorch BERT encoder and the TextEmbedder against Hugging Face: the shared tiny random BERT's
// reference outputs (transformers 5.17 / sentence-transformers 6.0.1, computed in Python) for 20
// tricky texts, fed as the reference token ids padded into one batch (encoder) and as raw text
// through the C++ tokenizer (embedder), within 1e-4 absolute. Also: converted (F16, BF16) and
// renamed ("bert." prefix, gamma/beta) weights written at test time, the refusal of bad weights
// and settings, determinism across thread counts, length-sorted batching, and the CUDA path (skipped
// without a GPU).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "algorithms/bert/text_embedder.hpp"
#include "algorithms/language_model/checkpoint.hpp"
#include "algorithms/torch/bert_encoder.hpp"
#include "algorithms/torch/similarity_cuda.hpp"
#include "framework/util/error.hpp"
#include "unit/algorithms/bert_test_support.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using testing::bert_reference;
using testing::error_of;
using testing::max_abs_diff;
using testing::TempDir;

constexpr int64_t kHidden = 32;

EncoderSettings cpu(int threads = 1) { return EncoderSettings{false, Precision::F32, threads}; }

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 1e30;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
  return worst;
}

// A checkpoint folder with the fixture's config and tokenizer and the given weights.
fs::path write_checkpoint(const fs::path& dir, const testing::RawTensors& tensors) {
  testing::copy_bert_fixture(dir, /*weights=*/false);
  testing::write_file(dir / "model.safetensors", testing::safetensors_bytes(tensors));
  return dir;
}

void expect_message(const std::string& message, const std::string& expected, const std::string& what) {
  EXPECT_NE(message.find(expected), std::string::npos) << what << ": " << (message.empty() ? "(no error)" : message);
}

TEST(BertEncoder, MatchesHuggingFaceReference) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  const auto& reference = bert_reference();
  ASSERT_EQ(reference.at("max_length").get<int>(), 64);
  const auto encoder = BertEncoder::load(read_checkpoint(testing::bert_fixture_dir()), cpu());
  const auto batch = testing::reference_batch();
  ASSERT_EQ(batch.batch, 20);
  ASSERT_EQ(batch.length, 64);  // the longest text fills max_length; every other row is padded

  const auto cls = encoder->pooled(batch, Pooling::Cls, false);
  const auto mean = encoder->pooled(batch, Pooling::Mean, false);
  EXPECT_LT(max_abs_diff(cls, reference["cls_last_hidden"]), 1e-4);
  EXPECT_LT(max_abs_diff(mean, reference["mean_pooled"]), 1e-4);
  EXPECT_LT(max_abs_diff(encoder->pooled(batch, Pooling::Pooler, false), reference["pooler_output"]), 1e-4);

  const auto hidden = encoder->last_hidden_state(batch);
  ASSERT_EQ(hidden.size(), size_t(20 * 64 * kHidden));
  const auto& text0 = reference["last_hidden_state_text0"];
  ASSERT_EQ(text0.size(), 7u);
  EXPECT_LT(max_abs_diff(std::vector<float>(hidden.begin(), hidden.begin() + 7 * kHidden), text0), 1e-4);

  // Max pooling and the normalisation, by hand from the last hidden state: padded positions (whose
  // hidden states are finite numbers too) must not take part.
  const auto max = encoder->pooled(batch, Pooling::Max, false);
  const auto normalized = encoder->pooled(batch, Pooling::Mean, true);
  for (int64_t r = 0; r < batch.batch; ++r) {
    double norm = 0;
    for (int64_t d = 0; d < kHidden; ++d) norm += double(mean[r * kHidden + d]) * mean[r * kHidden + d];
    norm = std::sqrt(norm);
    for (int64_t d = 0; d < kHidden; ++d) {
      float expected = -INFINITY;
      for (int64_t t = 0; t < batch.lengths[size_t(r)]; ++t)
        expected = std::max(expected, hidden[size_t((r * 64 + t) * kHidden + d)]);
      EXPECT_EQ(max[size_t(r * kHidden + d)], expected) << r << "," << d;
      EXPECT_NEAR(normalized[size_t(r * kHidden + d)], mean[size_t(r * kHidden + d)] / norm, 1e-6);
      EXPECT_EQ(cls[size_t(r * kHidden + d)], hidden[size_t(r * 64 * kHidden + d)]);
    }
  }

  // Padding does not leak: text 0 alone (7 tokens, no padding) gives its padded row.
  TokenBatch alone;
  alone.batch = 1;
  alone.length = batch.lengths[0];
  alone.input_ids.assign(batch.input_ids.begin(), batch.input_ids.begin() + alone.length);
  alone.attention_mask.assign(size_t(alone.length), 1);
  alone.lengths = {batch.lengths[0]};
  EXPECT_LT(max_abs_diff(encoder->pooled(alone, Pooling::Mean, false),
                         std::vector<float>(mean.begin(), mean.begin() + kHidden)),
            1e-5);

  // Bit-identical whatever the thread count.
  const auto two_threads = BertEncoder::load(read_checkpoint(testing::bert_fixture_dir()), cpu(2));
  EXPECT_EQ(two_threads->pooled(batch, Pooling::Mean, false), mean);
  EXPECT_EQ(two_threads->last_hidden_state(batch), hidden);
  EXPECT_TRUE(encoder->pooled(TokenBatch{}, Pooling::Mean, false).empty());
}

// F16 and BF16 files hold rounded weights. The encoder widens them to float32 exactly, so a
// converted file must give bit for bit what an F32 file holding the same rounded values gives (the
// strict check of the conversion). Against the full-precision reference, the rounding itself moves
// the outputs: weights are rounded by at most 2^-11 (F16) / 2^-8 (BF16) relative, and through two
// layers and the LayerNorms this moved the outputs by at most 2.4e-3 (F16) / 1.8e-2 (BF16) here
// (measured; the test prints them). The bounds 5e-3 and 4e-2 (about twice that) leave room for
// summation-order differences on other BLAS while still catching a wrong conversion (errors of
// order 1: the outputs are LayerNorm-scaled).
TEST(BertEncoder, LoadsConvertedAndRenamedWeights) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  const auto& reference = bert_reference();
  const auto raw = testing::read_raw_safetensors(testing::bert_fixture_dir() / "model.safetensors");
  const auto batch = testing::reference_batch();
  const auto original = BertEncoder::load(read_checkpoint(testing::bert_fixture_dir()), cpu());
  const auto original_mean = original->pooled(batch, Pooling::Mean, false);
  const auto original_pooler = original->pooled(batch, Pooling::Pooler, false);
  TempDir dir;

  // "bert."-prefixed names (BertForMaskedLM & co.), TensorFlow-era gamma/beta LayerNorm names, and
  // tensors the encoder does not use (a masked-LM head, the position_ids buffer).
  testing::RawTensors renamed;
  for (const auto& [name, tensor] : raw) {
    std::string new_name = "bert." + name;
    if (name.rfind("embeddings.LayerNorm.", 0) == 0 ||
        name.find("layer.0.attention.output.LayerNorm.") != std::string::npos) {
      const auto dot = new_name.rfind('.');
      new_name = new_name.substr(0, dot + 1) + (new_name.substr(dot + 1) == "weight" ? "gamma" : "beta");
    }
    renamed[new_name] = tensor;
  }
  renamed["cls.predictions.bias"] = {"F32", {30522}, std::string(30522 * 4, '\0')};
  renamed["bert.embeddings.position_ids"] = {"I64", {1, 128}, std::string(128 * 8, '\0')};
  const auto prefixed = BertEncoder::load(read_checkpoint(write_checkpoint(dir / "prefixed", renamed)), cpu());
  EXPECT_EQ(prefixed->pooled(batch, Pooling::Mean, false), original_mean);
  EXPECT_EQ(prefixed->pooled(batch, Pooling::Pooler, false), original_pooler);

  const std::pair<const char*, double> dtypes[] = {{"F16", 5e-3}, {"BF16", 4e-2}};
  for (const auto& [dtype, tolerance] : dtypes) {
    const auto half = BertEncoder::load(
        read_checkpoint(write_checkpoint(dir / dtype, testing::convert_tensors(raw, dtype, false))), cpu());
    const auto widened =
        BertEncoder::load(read_checkpoint(write_checkpoint(dir / (std::string(dtype) + "_as_f32"),
                                                           testing::convert_tensors(raw, dtype, true))),
                          cpu());
    const auto mean = half->pooled(batch, Pooling::Mean, false);
    EXPECT_EQ(mean, widened->pooled(batch, Pooling::Mean, false)) << dtype;
    const double mean_error = max_abs_diff(mean, reference["mean_pooled"]);
    const double cls_error = max_abs_diff(half->pooled(batch, Pooling::Cls, false), reference["cls_last_hidden"]);
    const double pooler_error = max_abs_diff(half->pooled(batch, Pooling::Pooler, false), reference["pooler_output"]);
    EXPECT_LT(mean_error, tolerance) << dtype;
    EXPECT_LT(cls_error, tolerance) << dtype;
    EXPECT_LT(pooler_error, tolerance) << dtype;
    EXPECT_GT(mean_error, 0) << dtype << ": the rounding should be visible";
    std::cout << dtype << " weights: max |difference| to the F32 reference: mean " << mean_error << ", cls "
              << cls_error << ", pooler " << pooler_error << "\n";
  }
}

TEST(BertEncoder, RefusesBadWeightsAndSettings) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  const auto raw = testing::read_raw_safetensors(testing::bert_fixture_dir() / "model.safetensors");
  TempDir dir;
  const auto load_error = [&](const std::string& name, const testing::RawTensors& tensors) {
    return error_of([&] { BertEncoder::load(read_checkpoint(write_checkpoint(dir / name, tensors)), cpu()); });
  };

  auto integer = raw;
  integer["encoder.layer.0.attention.self.query.bias"] = {"I64", {32}, std::string(32 * 8, '\0')};
  const auto integer_error = load_error("integer", integer);
  expect_message(
      integer_error,
      "tensor \"encoder.layer.0.attention.self.query.bias\" has dtype I64; the encoder reads F32, F16 or BF16", "I64");
  expect_message(integer_error, (dir / "integer/model.safetensors").string(), "I64 names the file");

  auto missing = raw;
  missing.erase("encoder.layer.1.output.dense.bias");
  expect_message(load_error("missing", missing), "tensor \"encoder.layer.1.output.dense.bias\" is missing", "missing");

  // config.json that does not match the weights.
  write_checkpoint(dir / "shape", raw);
  auto config = testing::fixture_config();
  config["intermediate_size"] = 65;
  testing::write_json(dir / "shape/config.json", config);
  expect_message(error_of([&] { BertEncoder::load(read_checkpoint(dir / "shape"), cpu()); }),
                 "tensor \"encoder.layer.0.intermediate.dense.weight\" has shape [64, 32], but " +
                     (dir / "shape/config.json").string() + " implies [65, 32]",
                 "shape");

  // Corrupt weights are caught by the reader, through the encoder too.
  testing::copy_bert_fixture(dir / "cut", /*weights=*/false);
  const auto whole = testing::read_text(testing::bert_fixture_dir() / "model.safetensors");
  testing::write_file(dir / "cut/model.safetensors", whole.substr(0, 1000));
  expect_message(error_of([&] { BertEncoder::load(read_checkpoint(dir / "cut"), cpu()); }),
                 "safetensors file " + (dir / "cut/model.safetensors").string(), "truncated");

  // Without a pooler the encoder loads; only pooling=pooler is refused.
  auto no_pooler = raw;
  no_pooler.erase("pooler.dense.weight");
  no_pooler.erase("pooler.dense.bias");
  const auto headless = BertEncoder::load(read_checkpoint(write_checkpoint(dir / "no_pooler", no_pooler)), cpu());
  const auto batch = testing::reference_batch();
  EXPECT_EQ(headless->pooled(batch, Pooling::Mean, false).size(), size_t(20 * kHidden));
  expect_message(error_of([&] { headless->pooled(batch, Pooling::Pooler, false); }),
                 "pooling \"pooler\" needs the checkpoint's pooler.dense weights", "no pooler");

  // Settings.
  const auto checkpoint = read_checkpoint(testing::bert_fixture_dir());
  expect_message(error_of([&] {
                   BertEncoder::load(checkpoint, EncoderSettings{false, Precision::F16, 1});
                 }),
                 "precision fp16 is only supported on CUDA", "fp16 on cpu");
  expect_message(error_of([&] {
                   BertEncoder::load(checkpoint, EncoderSettings{false, Precision::BF16, 1});
                 }),
                 "precision bf16 is only supported on CUDA", "bf16 on cpu");
  expect_message(error_of([&] { BertEncoder::load(checkpoint, cpu(0)); }), "threads must be at least 1", "threads");
  if (!torch_cuda_available())
    expect_message(error_of([&] {
                     BertEncoder::load(checkpoint, EncoderSettings{true, Precision::F32, 1});
                   }),
                   "libtorch sees no CUDA device", "cuda");

  // Batches the model cannot take.
  auto out_of_vocabulary = batch;
  out_of_vocabulary.input_ids[3] = 30522;
  expect_message(error_of([&] { headless->pooled(out_of_vocabulary, Pooling::Mean, false); }),
                 "id 30522 is outside the vocabulary [0, 30522)", "vocabulary");
  TokenBatch too_long;
  too_long.batch = 1;
  too_long.length = 129;
  too_long.input_ids.assign(129, 100);
  too_long.attention_mask.assign(129, 1);
  expect_message(error_of([&] { headless->last_hidden_state(too_long); }),
                 "length 129 exceeds max_position_embeddings 128", "too long");
  too_long.input_ids.pop_back();
  expect_message(error_of([&] { headless->last_hidden_state(too_long); }), "does not match its 128 ids", "sizes");

  // Random weights (benchmarks): seeded, so reproducible.
  const auto& config_shape = checkpoint.config;
  const auto a = BertEncoder::random(config_shape, 7, cpu())->pooled(batch, Pooling::Mean, false);
  EXPECT_EQ(a, BertEncoder::random(config_shape, 7, cpu())->pooled(batch, Pooling::Mean, false));
  EXPECT_NE(a, BertEncoder::random(config_shape, 8, cpu())->pooled(batch, Pooling::Mean, false));
  EXPECT_EQ(a.size(), size_t(20 * kHidden));
}

std::vector<std::string> reference_texts() { return bert_reference().at("texts").get<std::vector<std::string>>(); }

TEST(TextEmbedder, MatchesReferenceThroughTheTokenizer) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  const auto& reference = bert_reference();
  const auto texts = reference_texts();
  EmbedOptions options;
  options.max_length = 64;
  options.batch_size = 3;  // 7 batches, the last one short
  const TextEmbedder embedder(testing::bert_fixture_dir(), options);
  EXPECT_EQ(embedder.pooling(), Pooling::Mean);
  EXPECT_FALSE(embedder.normalize());
  EXPECT_EQ(embedder.max_length(), 64);
  EXPECT_EQ(embedder.dimension(), kHidden);

  std::vector<std::pair<int64_t, int64_t>> progress;
  const auto mean = embedder.embed(texts, [&](int64_t done, int64_t total) { progress.emplace_back(done, total); });
  ASSERT_EQ(mean.rows, 20);
  ASSERT_EQ(mean.dim, kHidden);
  EXPECT_LT(max_abs_diff(mean.values, reference["mean_pooled"]), 1e-4);
  ASSERT_EQ(progress.size(), 7u);
  EXPECT_EQ(progress.front(), (std::pair<int64_t, int64_t>{3, 20}));
  EXPECT_EQ(progress.back(), (std::pair<int64_t, int64_t>{20, 20}));

  // Batches in input order pad differently; the results agree up to float rounding.
  auto unsorted_options = options;
  unsorted_options.sort_by_length = false;
  EXPECT_LT(max_abs_diff(TextEmbedder(testing::bert_fixture_dir(), unsorted_options).embed(texts).values, mean.values),
            1e-5);
  auto threaded = options;
  threaded.threads = 2;
  EXPECT_EQ(TextEmbedder(testing::bert_fixture_dir(), threaded).embed(texts).values, mean.values);

  auto cls_options = options;
  cls_options.pooling = Pooling::Cls;
  const TextEmbedder cls(testing::bert_fixture_dir(), cls_options);
  EXPECT_LT(max_abs_diff(cls.embed(texts).values, reference["cls_last_hidden"]), 1e-4);
  auto pooler_options = options;
  pooler_options.pooling = Pooling::Pooler;
  EXPECT_LT(max_abs_diff(TextEmbedder(testing::bert_fixture_dir(), pooler_options).embed(texts).values,
                         reference["pooler_output"]),
            1e-4);
  EXPECT_EQ(embedder.embed(std::vector<std::string>{}).rows, 0);

  // Fingerprints: stable, and different whenever the embeddings could differ.
  const auto fingerprint = embedder.fingerprint();
  EXPECT_EQ(fingerprint.size(), 16u);
  EXPECT_EQ(fingerprint, TextEmbedder(testing::bert_fixture_dir(), threaded).fingerprint());
  EXPECT_NE(fingerprint, cls.fingerprint());
  auto shorter = options;
  shorter.max_length = 32;
  EXPECT_NE(fingerprint, TextEmbedder(testing::bert_fixture_dir(), shorter).fingerprint());
  auto normalized = options;
  normalized.normalize = true;
  EXPECT_NE(fingerprint, TextEmbedder(testing::bert_fixture_dir(), normalized).fingerprint());

  // Defaults and option errors.
  EXPECT_EQ(TextEmbedder(testing::bert_fixture_dir(), EmbedOptions{}).max_length(),
            128);  // min(model_max_length, positions)
  auto bad = options;
  bad.batch_size = 0;
  expect_message(error_of([&] { TextEmbedder(testing::bert_fixture_dir(), bad); }), "batch_size must be positive",
                 "batch");
  bad = options;
  bad.max_length = 1;
  expect_message(error_of([&] { TextEmbedder(testing::bert_fixture_dir(), bad); }),
                 "max_length 1 is out of range: it must be in [2, 128]", "short");
  bad.max_length = 129;
  expect_message(error_of([&] { TextEmbedder(testing::bert_fixture_dir(), bad); }), "max_length 129 is out of range",
                 "long");
}

// sentence-transformers folders built here from the fixture (Transformer + mean Pooling + Normalize,
// max_seq_length 64), in both layouts, against SentenceTransformer.encode's normalised embeddings.
TEST(TextEmbedder, MatchesSentenceTransformersFolders) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  const auto texts = reference_texts();
  TempDir dir;
  for (const std::string layout : {"", "0_Transformer"}) {
    const auto root = dir / (layout.empty() ? "top" : "nested");
    testing::write_sentence_transformers(root, layout, testing::pooling_config("mean_tokens"), true);
    EmbedOptions options;
    options.batch_size = 8;
    const TextEmbedder embedder(root, options);
    EXPECT_EQ(embedder.pooling(), Pooling::Mean);
    EXPECT_TRUE(embedder.normalize());
    EXPECT_EQ(embedder.max_length(), 64);  // sentence_bert_config.json's max_seq_length
    EXPECT_LT(max_abs_diff(embedder.embed(texts).values, bert_reference()["sentence_transformers_mean_normalized"]),
              1e-4)
        << layout;
  }
}

// The GPU path (skipped without one): float32 matches the CPU reference like Hugging Face's own GPU
// run did (its max difference was 2.4e-6); half precisions only approximately (compute in 16 bits).
TEST(BertEncoder, RunsOnCuda) {
  TAILREC_REQUIRE_BERT_FIXTURE();
  if (!torch_cuda_available()) GTEST_SKIP() << "no CUDA device";
  const auto& reference = bert_reference();
  const auto checkpoint = read_checkpoint(testing::bert_fixture_dir());
  const auto batch = testing::reference_batch();
  const auto gpu = BertEncoder::load(checkpoint, EncoderSettings{true, Precision::F32, 1});
  EXPECT_LT(max_abs_diff(gpu->pooled(batch, Pooling::Mean, false), reference["mean_pooled"]), 1e-4);
  EXPECT_LT(max_abs_diff(gpu->pooled(batch, Pooling::Pooler, false), reference["pooler_output"]), 1e-4);
  const std::pair<Precision, double> halves[] = {{Precision::F16, 2e-2}, {Precision::BF16, 1e-1}};
  for (const auto& [precision, tolerance] : halves) {
    const auto encoder = BertEncoder::load(checkpoint, EncoderSettings{true, precision, 1});
    EXPECT_LT(max_abs_diff(encoder->pooled(batch, Pooling::Mean, false), reference["mean_pooled"]), tolerance)
        << precision_name(precision);
  }
  EmbedOptions options;
  options.max_length = 64;
  options.cuda = true;
  EXPECT_LT(max_abs_diff(TextEmbedder(testing::bert_fixture_dir(), options).embed(reference_texts()).values,
                         reference["mean_pooled"]),
            1e-4);
}

}  // namespace
}  // namespace tailrec
