#pragma once
// The Algorithm behind gmf, mlp, neumf and bpr_mf: reads its parameters, builds or loads the
// network, trains it (neumf: after pretraining a gmf and an mlp) and scores with it.
#include <memory>

#include "algorithms/torch/ncf_network.hpp"
#include "framework/model/algorithm.hpp"

namespace tailrec {

// `params` were resolved against the schema of `kind` (register_neural.cpp).
std::unique_ptr<Algorithm> make_neural_recommender(NcfKind kind, const Params& params);

}  // namespace tailrec
