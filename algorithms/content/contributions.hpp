#pragma once
// The explanations of the content models: their scores are sums of contributions (one per term or
// per liked item), and explain() reports the largest positive ones.
#include <cstdint>
#include <vector>

namespace tailrec {

struct Contribution {
  int32_t index = 0;  // a term column or a dense item index
  double weight = 0;
};

// The positive contributions of `all`, largest first (ties: lower index first), at most `max_reasons`.
std::vector<Contribution> top_contributions(std::vector<Contribution> all, int max_reasons);

}  // namespace tailrec
