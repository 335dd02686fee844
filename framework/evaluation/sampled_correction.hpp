#pragma once
// Corrected sampled metrics (Krichene & Rendle, "On Sampled Metrics for Item Recommendation", KDD
// 2020, section 5; docs/sampled_metrics.md). A sampled case ranks its one relevant item against m
// negatives drawn uniformly without replacement from the n - 1 other items a full ranking would
// rank; its sampled rank r (1..m+1) is a random function of the unknown full rank R (1..n). The
// bias-variance ("BV") estimator replaces the metric's value M(r) by a value x_r per sampled rank,
// chosen once per (n, m) so that x_r is close to M(R) on average over a uniform prior on R.
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "framework/evaluation/evaluator.hpp"
#include "framework/metrics/metric.hpp"
#include "framework/protocols/protocol.hpp"

namespace tailrec {

// P(r | R) for r = 1..m+1 (index r - 1): the relevant item at full rank R among n candidates is at
// sampled rank r when r - 1 of the m negatives, drawn without replacement from the n - 1 others, are
// among the R - 1 that outrank it: r - 1 ~ Hypergeometric(population n - 1, successes R - 1, draws m).
// Needs 0 <= m <= n - 1 and 1 <= R <= n. Terms below 1e-16 of the largest are left at 0 (below
// double precision beside it).
std::vector<double> sampled_rank_distribution(int64_t n, int64_t m, int64_t full_rank);

// The BV estimator for each metric curve: curves[j][R - 1] = M_j(R) for R = 1..n. Returns x[j][r - 1]
// for r = 1..m+1, the minimiser of
//   sum_R p(R) [ (E[x_r | R] - M_j(R))^2 + gamma Var(x_r | R) ],   p(R) = 1/n (uniform),
// i.e. the solution of ((1 - gamma) A'A + gamma diag(c)) x = A'b with A[R][r] = P(r | R),
// b[R] = M_j(R), c[r] = sum_R P(r | R) (the constant p(R) cancels). gamma = 1 gives the posterior
// mean E[M(R) | r]; gamma -> 0 the least-biased (and highly variable) estimator. With m = n - 1
// every negative is drawn, r = R, and x = M exactly.
std::vector<std::vector<double>> bias_variance_estimator(int64_t n, int64_t m, double gamma,
                                                         const std::vector<std::vector<double>>& curves);

// The correction of one run: the estimator tables of every (n, m) its cases have, for every metric
// with a value_at_rank (the others describe the sampled lists and get none).
class SampledCorrection {
 public:
  // `cases`: the protocol's cases (each with EvalCase::sampled_from set and one relevant item).
  // Tables for distinct (n, m) are solved in parallel; the result does not depend on `threads`.
  SampledCorrection(const std::vector<EvalCase>& cases, const std::vector<std::unique_ptr<Metric>>& metrics,
                    double gamma, int threads);

  // Which metrics (indices into the run's metric list) get a corrected value.
  const std::vector<size_t>& corrected_metrics() const { return corrected_; }
  size_t distinct_sizes() const { return tables_.size(); }

  // The corrected value of each corrected metric (in corrected_metrics() order), averaged as the
  // metric averages (per user, then over users; or over cases). A case whose list is empty (a model
  // without information about a cold user) counts as a miss: 0, as every accuracy metric counts it.
  std::vector<double> values(const std::vector<EvalCase>& cases, const Evaluation& evaluation,
                             const std::vector<std::unique_ptr<Metric>>& metrics) const;

 private:
  std::vector<size_t> corrected_;
  std::map<std::pair<int64_t, int64_t>, std::vector<std::vector<double>>> tables_;  // (n, m) -> x[metric][r - 1]
};

}  // namespace tailrec
