#include "experiments/report/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool any_value(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return !std::isnan(v); });
}

// The stored value of `metric` for `label` in a run's metrics.json (null when absent).
nlohmann::json stored_value(const RunRecord& run, const std::string& label, const std::string& metric) {
  const auto& algorithms = run.metrics["algorithms"];
  if (!algorithms.contains(label)) return nullptr;
  const auto& metrics = algorithms[label].value("metrics", nlohmann::json::object());
  return metrics.contains(metric) ? metrics[metric] : nlohmann::json(nullptr);
}

// The value of `metric` for `label` in a run's metrics.json (NaN when absent, null or not a number).
double run_value(const RunRecord& run, const std::string& label, const std::string& metric) {
  const auto value = stored_value(run, label, metric);
  return value.is_number() ? value.get<double>() : kNaN;
}

const std::vector<double>* per_user_column(const RunRecord& run, const std::string& label, const std::string& metric) {
  const auto it = run.per_user.find(label);
  if (it == run.per_user.end()) return nullptr;
  const auto col = it->second.columns.find(metric);
  return col == it->second.columns.end() ? nullptr : &col->second;
}

}  // namespace

std::string metric_base(const std::string& metric) { return metric.substr(0, metric.find('@')); }

int metric_cutoff(const std::string& metric) {
  const auto at = metric.find('@');
  if (at == std::string::npos) return 0;
  const auto k = parse_int(metric.substr(at + 1));
  return k ? static_cast<int>(*k) : 0;
}

bool lower_is_better(const std::string& metric) {
  // gini_so_far: the replay protocol's exposure inequality over the rounds so far.
  static const std::set<std::string> lower = {"rmse", "mae", "arp", "gini", "gini_so_far", "pop_reo", "pop_rsp"};
  return lower.count(metric_base(metric)) > 0;
}

bool is_accuracy_metric(const std::string& metric) {
  static const std::set<std::string> accuracy = {"ndcg", "precision", "pooled_precision", "recall", "hit", "hit_rate", "map", "mrr", "auc"};
  return accuracy.count(metric_base(metric)) > 0;
}

bool is_long_tail_metric(const std::string& metric) {
  static const std::set<std::string> tail = {"aplt",     "aclt",    "tail_recall", "tail_ndcg", "coverage",
                                             "novelty",  "entropy", "arp",         "gini",      "pop_reo",
                                             "pop_rsp",  "coverage_count",
                                             // protocol=replay's pooled figures
                                             "tail_share_of_hits", "coverage_so_far", "gini_so_far"};
  return tail.count(metric_base(metric)) > 0;
}

std::string default_accuracy_metric(const std::vector<std::string>& metrics) {
  int largest = -1;
  for (const auto& m : metrics)
    if (is_accuracy_metric(m)) largest = std::max(largest, metric_cutoff(m));
  if (largest < 0) return "";
  const auto ndcg = largest > 0 ? fmt::format("ndcg@{}", largest) : std::string("ndcg");
  if (std::find(metrics.begin(), metrics.end(), ndcg) != metrics.end()) return ndcg;
  for (const auto& m : metrics)
    if (is_accuracy_metric(m) && metric_cutoff(m) == largest) return m;
  return "";
}

std::string default_long_tail_metric(const std::vector<std::string>& metrics) {
  int largest = -1;
  for (const auto& m : metrics)
    if (metric_base(m) == "aplt") largest = std::max(largest, metric_cutoff(m));
  if (largest >= 0) return largest > 0 ? fmt::format("aplt@{}", largest) : std::string("aplt");
  for (const auto& m : metrics)
    if (is_long_tail_metric(m)) return m;
  return "";
}

TestKind parse_test_kind(const std::string& text) {
  if (text == "wilcoxon") return TestKind::Wilcoxon;
  if (text == "t") return TestKind::T;
  fail("--test {}: unknown test; use wilcoxon (signed-rank, the default) or t (paired t-test)", text);
}

std::string test_description(TestKind kind) {
  return kind == TestKind::Wilcoxon ? "paired Wilcoxon signed-rank test" : "paired t-test";
}

