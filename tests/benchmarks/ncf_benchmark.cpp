// NeuMF with the NCF paper's sizes (factors 8, MLP [64,32,16,8]) on ML-1M-sized ids (6,040 users x
// 3,706 items), on the CPU:
// - training throughput (samples/s) of the Fast implementation the algorithms use against the
//   Reference one (textbook libtorch: dense embedding gradients, torch::optim::Adam) in the same
//   binary, at batch 256 and 4096, Adam lr 0.001, on 2^17 pre-drawn instances (1 in 5 positive);
// - full-ranking evaluation of all 6,040 users x 3,706 items through the framework evaluator
//   (scores, masking of ~165 training items per user, top-10, hit@10): users/s, Fast (split first
//   layer, item half precomputed) against Reference (every pair through the whole network).
// - the same training on the GPU (BM_NeuMFTrainCuda*, batch 256, 1024 and 4096; skipped with a
//   message when libtorch sees no CUDA device): the instances start on the CPU as in a real fit.
// Arguments: /batch/threads (training; threads 0 on the GPU), /threads (evaluation); threads =
// at::set_num_threads and the evaluator's workers. speedup_vs_reference appears on a Fast row when
// its Reference twin ran first (the default order). scripts/bench_ncf_vs_pytorch.sh runs the training rows beside the
// same model in PyTorch eager (tests/benchmarks/ncf_pytorch.py).
#include <chrono>
#include <map>
#include <memory>
#include <numeric>
#include <vector>

#include <benchmark/benchmark.h>

#include "algorithms/torch/ncf_network.hpp"
#include "algorithms/torch/torch_runtime.hpp"
#include "framework/config/registries.hpp"
#include "framework/evaluation/evaluator.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

constexpr int32_t kUsers = 6040;
constexpr int32_t kItems = 3706;
constexpr int64_t kInstances = int64_t{1} << 17;

NcfShape paper_neumf() { return {NcfKind::NeuMf, kUsers, kItems, 8, {64, 32, 16, 8}}; }

TrainingInstances random_instances(int64_t n) {
  Random rng(20240612);
  TrainingInstances data;
  for (int64_t k = 0; k < n; ++k) {
    data.users.push_back(static_cast<int32_t>(rng.below(kUsers)));
    data.items.push_back(static_cast<int32_t>(rng.below(kItems)));
    data.labels.push_back(k % 5 == 0 ? 1.0f : 0.0f);
  }
  return data;
}

// Seconds per sample of each (batch, threads) Reference run, for the Fast rows' ratio.
std::map<std::pair<int64_t, int64_t>, double> reference_train;
std::map<int64_t, double> reference_eval;

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void train(benchmark::State& state, NcfNetwork::Implementation implementation, Device device = Device::Cpu) {
  const int64_t batch = state.range(0), threads = state.range(1);
  if (device == Device::Cuda && !torch_cuda_available()) {
    state.SkipWithError(("no CUDA device: " + torch_build_description()).c_str());
    return;
  }
  if (device == Device::Cpu) configure_torch_cpu_threads(static_cast<int>(threads));
  static const TrainingInstances data = random_instances(kInstances);
  auto network = NcfNetwork::create(paper_neumf(), 7, device, implementation);
  network->set_optimizer({});
  TrainingInstances warmup = data;
  warmup.users.resize(static_cast<size_t>(batch * 4));
  warmup.items.resize(warmup.users.size());
  warmup.labels.resize(warmup.users.size());
  network->train_epoch(warmup, batch);
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    network->train_epoch(data, batch);  // ends with the epoch's mean loss on the host: synchronised
    total += seconds(start);
  }
  const double samples = static_cast<double>(state.iterations()) * kInstances;
  state.counters["samples_per_s"] = benchmark::Counter(samples, benchmark::Counter::kIsRate);
  const auto key = std::make_pair(batch, threads);
  if (implementation == NcfNetwork::Implementation::Reference) reference_train[key] = total / samples;
  else if (reference_train.count(key)) state.counters["speedup_vs_reference"] = reference_train[key] / (total / samples);
}

