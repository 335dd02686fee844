#pragma once
// Per-user score normalisation for hybrids: components score on different scales (a popularity
// count, a cosine, a log-likelihood), so each user's row is brought to a common scale before
// scores of different components are combined.
#include <span>
#include <string>
#include <vector>

namespace tailrec {

enum class Normalization { MinMax, ZScore, Rank, None };

// The names accepted by the `normalization` parameter, in the order listed in configs.
const std::vector<std::string>& normalization_names();
// "minmax" | "zscore" | "rank" | "none" (the parameter's choices are checked by the schema).
Normalization parse_normalization(const std::string& name);

// Normalises one user's scores over every catalog item, in place (statistics in double):
//   minmax: (s - min) / (max - min), 0 when max == min;
//   zscore: (s - mean) / std with the population std (divide by n), 0 when std == 0;
//   rank:   1 - rank / (n - 1), rank 0 = the best score, equal scores share the mean of their ranks
//           (a one-item catalog gets 1);
//   none:   unchanged.
// Non-finite scores (-inf used as "never") first become the row's lowest finite score (0 when
// none is finite), so they stay at the bottom and never poison the statistics.
void normalize_row(std::span<float> row, Normalization normalization);

}  // namespace tailrec
