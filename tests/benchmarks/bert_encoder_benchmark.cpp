// The libtorch BERT encoder on the CPU, with random weights (BertEncoder::random, seeded):
//
// BM_BertBase/threads: bert-base shape (12 layers, hidden 768, 12 heads, intermediate 3072,
//   vocab 30522), one batch of 32 sequences x 128 tokens (no padding), mean pooling, one pass per
//   run. `threads` is the encoder's setting: chunks of 8 sequences spread over torch's intra-op
//   threads, OpenBLAS held at one thread (torch_runtime.hpp). Counters: sequences_per_s,
//   tokens_per_s; the 2-thread run adds speedup_vs_1_thread and identical_to_1_thread (1 when both
//   outputs are bit-identical).
// BM_LengthBatching/sorted: what TextEmbedder's length sorting buys. 128 item texts of the embedded
//   dataset (title, genres, tags, DBpedia abstract; a seeded sample), tokenised with the real
//   bert-base-uncased vocabulary of the shared fixture, truncated to 128 tokens, encoded in batches
//   of 32 padded to their longest text, in input order (sorted:0) or longest first (sorted:1, what
//   TextEmbedder does). The model is bert-base's width with 2 of its 12 layers, to keep the run
//   short: the cost of every layer scales the same way with the padded batch shape, so the ratio
//   does not depend on the depth. Counters: sequences_per_s, padded_tokens and real_tokens per
//   pass, mean_length; the sorted run adds sorted_over_unsorted_throughput. Encoder threads 2.
// BM_BertBaseCuda/precision: the bert-base pass of BM_BertBase on the GPU (skipped with a message
//   without one), precision 0 = fp32, 1 = fp16, 2 = bf16; one warm-up pass, then 20 timed passes,
//   each ending with the pooled output copied to the host (so synchronised). The fp16 and bf16 rows
//   add speedup_vs_fp32 and max_abs_diff_vs_fp32. scripts/gpu_check.sh runs it beside Hugging Face
//   eager on the same GPU (tests/benchmarks/bert_hf.py bench).
//
// Each pass takes seconds on 2 cores, so every benchmark runs a fixed small number of iterations,
// and the figures move with the machine's load. Run: build/tests/benchmarks/bert_encoder_benchmark (needs ../shared for the vocabulary).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "algorithms/torch/bert_encoder.hpp"
#include "algorithms/torch/torch_runtime.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {


// The repository root: $TAILREC_HOME, else two folders above this source file, else the current
// folder (__FILE__ is relative to the build folder when ccache rewrites paths).
std::filesystem::path home() {
  if (const char* env = std::getenv("TAILREC_HOME")) return env;
  const auto from_source = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  if (std::filesystem::is_directory(from_source / "datasets" / "ml-latest-small")) return from_source;
  return std::filesystem::current_path();
}

std::filesystem::path vocabulary_dir() {
  const char* env = std::getenv("TAILREC_SHARED");
  const std::filesystem::path shared = env ? std::filesystem::path(env) : home().parent_path() / "shared";
  return shared / "fixtures" / "bert" / "tiny-random-bert";
}

BertConfig bert_base(int64_t layers) {
  BertConfig config;
  config.vocab_size = 30522;
  config.hidden_size = 768;
  config.num_hidden_layers = layers;
  config.num_attention_heads = 12;
  config.intermediate_size = 3072;
  config.max_position_embeddings = 512;
  return config;
}

// [CLS] random word pieces [SEP], every row full length.
TokenBatch full_batch(int64_t rows, int64_t length) {
  Random random(20240701);
  TokenBatch batch;
  batch.batch = rows;
  batch.length = length;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t t = 0; t < length; ++t)
      batch.input_ids.push_back(t == 0            ? 101
                                : t == length - 1 ? 102
                                                  : 1000 + static_cast<int64_t>(random.below(29000)));
    batch.attention_mask.insert(batch.attention_mask.end(), static_cast<size_t>(length), 1);
    batch.lengths.push_back(static_cast<int32_t>(length));
  }
  return batch;
}

struct Baseline {
  double seconds = 0;
  std::vector<float> output;
};
std::map<std::string, Baseline>& baselines() {
  static std::map<std::string, Baseline> b;
  return b;
}

// Runs the benchmark's passes over `batch`: the last output and the seconds per pass, with the
// sequences_per_s and tokens_per_s counters set.
Baseline encode_passes(benchmark::State& state, const BertEncoder& encoder, const TokenBatch& batch) {
  Baseline result;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    result.output = encoder.pooled(batch, Pooling::Mean, false);
    benchmark::DoNotOptimize(result.output.data());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                   static_cast<double>(state.iterations());
  state.counters["sequences_per_s"] =
      benchmark::Counter(double(state.iterations() * batch.batch), benchmark::Counter::kIsRate);
  state.counters["tokens_per_s"] =
      benchmark::Counter(double(state.iterations() * batch.batch * batch.length), benchmark::Counter::kIsRate);
  return result;
}

