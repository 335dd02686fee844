#include "framework/evaluation/sampled_correction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <Eigen/Dense>

#include "framework/util/check.hpp"
#include "framework/util/parallel.hpp"

namespace tailrec {

namespace {

double log_choose(int64_t n, int64_t k) {
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

// Below this share of its largest term, a row of P(r | R) is left at 0.
constexpr double kNegligible = 1e-16;

// The support [first, first + size) of one row of P(r | R) (r - 1 = j, 0-based), and its values.
struct Row {
  int64_t first = 0;
  std::vector<double> values;
};

Row hypergeometric_row(int64_t n, int64_t m, int64_t full_rank) {
  const int64_t population = n - 1, successes = full_rank - 1;
  const int64_t low = std::max<int64_t>(0, m - (population - successes));
  const int64_t high = std::min(m, successes);
  // Start at the mode (lgamma once), then walk outwards with the ratio of neighbouring terms.
  const int64_t mode = std::clamp<int64_t>((m + 1) * (successes + 1) / (population + 2), low, high);
  const double peak = std::exp(log_choose(successes, mode) + log_choose(population - successes, m - mode) -
                               log_choose(population, m));
  // pmf(j + 1) / pmf(j) = (K - j)(m - j) / ((j + 1)(N - K - m + j + 1))
  const auto up = [&](int64_t j) {
    return static_cast<double>(successes - j) * static_cast<double>(m - j) /
           (static_cast<double>(j + 1) * static_cast<double>(population - successes - m + j + 1));
  };
  std::vector<double> below, above;
  for (int64_t j = mode - 1; j >= low; --j) {
    const double v = (below.empty() ? peak : below.back()) / up(j);
    if (v < kNegligible * peak) break;
    below.push_back(v);
  }
  for (int64_t j = mode + 1; j <= high; ++j) {
    const double v = (above.empty() ? peak : above.back()) * up(j - 1);
    if (v < kNegligible * peak) break;
    above.push_back(v);
  }
  Row row;
  row.first = mode - static_cast<int64_t>(below.size());
  row.values.assign(below.rbegin(), below.rend());
  row.values.push_back(peak);
  row.values.insert(row.values.end(), above.begin(), above.end());
  return row;
}

void check_sizes(int64_t n, int64_t m) {
  TAILREC_CHECK(m >= 0 && m <= n - 1, "sampled rank correction needs 0 <= m <= n - 1 (m = {}, n = {})", m, n);
}

}  // namespace

std::vector<double> sampled_rank_distribution(int64_t n, int64_t m, int64_t full_rank) {
  check_sizes(n, m);
  TAILREC_CHECK(full_rank >= 1 && full_rank <= n, "full rank {} outside 1..{}", full_rank, n);
  const auto row = hypergeometric_row(n, m, full_rank);
  std::vector<double> out(static_cast<size_t>(m + 1), 0.0);
  std::copy(row.values.begin(), row.values.end(), out.begin() + row.first);
  return out;
}

std::vector<std::vector<double>> bias_variance_estimator(int64_t n, int64_t m, double gamma,
                                                         const std::vector<std::vector<double>>& curves) {
  check_sizes(n, m);
  TAILREC_CHECK(gamma >= 0 && gamma <= 1, "gamma {} outside [0, 1]", gamma);
  for (const auto& curve : curves) TAILREC_CHECK(static_cast<int64_t>(curve.size()) == n, "a curve needs n = {} values", n);
  // Every negative drawn (also none of none, for a user who has every item): the sampled rank is the full rank.
  if (m == n - 1) return curves;
  const auto size = static_cast<Eigen::Index>(m + 1);
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(size, size);  // A'A, upper triangle
  Eigen::VectorXd mass = Eigen::VectorXd::Zero(size);        // c
  Eigen::MatrixXd rhs = Eigen::MatrixXd::Zero(size, static_cast<Eigen::Index>(curves.size()));  // A'b, one column per metric
  for (int64_t full_rank = 1; full_rank <= n; ++full_rank) {
    const auto row = hypergeometric_row(n, m, full_rank);
    const auto width = static_cast<Eigen::Index>(row.values.size());
    const Eigen::Map<const Eigen::VectorXd> p(row.values.data(), width);
    const auto first = static_cast<Eigen::Index>(row.first);
    gram.block(first, first, width, width).selfadjointView<Eigen::Upper>().rankUpdate(p);  // upper triangle only
    mass.segment(first, width) += p;
    for (size_t j = 0; j < curves.size(); ++j) {
      const double value = curves[j][static_cast<size_t>(full_rank - 1)];
      if (value != 0) rhs.col(static_cast<Eigen::Index>(j)).segment(first, width) += value * p;
    }
  }
  Eigen::MatrixXd system = (1 - gamma) * gram;
  system.diagonal() += gamma * mass;
  const Eigen::MatrixXd x = Eigen::LDLT<Eigen::MatrixXd, Eigen::Upper>(system).solve(rhs);
  std::vector<std::vector<double>> out(curves.size(), std::vector<double>(static_cast<size_t>(m + 1)));
  for (size_t j = 0; j < curves.size(); ++j)
    for (Eigen::Index r = 0; r < size; ++r) out[j][static_cast<size_t>(r)] = x(r, static_cast<Eigen::Index>(j));
  return out;
}

SampledCorrection::SampledCorrection(const std::vector<EvalCase>& cases, const std::vector<std::unique_ptr<Metric>>& metrics,
                                     double gamma, int threads) {
  for (size_t j = 0; j < metrics.size(); ++j)
    if (metrics[j]->value_at_rank(1)) corrected_.push_back(j);
  if (corrected_.empty()) return;
  for (const auto& c : cases) {
    TAILREC_CHECK(c.relevant.size() == 1 && c.candidates.size() <= static_cast<size_t>(c.sampled_from) + 1,
                  "the sampled rank correction needs one relevant item and the sampling population per case");
    tables_[{c.sampled_from + 1, static_cast<int64_t>(c.candidates.size()) - 1}];
  }
  std::vector<std::pair<int64_t, int64_t>> keys;
  for (const auto& [key, table] : tables_) keys.push_back(key);
  std::vector<std::vector<std::vector<double>>> solved(keys.size());
  // Each (n, m) is solved on its own and written to its own slot: the same tables for any thread count.
  parallel_chunks(static_cast<int64_t>(keys.size()), 1, threads, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const auto [n, m] = keys[static_cast<size_t>(k)];
      std::vector<std::vector<double>> curves(corrected_.size(), std::vector<double>(static_cast<size_t>(n)));
      for (size_t j = 0; j < corrected_.size(); ++j)
        for (int64_t rank = 1; rank <= n; ++rank)
          curves[j][static_cast<size_t>(rank - 1)] = *metrics[corrected_[j]]->value_at_rank(rank);
      solved[static_cast<size_t>(k)] = bias_variance_estimator(n, m, gamma, curves);
    }
  });
  for (size_t k = 0; k < keys.size(); ++k) tables_[keys[k]] = std::move(solved[k]);
}

