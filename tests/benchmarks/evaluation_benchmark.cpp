// Full-ranking evaluation of ML-1M-sized data (6,040 users x 3,706 items, every ranking metric,
// k = 10): the evaluator (blocked scoring, heap top-k, all threads) against a naive single-threaded
// evaluator that scores one user at a time and sorts the whole row. Both produce the same lists
// (checked before timing). Reports users/s; the ratio is printed at the end.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include <benchmark/benchmark.h>

#include "experiments/register_all.hpp"
#include "framework/evaluation/evaluator.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/metrics/topk.hpp"
#include "framework/util/random.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {
namespace {

constexpr int32_t kUsers = 6040, kItems = 3706;

// Popularity with per-(user, item) noise: a realistic score spread that costs little to compute.
class NoisyPopularity final : public Algorithm {
 public:
  void fit(const FitContext& c) override {
    num_items_ = c.train.num_items();
    const auto counts = c.train.item_user_counts();
    pop_.assign(counts.begin(), counts.end());
  }
  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u) {
      const uint64_t key = Random::mix(static_cast<uint64_t>(users[u]) + 17);
      for (size_t i = 0; i < n; ++i)
        out[u * n + i] = pop_[i] * (1.0f + static_cast<float>(Random::mix(key ^ i) >> 44) * 0x1.0p-20f);
    }
  }

 private:
  std::vector<float> pop_;
};

struct Data {
  Interactions train, test;
  std::vector<EvalCase> cases;
  MetricContext context;
  NoisyPopularity algorithm;
  std::vector<std::unique_ptr<Metric>> metrics;

  Data() {
    // ML-1M's shape: ~165 interactions per user, long-tail item popularity (Zipf-like).
    Random rng(1);
    InteractionLog train_log, test_log;
    std::vector<double> weight(kItems);
    double total = 0;
    for (int32_t i = 0; i < kItems; ++i) total += weight[static_cast<size_t>(i)] = 1.0 / (1.0 + i * 0.05);
    std::vector<double> cumulative(kItems);
    double running = 0;
    for (int32_t i = 0; i < kItems; ++i) cumulative[static_cast<size_t>(i)] = (running += weight[static_cast<size_t>(i)] / total);
    for (int32_t u = 0; u < kUsers; ++u) {
      std::vector<int32_t> items;
      const auto n = 20 + static_cast<int>(rng.below(290));
      for (int k = 0; k < n; ++k) {
        const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), rng.uniform());
        items.push_back(static_cast<int32_t>(std::min<long>(it - cumulative.begin(), kItems - 1)));
      }
      std::sort(items.begin(), items.end());
      items.erase(std::unique(items.begin(), items.end()), items.end());
      for (size_t k = 0; k < items.size(); ++k) (k % 5 == 0 ? test_log : train_log).push(u, items[k], 1.0f);
    }
    train = Interactions(train_log, kUsers, kItems);
    test = Interactions(test_log, kUsers, kItems);
    for (int32_t u = 0; u < kUsers; ++u) {
      const auto t = test.items_of(u);
      if (!t.empty()) cases.push_back({u, {t.begin(), t.end()}, {}});
    }
    context.num_items = kItems;
    context.num_train_users = train.active_users();
    context.phi = train.item_user_counts();
    context.tail = pareto_tail(context.phi);
    ItemContent content;
    algorithm.fit({train, content, nullptr, 1, 1, Device::Cpu, nullptr, {}});
    metrics = make_metrics(registries(), {"all"}, {10});
  }
};

Data& data() {
  static Data d;
  return d;
}

// The naive evaluator: one user at a time, score the row, sort every candidate, take the top 10.
std::vector<int32_t> naive_lists(const Data& d) {
  std::vector<int32_t> lists;
  std::vector<float> row(kItems);
  std::vector<Scored> candidates;
  std::vector<double> values(d.metrics.size(), 0);
  for (const auto& c : d.cases) {
    d.algorithm.score(std::span<const int32_t>(&c.user, 1), row);
    candidates.clear();
    for (int32_t i = 0; i < kItems; ++i)
      if (!d.train.contains(c.user, i)) candidates.push_back({row[static_cast<size_t>(i)], i});
    std::sort(candidates.begin(), candidates.end(), ranks_before);
    std::vector<int32_t> top;
    for (size_t r = 0; r < 10 && r < candidates.size(); ++r) top.push_back(candidates[r].item);
    RankedCase rc{c.user, top, c.relevant, d.train.items_of(c.user)};
    for (size_t m = 0; m < d.metrics.size(); ++m)
      if (d.metrics[m]->kind() == Metric::Kind::PerUser)
        if (auto v = d.metrics[m]->user_value(rc, d.context)) values[m] += *v;
    lists.insert(lists.end(), top.begin(), top.end());
  }
  benchmark::DoNotOptimize(values);
  return lists;
}

Evaluation fast(const Data& d, int threads) {
  EvaluationOptions o;
  o.threads = threads;
  o.list_length = 10;
  return evaluate(d.algorithm, {d.train, d.test, d.cases, false, d.context}, d.metrics, o);
}


void BM_NaiveSortWholeRow(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state) benchmark::DoNotOptimize(naive_lists(d));
  state.counters["users/s"] = benchmark::Counter(static_cast<double>(d.cases.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_NaiveSortWholeRow)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Evaluator(benchmark::State& state) {
  const auto& d = data();
  for (auto _ : state) benchmark::DoNotOptimize(fast(d, static_cast<int>(state.range(0))));
  state.counters["users/s"] = benchmark::Counter(static_cast<double>(d.cases.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Evaluator)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tailrec

int main(int argc, char** argv) {
  using namespace tailrec;
  // The benchmark checks its own result: both evaluators rank identically.
  const auto& d = data();
  const auto expected = naive_lists(d);
  const auto got = fast(d, 2);
  std::vector<int32_t> lists;
  for (size_t c = 0; c < d.cases.size(); ++c)
    for (int r = 0; r < got.list_size[c]; ++r) lists.push_back(got.lists[c * 10 + static_cast<size_t>(r)]);
  if (lists != expected) {
    std::fprintf(stderr, "evaluation_benchmark: the evaluator and the naive version disagree\n");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  // Collect per-benchmark times to print the ratio.
  class Reporter : public benchmark::ConsoleReporter {
   public:
    std::map<std::string, double> seconds;
    void ReportRuns(const std::vector<Run>& runs) override {
      ConsoleReporter::ReportRuns(runs);
      for (const auto& r : runs) seconds[r.benchmark_name()] = r.GetAdjustedRealTime();
    }
  } reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const auto naive = reporter.seconds["BM_NaiveSortWholeRow/real_time"];
  for (const char* name : {"BM_Evaluator/1/real_time", "BM_Evaluator/2/real_time"})
    if (reporter.seconds.count(name) && naive > 0)
      std::printf("speed-up of %s over the naive single-threaded sort: %.1fx\n", name, naive / reporter.seconds[name]);
  return 0;
}
