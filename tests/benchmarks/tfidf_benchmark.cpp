// Throughput of the tfidf text pipeline and vectorizer on the embedded dataset's item texts
// (ml-latest-small: title, genres, tags, DBpedia abstract), in documents/s and bytes/s, and the
// cost of full-ranking scores for every user. Figures are recorded in docs/algorithms/content.md.
// Run: build/tests/benchmarks/tfidf_benchmark (configure with -DTAILREC_BUILD_BENCHMARKS=ON).
#include <cstdlib>
#include <filesystem>
#include <numeric>

#include <benchmark/benchmark.h>

#include "algorithms/content/item_features.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {
namespace {

// The repository root: $TAILREC_HOME, else two folders above this source file.
std::filesystem::path home() {
  if (const char* env = std::getenv("TAILREC_HOME")) return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

const Dataset& dataset() {
  static const Dataset data = [] {
    const auto folder = home() / "datasets" / "ml-latest-small";
    const auto& entry = registries().datasets.at("movielens_csv");
    YAML::Node config;
    config["data_dir"] = folder.string();
    config["abstracts"] = (folder / "abstracts.json").string();
    return entry.create(Params::from_yaml(entry.params, config, "dataset"))->load();
  }();
  return data;
}

// One document per item: every field joined (ItemContent::text).
const std::vector<std::string>& documents() {
  static const std::vector<std::string> docs = [] {
    std::vector<std::string> out;
    for (int32_t i = 0; i < dataset().content.num_items(); ++i) out.push_back(dataset().content.text(i));
    return out;
  }();
  return docs;
}

int64_t total_bytes() {
  return std::accumulate(documents().begin(), documents().end(), int64_t{0},
                         [](int64_t s, const std::string& d) { return s + static_cast<int64_t>(d.size()); });
}

void report(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(documents().size()));  // items/s = documents/s
  state.SetBytesProcessed(state.iterations() * total_bytes());
}

// The pipeline alone: lowercase, tokens, stop words, stems.
void BM_Tokenize(benchmark::State& state, TextPipelineOptions options) {
  const TextPipeline pipeline(options);
  for (auto _ : state)
    for (const auto& d : documents()) benchmark::DoNotOptimize(pipeline.terms(d));
  report(state);
}
BENCHMARK_CAPTURE(BM_Tokenize, sklearn, TextPipelineOptions::sklearn())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Tokenize, english, TextPipelineOptions::english())->Unit(benchmark::kMillisecond);

// Pipeline + vocabulary + idf + normalised sparse rows; argument = threads (rates use wall time).
void BM_Vectorize(benchmark::State& state, TextPipelineOptions options) {
  for (auto _ : state) {
    TfidfVectorizer vectorizer{TextPipeline(options), TfidfOptions{}};
    benchmark::DoNotOptimize(vectorizer.fit_transform(documents(), static_cast<int>(state.range(0))));
  }
  report(state);
}
BENCHMARK_CAPTURE(BM_Vectorize, sklearn, TextPipelineOptions::sklearn())->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Vectorize, english, TextPipelineOptions::english())->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Full-ranking scores of every user (610 x 9,724) by the default tfidf model; argument = mode.
void BM_ScoreAllUsers(benchmark::State& state) {
  const auto& data = dataset();
  const Interactions train(data.log, data.users.size(), data.items.size());
  const auto& entry = registries().algorithms.at("tfidf");
  YAML::Node config;
  config["mode"] = state.range(0) == 0 ? "profile" : "item_knn";
  auto model = entry.create(Params::from_yaml(entry.params, config, "tfidf"));
  model->fit(FitContext{train, data.content, nullptr, 1, 2, Device::Cpu, &Logger::null(), {}});
  std::vector<int32_t> users(static_cast<size_t>(train.num_users()));
  std::iota(users.begin(), users.end(), 0);
  std::vector<float> out(users.size() * static_cast<size_t>(train.num_items()));
  for (auto _ : state) {
    model->score(users, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(users.size()));  // users/s
  state.SetLabel(state.range(0) == 0 ? "profile" : "item_knn");
}
BENCHMARK(BM_ScoreAllUsers)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tailrec

BENCHMARK_MAIN();