std::vector<double> SampledCorrection::values(const std::vector<EvalCase>& cases, const Evaluation& evaluation,
                                              const std::vector<std::unique_ptr<Metric>>& metrics) const {
  const size_t num_cases = cases.size();
  TAILREC_CHECK(evaluation.relevant_rank.size() == num_cases, "the evaluation has no sampled rank per case");
  // Each case's corrected value, per corrected metric.
  std::vector<std::vector<double>> case_values(corrected_.size(), std::vector<double>(num_cases, 0.0));
  for (size_t c = 0; c < num_cases; ++c) {
    const int32_t rank = evaluation.relevant_rank[c];
    if (rank == 0) continue;  // an empty list: a miss
    const auto& table = tables_.at({cases[c].sampled_from + 1, static_cast<int64_t>(cases[c].candidates.size()) - 1});
    for (size_t j = 0; j < corrected_.size(); ++j) case_values[j][c] = table[j][static_cast<size_t>(rank - 1)];
  }
  // Averaged as the evaluator averages: cases grouped by user in ascending order (stable), the
  // user's mean, then the mean over users; PerCase metrics: the mean over cases in case order.
  std::vector<size_t> order(num_cases);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cases[a].user < cases[b].user; });
  std::vector<double> out;
  for (size_t j = 0; j < corrected_.size(); ++j) {
    const auto& v = case_values[j];
    double total = 0;
    int64_t counted = 0;
    if (metrics[corrected_[j]]->kind() == Metric::Kind::PerCase) {
      for (size_t c = 0; c < num_cases; ++c) total += v[c], ++counted;
    } else {
      for (size_t i = 0; i < num_cases;) {
        size_t end = i;
        double sum = 0;
        while (end < num_cases && cases[order[end]].user == cases[order[i]].user) sum += v[order[end++]];
        total += sum / static_cast<double>(end - i);
        ++counted;
        i = end;
      }
    }
    out.push_back(counted ? total / static_cast<double>(counted) : std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

}  // namespace tailrec