PairedValues paired_per_user(const ReportData& data, const Setting& a, const Setting& b, const std::string& metric) {
  // A user evaluated under several seeds is one subject, not several: her values are averaged over
  // the matched seeds (undefined values skipped) and she contributes one pair. Under k folds she
  // contributes one pair per fold: each fold tests different interactions of hers.
  struct Sums {
    double a = 0, b = 0;
    int na = 0, nb = 0;
  };
  std::vector<std::string> order;  // users in order of first appearance
  std::unordered_map<std::string, Sums> sums;
  PairedValues out;
  std::set<std::pair<uint64_t, std::string>> used;
  for (size_t ra : a.runs) {
    const auto& run_a = data.runs[ra];
    if (!used.emplace(run_a.seed, run_a.replicate).second) continue;  // a duplicated replicate pairs once
    const RunRecord* partner = nullptr;
    for (size_t rb : b.runs)
      if (data.runs[rb].seed == run_a.seed && data.runs[rb].replicate == run_a.replicate &&
          data.runs[rb].split_hash == run_a.split_hash) {
        partner = &data.runs[rb];
        break;
      }
    if (!partner) continue;
    const auto* col_a = per_user_column(run_a, a.label, metric);
    const auto* col_b = per_user_column(*partner, b.label, metric);
    if (!col_a || !col_b) continue;
    const auto& users_a = run_a.per_user.at(a.label).users;
    const auto& users_b = partner->per_user.at(b.label).users;
    std::unordered_map<std::string, size_t> index_b;
    for (size_t i = 0; i < users_b.size(); ++i) index_b.emplace(users_b[i], i);
    // The unit: the user, prefixed by the fold when runs are folds ('\t' cannot occur in a user id of the TSV).
    const std::string prefix = run_a.replicate_parameter.empty() ? std::string() : run_a.replicate + "\t";
    for (size_t i = 0; i < users_a.size(); ++i) {
      const auto it = index_b.find(users_a[i]);
      if (it == index_b.end()) continue;
      const auto unit = prefix + users_a[i];
      auto [entry, added] = sums.try_emplace(unit);
      if (added) order.push_back(unit);
      const double va = (*col_a)[i], vb = (*col_b)[it->second];
      if (!std::isnan(va)) entry->second.a += va, ++entry->second.na;
      if (!std::isnan(vb)) entry->second.b += vb, ++entry->second.nb;
    }
    ++out.seeds;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& user : order) {
    const auto& s = sums.at(user);
    out.a.push_back(s.na ? s.a / s.na : nan);
    out.b.push_back(s.nb ? s.b / s.nb : nan);
  }
  return out;
}

ResultTable build_table(const ReportData& data, const Context& context, TestKind test, double alpha) {
  ResultTable table;
  table.title = context.title;
  table.metrics = context.metrics;
  table.test = test;
  table.alpha = alpha;
  const size_t M = table.metrics.size();
  for (const auto& m : table.metrics) {
    table.lower_better.push_back(lower_is_better(m));
    bool has = false;
    for (size_t r : context.runs)
      for (const auto& [label, cols] : data.runs[r].per_user)
        if (cols.columns.count(m)) has = true;
    table.per_user.push_back(has);
  }
  for (const auto& s : context.settings) {
    table.settings.push_back(s.name);
    std::vector<uint64_t> seeds;
    std::vector<std::string> replicates;
    for (size_t r : s.runs) {
      seeds.push_back(data.runs[r].seed);
      replicates.push_back(data.runs[r].replicate);
      if (!data.runs[r].replicate_parameter.empty()) table.replicate_parameter = data.runs[r].replicate_parameter;
    }
    table.seeds.push_back(seeds);
    table.replicates.push_back(replicates);
    std::vector<Cell> row(M);
    for (size_t m = 0; m < M; ++m) {
      const auto range = report_metric_range(table.metrics[m]);
      for (size_t r : s.runs) {
        row[m].values.push_back(run_value(data.runs[r], s.label, table.metrics[m]));
        if (row[m].problem.empty())
          row[m].problem = range_problem(stored_value(data.runs[r], s.label, table.metrics[m]), range);
      }
      row[m].present = any_value(row[m].values);
      if (row[m].present) row[m].summary = summarize(row[m].values);
    }
    table.cells.push_back(std::move(row));
  }
  for (size_t m = 0; m < M; ++m) {
    // Best mean (ties: every one of them).
    std::optional<double> best;
    for (const auto& row : table.cells)
      if (row[m].present && row[m].problem.empty()) {
        const double v = row[m].summary.mean;
        if (!best || (table.lower_better[m] ? v < *best : v > *best)) best = v;
      }
    if (!best) continue;
    size_t reference = table.cells.size();
    for (size_t s = 0; s < table.cells.size(); ++s)
      if (table.cells[s][m].present && table.cells[s][m].problem.empty() && table.cells[s][m].summary.mean == *best) {
        table.cells[s][m].best = true;
        if (reference == table.cells.size()) reference = s;
      }
    if (!table.per_user[m]) continue;
    std::vector<size_t> tested;
    std::vector<double> p_values;
    for (size_t s = 0; s < table.cells.size(); ++s) {
      auto& cell = table.cells[s][m];
      if (!cell.present || cell.best) continue;
      const auto paired = paired_per_user(data, context.settings[reference], context.settings[s], table.metrics[m]);
      size_t complete = 0;
      for (size_t i = 0; i < paired.a.size(); ++i)
        if (!std::isnan(paired.a[i]) && !std::isnan(paired.b[i])) ++complete;
      if (complete < 2) continue;
      const auto result = test == TestKind::Wilcoxon ? wilcoxon_signed_rank(paired.a, paired.b)
                                                     : paired_t_test(paired.a, paired.b);
      cell.tested = true;
      cell.pairs = complete;
      cell.p_value = result.p_value;
      tested.push_back(s);
      p_values.push_back(result.p_value);
    }
    if (tested.empty()) continue;
    const auto adjusted = holm_adjust(p_values);
    for (size_t i = 0; i < tested.size(); ++i) {
      auto& cell = table.cells[tested[i]][m];
      cell.p_adjusted = adjusted[i];
      cell.significant = adjusted[i] < alpha;
    }
  }
  return table;
}

