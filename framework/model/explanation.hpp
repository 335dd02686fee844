#pragma once
// The text of recommendations.tsv's `why` column (run.explain=true) from an algorithm's reasons.
#include <string>
#include <vector>

#include "framework/data/anonymize.hpp"
#include "framework/model/algorithm.hpp"

namespace tailrec {

// Leaf reasons joined by ", ": `item 260 "Star Wars (1977)" 0.412` (the title when the dataset has
// one), `user 17 0.35` (a neighbour, named as the run names users), `term "space" 0.12`;
// components joined by "; ": `tfidf 0.61: <its reasons>`. Weights with 3 significant digits.
std::string render_reasons(const std::vector<Reason>& reasons, const Dataset& data, const UserNames& users);

}  // namespace tailrec
