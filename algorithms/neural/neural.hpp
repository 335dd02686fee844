#pragma once
// The neural recommenders: gmf, mlp and neumf (He et al., "Neural Collaborative Filtering", WWW
// 2017) and bpr_mf (Rendle et al., UAI 2009), trained with libtorch (algorithms/torch/ncf_network).
#include "framework/config/registries.hpp"

namespace tailrec {
void register_neural(Registries& registries);
}  // namespace tailrec