TradeoffData tradeoff_data(const ResultTable& table, const std::string& x_metric, const std::string& y_metric) {
  const auto column = [&](const std::string& name, const char* option) {
    const auto it = std::find(table.metrics.begin(), table.metrics.end(), name);
    if (it == table.metrics.end())
      fail("{} {}: no such metric in the runs of {} (they have: {}){}", option, name, table.title, join(table.metrics, ", "),
           did_you_mean(name, table.metrics));
    return static_cast<size_t>(it - table.metrics.begin());
  };
  const size_t x = column(x_metric, "--x"), y = column(y_metric, "--y");
  TradeoffData out{x_metric, y_metric, {}};
  for (size_t s = 0; s < table.settings.size(); ++s)
    if (table.cells[s][x].present && table.cells[s][y].present)
      out.points.push_back({table.settings[s], table.cells[s][x].summary, table.cells[s][y].summary});
  return out;
}

std::vector<int64_t> curve_ranks(int64_t items, int64_t head_items, int points) {
  std::set<int64_t> ranks;
  if (items <= 0) return {};
  for (int j = 0; j < points; ++j) {
    const double t = points > 1 ? static_cast<double>(j) / (points - 1) : 1.0;
    ranks.insert(std::clamp<int64_t>(std::llround(std::exp(std::log(static_cast<double>(items)) * t)), 1, items));
  }
  if (head_items >= 1 && head_items <= items) ranks.insert(head_items);
  ranks.insert(items);
  return {ranks.begin(), ranks.end()};
}

std::vector<double> cumulative_share(const std::vector<int64_t>& counts, const std::vector<int64_t>& ranks) {
  double total = 0;
  for (auto c : counts) total += static_cast<double>(c);
  std::vector<double> out;
  out.reserve(ranks.size());
  double running = 0;
  size_t next = 0;
  for (auto r : ranks) {
    const auto upto = static_cast<size_t>(std::clamp<int64_t>(r, 0, static_cast<int64_t>(counts.size())));
    for (; next < upto; ++next) running += static_cast<double>(counts[next]);
    out.push_back(total > 0 ? running / total : kNaN);
  }
  return out;
}

std::optional<ExposureData> exposure_data(const ReportData& data, const Context& context) {
  ExposureData out;
  for (size_t r : context.runs) {
    const auto& run = data.runs[r];
    if (run.exposure.train_users.empty()) continue;
    if (out.items == 0) {
      out.items = static_cast<int64_t>(run.exposure.train_users.size());
      out.head_items = run.metrics.value("metric_settings", nlohmann::json::object()).value("head_items", int64_t{0});
    }
  }
  if (out.items == 0) return std::nullopt;
  out.ranks = curve_ranks(out.items, out.head_items);
  const auto mean_of = [&](const std::vector<std::vector<double>>& curves) {
    std::vector<double> mean(out.ranks.size(), 0.0);
    for (const auto& c : curves)
      for (size_t j = 0; j < mean.size(); ++j) mean[j] += c[j] / static_cast<double>(curves.size());
    return mean;
  };
  std::vector<std::vector<double>> training;
  for (size_t r : context.runs)
    if (!data.runs[r].exposure.train_users.empty()) {
      auto share = cumulative_share(data.runs[r].exposure.train_users, out.ranks);
      if (any_value(share)) training.push_back(std::move(share));
    }
  if (!training.empty()) out.training = mean_of(training);
  for (const auto& s : context.settings) {
    std::vector<std::vector<double>> curves;
    for (size_t r : s.runs) {
      const auto it = data.runs[r].exposure.counts.find(s.label);
      if (it == data.runs[r].exposure.counts.end()) continue;
      auto share = cumulative_share(it->second, out.ranks);
      if (any_value(share)) curves.push_back(std::move(share));
    }
    if (!curves.empty()) out.curves.push_back({s.name, mean_of(curves)});
  }
  if (out.curves.empty()) return std::nullopt;
  return out;
}

