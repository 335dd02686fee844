#include "framework/evaluation/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "framework/util/error.hpp"

namespace tailrec {

namespace {

// Largest n for the exact Wilcoxon distribution (scipy's method="auto" threshold). The counts of
// the 2^n sign patterns fit in uint64 far beyond this.
constexpr size_t kWilcoxonExactMaxN = 50;

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// Sample standard deviation (n - 1), two-pass about the given mean; 0 when n < 2.
double sample_std(const std::vector<double>& values, double mean) {
  if (values.size() < 2) return 0;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

// a - b over the pairs where neither is NaN.
std::vector<double> paired_differences(const char* test, const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    fail("{}: the two samples must be paired (same users in the same order), got {} and {} values", test, a.size(),
         b.size());
  std::vector<double> d;
  d.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    if (!std::isnan(a[i]) && !std::isnan(b[i])) d.push_back(a[i] - b[i]);
  return d;
}

// Two-sided p-value 2 * P(T_df >= |t|), as scipy's 2 * stdtr(df, -|t|).
double t_two_sided_p(double t, double df) {
  if (std::isinf(t)) return 0;
  const boost::math::students_t dist(df);
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::abs(t))));
}

// Number of sign patterns of ranks 1..n whose positive-rank sum is <= w (the exact null distribution
// of W+, each pattern with probability 2^-n), by dynamic programming over the ranks.
uint64_t signed_rank_patterns_at_most(size_t n, size_t w) {
  const size_t max_sum = n * (n + 1) / 2;
  std::vector<uint64_t> count(max_sum + 1, 0);
  count[0] = 1;
  for (size_t rank = 1; rank <= n; ++rank)
    for (size_t s = rank * (rank + 1) / 2; s >= rank; --s) count[s] += count[s - rank];
  uint64_t total = 0;
  for (size_t s = 0; s <= std::min(w, max_sum); ++s) total += count[s];
  return total;
}

}  // namespace

Summary summarize(const std::vector<double>& values, double confidence) {
  if (!(confidence > 0 && confidence < 1))
    fail("summarize: confidence must be in (0, 1), got {}; use e.g. 0.95 for a 95% interval", confidence);
  std::vector<double> kept;
  kept.reserve(values.size());
  for (double v : values)
    if (!std::isnan(v)) kept.push_back(v);
  if (kept.empty())
    fail("summarize: no value to summarize ({} given, all NaN); check that the metric is defined for at least one "
         "seed",
         values.size());
  Summary s;
  s.n = kept.size();
  s.mean = mean_of(kept);
  s.std = sample_std(kept, s.mean);
  s.ci_low = s.ci_high = s.mean;
  if (s.n >= 2) {
    // scipy.stats.t.interval(confidence, n - 1, loc=mean, scale=std/sqrt(n)).
    const boost::math::students_t dist(static_cast<double>(s.n - 1));
    const double q = boost::math::quantile(dist, (1 + confidence) / 2);
    const double half_width = q * (s.std / std::sqrt(static_cast<double>(s.n)));
    s.ci_low = s.mean - half_width;
    s.ci_high = s.mean + half_width;
  }
  return s;
}

PairedTest paired_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  const auto d = paired_differences("paired t-test", a, b);
  if (d.size() < 2)
    fail("paired t-test: needs at least 2 pairs without NaN, got {} (of {}); compare over more users", d.size(),
         a.size());
  PairedTest r;
  r.method = "paired t-test";
  r.n = d.size();
  r.mean_difference = mean_of(d);
  // Checked on the values, not on sd == 0: the mean of n equal doubles can round off the value and
  // leave a tiny non-zero sd, which would turn "no variation" into a huge finite t.
  const bool all_equal = std::all_of(d.begin(), d.end(), [&](double x) { return x == d.front(); });
  if (all_equal) {
    r.mean_difference = d.front();
    const double inf = std::numeric_limits<double>::infinity();
    r.statistic = d.front() == 0 ? 0 : std::copysign(inf, d.front());
    r.effect_size = r.statistic;
    r.p_value = d.front() == 0 ? 1 : 0;
    return r;
  }
  const double sd = sample_std(d, r.mean_difference);
  r.statistic = r.mean_difference / (sd / std::sqrt(static_cast<double>(r.n)));
  r.p_value = t_two_sided_p(r.statistic, static_cast<double>(r.n - 1));
  r.effect_size = r.mean_difference / sd;
  return r;
}

