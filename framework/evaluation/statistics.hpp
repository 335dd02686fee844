#pragma once
// Statistics for comparing runs: summaries over seeds (mean, sample standard deviation, Student-t
// 95% confidence interval) and paired tests between algorithms over per-user values (paired t-test,
// Wilcoxon signed-rank), Holm's correction across a table's comparisons, and effect sizes.
// Conventions follow scipy.stats (1.10) so results can be checked against it; see
// docs/statistics.md and tests/unit/framework/evaluation/statistics_test.cpp.
#include <cstddef>
#include <string>
#include <vector>

namespace tailrec {

struct Summary {
  size_t n = 0;
  double mean = 0;
  double std = 0;        // sample standard deviation (n - 1); 0 when n == 1
  double ci_low = 0;     // mean -/+ t_{0.975, n-1} * std / sqrt(n); equal to mean when n == 1
  double ci_high = 0;
};
// NaN values are skipped (a metric undefined for a seed). Throws on an empty input.
Summary summarize(const std::vector<double>& values, double confidence = 0.95);

struct PairedTest {
  size_t n = 0;               // pairs used (after dropping pairs with a NaN)
  double mean_difference = 0; // mean of a - b
  double statistic = 0;       // t for the t-test; W = min(W+, W-) for Wilcoxon (as scipy reports it)
  double p_value = 1;         // two-sided
  double effect_size = 0;     // t-test: Cohen's d_z = mean(d) / sd(d); Wilcoxon: matched-pairs rank-biserial r = (W+ - W-) / (W+ + W-)
  std::string method;         // "paired t-test", "wilcoxon exact", "wilcoxon normal"
};
// Two-sided paired t-test on a - b (scipy.stats.ttest_rel). All differences equal: p = 1 when they
// are zero, else 0 (scipy gives nan); t and d_z = 0 or +/-inf accordingly. Throws when the sizes
// differ or fewer than 2 pairs are left.
PairedTest paired_t_test(const std::vector<double>& a, const std::vector<double>& b);
// Two-sided Wilcoxon signed-rank test on a - b, as scipy.stats.wilcoxon with its defaults
// (zero_method="wilcox": zero differences dropped; correction=False; method="auto": exact
// distribution when n <= 50 with no zero and no tied |difference|, else the normal approximation
// with the tie correction). With ties and no zero, scipy 1.10 itself takes a truncating exact path
// (its issue 13689); this follows its documentation (and R) instead, see docs/statistics.md.
// No non-zero difference: p = 1, W = 0, r = 0. Throws when the sizes differ or no pair is left.
PairedTest wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b);

// Holm-Bonferroni adjusted p-values (statsmodels multipletests method="holm"), in input order.
// Throws on a p-value outside [0, 1] (NaN included).
std::vector<double> holm_adjust(const std::vector<double>& p_values);

}  // namespace tailrec