void BM_NeuMFTrainReference(benchmark::State& state) { train(state, NcfNetwork::Implementation::Reference); }
void BM_NeuMFTrainFast(benchmark::State& state) { train(state, NcfNetwork::Implementation::Fast); }
void BM_NeuMFTrainCudaReference(benchmark::State& state) {
  train(state, NcfNetwork::Implementation::Reference, Device::Cuda);
}
void BM_NeuMFTrainCudaFast(benchmark::State& state) { train(state, NcfNetwork::Implementation::Fast, Device::Cuda); }

// Random training matrix (~165 items per user, like ML-1M) for the evaluator's masking.
const Interactions& random_train() {
  static const Interactions train = [] {
    Random rng(20240613);
    InteractionLog log;
    std::vector<char> taken(kItems);
    for (int32_t u = 0; u < kUsers; ++u) {
      std::fill(taken.begin(), taken.end(), 0);
      for (int k = 0; k < 165; ++k) {
        const auto i = static_cast<int32_t>(rng.below(kItems));
        if (taken[static_cast<size_t>(i)]) continue;
        taken[static_cast<size_t>(i)] = 1;
        log.push(u, i, 1.0f);
      }
    }
    log.sort();
    return Interactions(log, kUsers, kItems);
  }();
  return train;
}

class Scorer final : public Algorithm {
 public:
  explicit Scorer(const NcfNetwork& network) : network_(network) { num_items_ = kItems; }
  void fit(const FitContext&) override {}
  void score(std::span<const int32_t> users, std::span<float> out) const override { network_.score(users, out); }

 private:
  const NcfNetwork& network_;
};

void evaluate_all(benchmark::State& state, NcfNetwork::Implementation implementation) {
  const int64_t threads = state.range(0);
  configure_torch_cpu_threads(static_cast<int>(threads));
  const auto& train = random_train();
  auto network = NcfNetwork::create(paper_neumf(), 7, Device::Cpu, implementation);
  network->prepare_scoring();
  const Scorer scorer(*network);
  std::vector<EvalCase> cases;
  for (int32_t u = 0; u < kUsers; ++u) {
    int32_t held_out = 0;
    while (train.contains(u, held_out)) ++held_out;
    cases.push_back({u, {held_out}, {}});
  }
  MetricContext context;
  context.num_items = kItems;
  context.num_train_users = kUsers;
  context.phi = train.item_user_counts();
  context.tail = pareto_tail(context.phi);
  Registries registries;  // metrics only: the algorithm registry (and every model behind it) is not needed here
  register_metrics(registries);
  const auto metrics = make_metrics(registries, {"hit@10"}, {10});
  EvaluationOptions options;
  options.threads = static_cast<int>(threads);
  double total = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = evaluate(scorer, {train, train, cases, false, context}, metrics, options);
    total += seconds(start);
    benchmark::DoNotOptimize(result.values);
  }
  const double users = static_cast<double>(state.iterations()) * kUsers;
  state.counters["users_per_s"] = benchmark::Counter(users, benchmark::Counter::kIsRate);
  if (implementation == NcfNetwork::Implementation::Reference) reference_eval[threads] = total / users;
  else if (reference_eval.count(threads)) state.counters["speedup_vs_reference"] = reference_eval[threads] / (total / users);
}

void BM_NeuMFFullRankingReference(benchmark::State& state) { evaluate_all(state, NcfNetwork::Implementation::Reference); }
void BM_NeuMFFullRankingFast(benchmark::State& state) { evaluate_all(state, NcfNetwork::Implementation::Fast); }

void training_args(benchmark::internal::Benchmark* b) {
  for (int64_t batch : {256, 4096})
    for (int64_t threads : {1, 2}) b->Args({batch, threads});
}
void cuda_training_args(benchmark::internal::Benchmark* b) {
  for (int64_t batch : {256, 1024, 4096}) b->Args({batch, 0});
}

}  // namespace

// Pairs in the order Reference, Fast per argument set, so every Fast row finds its ratio.
BENCHMARK(BM_NeuMFTrainReference)->Apply(training_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NeuMFTrainFast)->Apply(training_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NeuMFTrainCudaReference)->Apply(cuda_training_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NeuMFTrainCudaFast)->Apply(cuda_training_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NeuMFFullRankingReference)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NeuMFFullRankingFast)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace tailrec

BENCHMARK_MAIN();