PairedTest wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b) {
  const auto all = paired_differences("Wilcoxon signed-rank test", a, b);
  if (all.empty())
    fail("Wilcoxon signed-rank test: no pair without NaN (of {}); compare over users where both values are defined",
         a.size());
  PairedTest r;
  r.n = all.size();
  r.mean_difference = mean_of(all);
  std::vector<double> d;  // zero_method="wilcox": zero differences take no part
  for (double x : all)
    if (x != 0) d.push_back(x);
  const size_t n = d.size();
  const bool had_zeros = n < all.size();
  if (n == 0) {
    r.method = "wilcoxon exact";
    r.statistic = 0;
    r.p_value = 1;
    r.effect_size = 0;
    return r;
  }

  // Average ranks of |d| (1-based), and the tie groups for the variance correction.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) { return std::abs(d[i]) < std::abs(d[j]); });
  std::vector<double> rank(n);
  double tie_term = 0;  // sum over tie groups of t (t^2 - 1)
  for (size_t start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && std::abs(d[order[end]]) == std::abs(d[order[start]])) ++end;
    const double average = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2;
    for (size_t k = start; k < end; ++k) rank[order[k]] = average;
    const double t = static_cast<double>(end - start);
    if (end - start > 1) tie_term += t * (t * t - 1);
    start = end;
  }
  const bool has_ties = tie_term > 0;
  double w_plus = 0, w_minus = 0;
  for (size_t i = 0; i < n; ++i) (d[i] > 0 ? w_plus : w_minus) += rank[i];
  r.statistic = std::min(w_plus, w_minus);
  r.effect_size = (w_plus - w_minus) / (w_plus + w_minus);

  const double nd = static_cast<double>(n);
  if (!had_zeros && !has_ties && n <= kWilcoxonExactMaxN) {
    // Ranks are the integers 1..n, so W is an integer; p = 2 P(W+ <= min(W+, W-)) capped at 1.
    r.method = "wilcoxon exact";
    const auto w = static_cast<size_t>(r.statistic);
    const double patterns = static_cast<double>(signed_rank_patterns_at_most(n, w));
    r.p_value = std::min(1.0, 2 * patterns / std::ldexp(1.0, static_cast<int>(n)));
  } else {
    // Normal approximation without continuity correction; variance reduced for tied |d|.
    r.method = "wilcoxon normal";
    const double mean = nd * (nd + 1) * 0.25;
    const double variance = (nd * (nd + 1) * (2 * nd + 1) - 0.5 * tie_term) / 24;
    const double z = (r.statistic - mean) / std::sqrt(variance);
    const boost::math::normal standard;
    r.p_value = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(standard, std::abs(z))));
  }
  return r;
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  const size_t m = p_values.size();
  for (size_t i = 0; i < m; ++i)
    if (!(p_values[i] >= 0 && p_values[i] <= 1))
      fail("Holm adjustment: p-value {} (position {}) is not in [0, 1]; pass the raw p-values of the tests", p_values[i],
           i);
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return p_values[i] < p_values[j]; });
  // Step-down: the k-th smallest (0-based) is multiplied by m - k, then made non-decreasing.
  // Tied p-values end up equal whatever their order: the later one takes the earlier, larger value.
  std::vector<double> adjusted(m);
  double running_max = 0;
  for (size_t k = 0; k < m; ++k) {
    running_max = std::max(running_max, p_values[order[k]] * static_cast<double>(m - k));
    adjusted[order[k]] = std::min(1.0, running_max);
  }
  return adjusted;
}

}  // namespace tailrec
