// Throughput of BertTokenizer::encode() on the embedded dataset's item texts (ml-latest-small: title,
// genres, tags and DBpedia abstract of each movie) with the real bert-base-uncased vocabulary of
// shared/fixtures/bert/tiny-random-bert, single-threaded, in texts/s and bytes/s. Counters:
// MB_per_s_cpu (10^6 bytes per CPU second), x_target_1MBps (that over the 1 MB/s-per-core target)
// and speed_vs_baseline (against a whitespace split + whole-word hash lookup, measured first in this
// binary). The tokenizer is checked against the Hugging Face reference ids before anything is timed.
// Run: build/tests/benchmarks/tokenizer_benchmark (configure with -DTAILREC_BUILD_BENCHMARKS=ON).
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <unordered_map>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "experiments/register_all.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;

const fs::path kBertDir = fs::path(TAILREC_SHARED_DIR) / "fixtures" / "bert";

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "tokenizer_benchmark: %s\n", message.c_str());
  std::exit(1);
}

// The real vocabulary, checked id for id against Hugging Face's reference before any timing.
const BertTokenizer& tokenizer() {
  static const BertTokenizer t = [] {
    if (!fs::is_directory(kBertDir / "tiny-random-bert"))
      die("missing " + (kBertDir / "tiny-random-bert").string() + " (set -DTAILREC_SHARED_DIR=<shared folder>)");
    auto loaded = BertTokenizer::from_folder(kBertDir / "tiny-random-bert");
    std::ifstream in(kBertDir / "tiny-random-bert-reference.json");
    if (!in) die("missing " + (kBertDir / "tiny-random-bert-reference.json").string());
    const auto ref = nlohmann::json::parse(in);
    const auto texts = ref.at("texts").get<std::vector<std::string>>();
    const auto ids = ref.at("input_ids").get<std::vector<std::vector<int32_t>>>();
    for (size_t i = 0; i < texts.size(); ++i)
      if (loaded.encode(texts[i], ref.at("max_length").get<int>()) != ids[i])
        die("the tokenizer disagrees with Hugging Face on reference text " + std::to_string(i));
    return loaded;
  }();
  return t;
}

// One document per item: every content field joined (ItemContent::text).
const std::vector<std::string>& documents() {
  static const std::vector<std::string> docs = [] {
    const fs::path folder = fs::path(TAILREC_SOURCE_DIR) / "datasets" / "ml-latest-small";
    const auto& entry = registries().datasets.at("movielens_csv");
    YAML::Node config;
    config["data_dir"] = folder.string();
    config["abstracts"] = (folder / "abstracts.json").string();
    const Dataset data = entry.create(Params::from_yaml(entry.params, config, "dataset"))->load();
    std::vector<std::string> out;
    for (int32_t i = 0; i < data.content.num_items(); ++i) out.push_back(data.content.text(i));
    return out;
  }();
  return docs;
}

int64_t total_bytes() {
  return std::accumulate(documents().begin(), documents().end(), int64_t{0},
                         [](int64_t s, const std::string& d) { return s + static_cast<int64_t>(d.size()); });
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double baseline_seconds = 0;  // CPU seconds per pass over the documents, set by BM_BaselineWholeWords

void report(benchmark::State& state, double cpu_seconds) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(documents().size()));  // items/s = texts/s
  state.SetBytesProcessed(state.iterations() * total_bytes());
  const double per_pass = cpu_seconds / static_cast<double>(state.iterations());
  const double mb_per_s = static_cast<double>(total_bytes()) / per_pass / 1e6;
  state.counters["MB_per_s_cpu"] = mb_per_s;
  state.counters["x_target_1MBps"] = mb_per_s / 1.0;
  if (baseline_seconds > 0) state.counters["speed_vs_baseline"] = baseline_seconds / per_pass;
}

// The simplest tokenizer that still maps text to ids: split on ASCII whitespace and look each
// whole word up in an unordered_map<std::string, int32_t> of the same vocabulary.
void BM_BaselineWholeWords(benchmark::State& state) {
  std::unordered_map<std::string, int32_t> vocabulary;
  for (int32_t id = 0; id < tokenizer().vocab_size(); ++id) vocabulary[tokenizer().token(id)] = id;
  const int32_t unk = tokenizer().unk_id();
  const double start = thread_cpu_seconds();
  for (auto _ : state)
    for (const auto& d : documents()) {
      std::vector<int32_t> ids;
      size_t i = 0;
      while (i < d.size()) {
        while (i < d.size() && std::isspace(static_cast<unsigned char>(d[i]))) ++i;
        size_t end = i;
        while (end < d.size() && !std::isspace(static_cast<unsigned char>(d[end]))) ++end;
        if (end > i) {
          const auto it = vocabulary.find(d.substr(i, end - i));
          ids.push_back(it == vocabulary.end() ? unk : it->second);
        }
        i = end;
      }
      benchmark::DoNotOptimize(ids.data());
    }
  baseline_seconds = (thread_cpu_seconds() - start) / static_cast<double>(state.iterations());
  report(state, baseline_seconds * static_cast<double>(state.iterations()));
}
BENCHMARK(BM_BaselineWholeWords)->Unit(benchmark::kMillisecond);

// encode() of every document; argument = max_length (0: no truncation, every byte is tokenized;
// 512: what a BERT model takes, long abstracts stop early, so bytes/s counts bytes not all read).
void BM_Encode(benchmark::State& state) {
  const int max_length = state.range(0) == 0 ? std::numeric_limits<int>::max() : static_cast<int>(state.range(0));
  const auto& t = tokenizer();
  int64_t ids = 0;
  const double start = thread_cpu_seconds();
  for (auto _ : state)
    for (const auto& d : documents()) {
      const auto encoded = t.encode(d, max_length);
      ids += static_cast<int64_t>(encoded.size());
      benchmark::DoNotOptimize(encoded.data());
    }
  report(state, thread_cpu_seconds() - start);
  state.counters["ids_per_text"] = static_cast<double>(ids) / static_cast<double>(state.iterations()) /
                                   static_cast<double>(documents().size());
}
BENCHMARK(BM_Encode)->Arg(0)->Arg(512)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tailrec

BENCHMARK_MAIN();
