// Item-item cosine on an ML-1M-sized matrix (6,040 users x 3,706 items, ~1.0 M interactions,
// 4.5% dense, long-tail item popularity, seeded): item_knn's sparse row-by-row Gram (the code the
// algorithm runs) against a straightforward dense Eigen product XᵀX with float matrices, in the
// same binary. Rate counters (printed per second): pairs (item pairs whose similarity is produced),
// effective_GFLOP (the dense product's 2·U·I² flops, so both kernels are on one scale) and
// useful_GFLOP (2·Σ_u n_u², the multiply-adds the sparse kernel really does); speedup_vs_dense =
// dense seconds / sparse seconds (present when the dense benchmark ran first, as by default).
// Build with -DTAILREC_BUILD_BENCHMARKS=ON; run build/tests/benchmarks/similarity_benchmark.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include "algorithms/neighbors/similarity.hpp"
#include "framework/util/parallel.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

constexpr int32_t kUsers = 6040;
constexpr int32_t kItems = 3706;
constexpr double kMeanPerUser = 165.6;  // ML-1M: 1,000,209 / 6,040

// Users draw items from a Zipf-like popularity (weight (rank + 10)^-1.1) and have heavy-tailed
// activity (20 + an exponential tail), as in MovieLens.
const Interactions& ml1m_like() {
  static const Interactions train = [] {
    Random random(20240601);
    std::vector<double> cumulative(kItems);
    double total = 0;
    for (int32_t i = 0; i < kItems; ++i) cumulative[static_cast<size_t>(i)] = total += std::pow(i + 10.0, -1.1);
    InteractionLog log;
    std::vector<char> taken(kItems);
    for (int32_t u = 0; u < kUsers; ++u) {
      const double extra = -(kMeanPerUser - 20) * std::log(1 - random.uniform());
      const auto n = std::min<int32_t>(kItems / 2, 20 + static_cast<int32_t>(extra));
      std::fill(taken.begin(), taken.end(), 0);
      for (int32_t k = 0; k < n;) {
        const double r = random.uniform() * total;
        const auto item = static_cast<int32_t>(std::lower_bound(cumulative.begin(), cumulative.end(), r) - cumulative.begin());
        if (item >= kItems || taken[static_cast<size_t>(item)]) continue;
        taken[static_cast<size_t>(item)] = 1;
        log.push(u, item, 1.0f);
        ++k;
      }
    }
    log.sort();
    return Interactions(log, kUsers, kItems);
  }();
  return train;
}

double useful_flops(const CsrMatrix& x) {
  double sum = 0;
  for (int32_t u = 0; u < x.rows; ++u) sum += 2.0 * x.row_size(u) * x.row_size(u);
  return sum;
}

double dense_seconds = 0;  // per iteration, set by BM_DenseItemCosine

void set_counters(benchmark::State& state, double useful) {
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["pairs"] = benchmark::Counter(iterations * kItems * kItems, benchmark::Counter::kIsRate);
  state.counters["effective_GFLOP"] =
      benchmark::Counter(iterations * 2.0 * kUsers * kItems * kItems * 1e-9, benchmark::Counter::kIsRate);
  state.counters["useful_GFLOP"] = benchmark::Counter(iterations * useful * 1e-9, benchmark::Counter::kIsRate);
}

void BM_DenseItemCosine(benchmark::State& state) {
  const auto x = interaction_matrix(ml1m_like(), ValueMode::Binary);
  Eigen::MatrixXf dense = Eigen::MatrixXf::Zero(kUsers, kItems);
  for (int32_t u = 0; u < kUsers; ++u)
    for (int32_t i : x.indices_of(u)) dense(u, i) = 1.0f;
  Eigen::MatrixXf similarity(kItems, kItems);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    similarity.noalias() = dense.transpose() * dense;
    const Eigen::VectorXf norms = similarity.diagonal().cwiseSqrt();
    for (int32_t j = 0; j < kItems; ++j)
      for (int32_t i = 0; i < kItems; ++i) similarity(i, j) /= norms(i) * norms(j) + 1e-6f;
    benchmark::DoNotOptimize(similarity.data());
  }
  dense_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                  static_cast<double>(state.iterations());
  set_counters(state, 2.0 * kUsers * kItems * kItems);
}

void BM_SparseItemCosine(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const auto x = interaction_matrix(ml1m_like(), ValueMode::Binary);
  const auto by_item = transpose(x);
  const auto norms = row_norms(by_item);
  std::vector<float> similarity(static_cast<size_t>(kItems) * kItems);
  GramScratch prototype;
  prototype.configure(by_item, x);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    parallel_chunks(kItems, 32, threads, [&](int64_t begin, int64_t end) {
      GramScratch scratch = prototype;
      for (auto i = static_cast<int32_t>(begin); i < end; ++i) {
        gram_row(by_item, x, i, scratch);
        float* out = similarity.data() + static_cast<size_t>(i) * kItems;
        std::fill(out, out + kItems, 0.0f);
        for (int32_t j : scratch.touched)
          out[j] = static_cast<float>(shrunk_cosine(scratch.dot[static_cast<size_t>(j)], norms[static_cast<size_t>(i)],
                                                    norms[static_cast<size_t>(j)], 0.0));
      }
    });
    benchmark::DoNotOptimize(similarity.data());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                         static_cast<double>(state.iterations());
  set_counters(state, useful_flops(x));
  state.counters["nnz"] = static_cast<double>(x.nnz());
  if (dense_seconds > 0) state.counters["speedup_vs_dense"] = dense_seconds / seconds;
}

BENCHMARK(BM_DenseItemCosine)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_SparseItemCosine)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tailrec

BENCHMARK_MAIN();