std::vector<ActivityBucket> activity_buckets(std::vector<int64_t> values, int buckets) {
  if (values.empty() || buckets < 1) return {};
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  std::vector<int64_t> lows;
  for (int b = 0; b < buckets; ++b) {
    const int64_t low = values[static_cast<size_t>(b) * n / static_cast<size_t>(buckets)];
    if (lows.empty() || low != lows.back()) lows.push_back(low);
  }
  static const char* kFive[] = {"cold", "light", "medium", "active", "heavy"};
  std::vector<ActivityBucket> out;
  for (size_t b = 0; b < lows.size(); ++b) {
    ActivityBucket bucket;
    bucket.name = lows.size() == 5 ? kFive[b] : fmt::format("Q{}", b + 1);
    bucket.low = lows[b];
    bucket.high = b + 1 < lows.size() ? lows[b + 1] - 1 : values.back();
    out.push_back(bucket);
  }
  return out;
}

size_t bucket_of(const std::vector<ActivityBucket>& buckets, int64_t value) {
  size_t b = 0;
  while (b + 1 < buckets.size() && buckets[b + 1].low <= value) ++b;
  return b;
}

std::optional<ActivityData> activity_data(const ReportData& data, const Context& context, const std::string& metric,
                                          int buckets) {
  // Pooled activity of each run's evaluated users (those with a per-user row).
  std::vector<int64_t> pooled;
  size_t runs_used = 0;
  for (size_t r : context.runs) {
    const auto& run = data.runs[r];
    if (run.activity.empty() || run.per_user.empty()) continue;
    std::set<std::string> evaluated;
    for (const auto& [label, cols] : run.per_user) evaluated.insert(cols.users.begin(), cols.users.end());
    for (const auto& u : evaluated) {
      const auto it = run.activity.find(u);
      if (it != run.activity.end()) pooled.push_back(it->second);
    }
    ++runs_used;
  }
  if (pooled.empty()) return std::nullopt;
  ActivityData out;
  out.metric = metric;
  out.buckets = activity_buckets(pooled, buckets);
  out.users.assign(out.buckets.size(), 0.0);
  for (auto v : pooled) out.users[bucket_of(out.buckets, v)] += 1.0 / static_cast<double>(runs_used);
  for (const auto& s : context.settings) {
    std::vector<std::vector<double>> per_run(out.buckets.size());  // [bucket][run]: bucket mean
    bool any = false;
    for (size_t r : s.runs) {
      const auto& run = data.runs[r];
      const auto* col = per_user_column(run, s.label, metric);
      if (!col || run.activity.empty()) continue;
      const auto& users = run.per_user.at(s.label).users;
      std::vector<double> sum(out.buckets.size(), 0.0), count(out.buckets.size(), 0.0);
      for (size_t i = 0; i < users.size(); ++i) {
        const auto it = run.activity.find(users[i]);
        if (it == run.activity.end() || std::isnan((*col)[i])) continue;
        const auto b = bucket_of(out.buckets, it->second);
        sum[b] += (*col)[i];
        count[b] += 1;
      }
      for (size_t b = 0; b < out.buckets.size(); ++b) per_run[b].push_back(count[b] > 0 ? sum[b] / count[b] : kNaN);
      any = true;
    }
    if (!any) continue;
    std::vector<Summary> values(out.buckets.size());
    std::vector<bool> present(out.buckets.size(), false);
    for (size_t b = 0; b < out.buckets.size(); ++b)
      if (any_value(per_run[b])) {
        values[b] = summarize(per_run[b]);
        present[b] = true;
      }
    out.settings.push_back(s.name);
    out.values.push_back(std::move(values));
    out.present.push_back(std::move(present));
  }
  if (out.settings.empty()) return std::nullopt;
  return out;
}

}  // namespace tailrec