void BM_BertBase(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const auto encoder = BertEncoder::random(bert_base(12), 42, EncoderSettings{false, Precision::F32, threads});
  const auto run = encode_passes(state, *encoder, full_batch(32, 128));
  auto& baseline = baselines()["threads1"];
  if (threads == 1) {
    baseline = run;
  } else if (!baseline.output.empty()) {
    state.counters["speedup_vs_1_thread"] = baseline.seconds / run.seconds;
    state.counters["identical_to_1_thread"] = run.output == baseline.output ? 1 : 0;
  }
}
BENCHMARK(BM_BertBase)->ArgName("threads")->Arg(1)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_BertBaseCuda(benchmark::State& state) {
  if (!torch_cuda_available()) {
    state.SkipWithError(("no CUDA device: " + torch_build_description()).c_str());
    return;
  }
  const Precision precisions[] = {Precision::F32, Precision::F16, Precision::BF16};
  const auto precision = precisions[state.range(0)];
  const auto encoder = BertEncoder::random(bert_base(12), 42, EncoderSettings{true, precision, 1});
  const auto batch = full_batch(32, 128);
  encoder->pooled(batch, Pooling::Mean, false);  // warm-up: kernels, allocator
  const auto run = encode_passes(state, *encoder, batch);
  auto& baseline = baselines()["cuda_fp32"];
  if (precision == Precision::F32) {
    baseline = run;
  } else if (!baseline.output.empty()) {
    state.counters["speedup_vs_fp32"] = baseline.seconds / run.seconds;
    double worst = 0;
    for (size_t k = 0; k < run.output.size(); ++k)
      worst = std::max(worst, std::abs(static_cast<double>(run.output[k]) - baseline.output[k]));
    state.counters["max_abs_diff_vs_fp32"] = worst;
  }
}
BENCHMARK(BM_BertBaseCuda)
    ->ArgName("precision")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The token ids of a seeded sample of item texts, truncated to 128 tokens.
const std::vector<std::vector<int32_t>>& sampled_encodings() {
  static const std::vector<std::vector<int32_t>> encodings = [] {
    const auto folder = home() / "datasets" / "ml-latest-small";
    const auto& entry = registries().datasets.at("movielens_csv");
    YAML::Node config;
    config["data_dir"] = folder.string();
    config["abstracts"] = (folder / "abstracts.json").string();
    const auto data = entry.create(Params::from_yaml(entry.params, config, "dataset"))->load();
    const auto tokenizer = BertTokenizer::from_folder(vocabulary_dir());
    std::vector<int32_t> items(static_cast<size_t>(data.content.num_items()));
    std::iota(items.begin(), items.end(), 0);
    Random random(20240702);
    random.shuffle(items);
    std::vector<std::vector<int32_t>> out;
    for (size_t k = 0; k < 128; ++k) out.push_back(tokenizer.encode(data.content.text(items[k]), 128));
    return out;
  }();
  return encodings;
}

void BM_LengthBatching(benchmark::State& state) {
  const bool sorted = state.range(0) != 0;
  const auto& encodings = sampled_encodings();
  const auto tokenizer = BertTokenizer::from_folder(vocabulary_dir());
  const auto encoder = BertEncoder::random(bert_base(2), 42, EncoderSettings{false, Precision::F32, 2});
  // TextEmbedder's order: longest first, ties in input order.
  std::vector<size_t> order(encodings.size());
  std::iota(order.begin(), order.end(), 0);
  if (sorted)
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return encodings[a].size() > encodings[b].size(); });
  int64_t padded = 0, real = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    padded = real = 0;
    for (size_t begin = 0; begin < order.size(); begin += 32) {
      std::vector<std::vector<int32_t>> rows;
      for (size_t k = begin; k < std::min(order.size(), begin + 32); ++k) rows.push_back(encodings[order[k]]);
      const auto batch = tokenizer.pad(rows);
      padded += batch.batch * batch.length;
      for (auto length : batch.lengths) real += length;
      benchmark::DoNotOptimize(encoder->pooled(batch, Pooling::Mean, false).data());
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                         static_cast<double>(state.iterations());
  state.counters["sequences_per_s"] = benchmark::Counter(
      double(state.iterations() * static_cast<int64_t>(encodings.size())), benchmark::Counter::kIsRate);
  state.counters["padded_tokens"] = double(padded);
  state.counters["real_tokens"] = double(real);
  state.counters["mean_length"] = double(real) / double(encodings.size());
  if (!sorted)
    baselines()["unsorted"] = {seconds, {}};
  else if (baselines().count("unsorted"))
    state.counters["sorted_over_unsorted_throughput"] = baselines()["unsorted"].seconds / seconds;
}
BENCHMARK(BM_LengthBatching)
    ->ArgName("sorted")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tailrec

BENCHMARK_MAIN();
