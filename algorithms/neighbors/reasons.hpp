#pragma once
// explain() of the neighbourhood models: a score is a sum of per-neighbour terms; the reasons are
// the largest of them.
#include <vector>

#include "framework/model/algorithm.hpp"

namespace tailrec {

// Sorts by weight descending, ties by lower id (a total order, so the output is reproducible), and
// keeps the first max_reasons (none when max_reasons <= 0).
std::vector<Reason> top_reasons(std::vector<Reason> reasons, int max_reasons);

}  // namespace tailrec
