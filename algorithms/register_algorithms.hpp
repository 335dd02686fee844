#pragma once
// The list of algorithm registrations, in registration order (`tailrec list algorithms` sorts by name). Each
// X(name) declares `void register_<name>(Registries&)` (defined beside the algorithm, in its own
// .cpp) and makes register_algorithms() call it: adding an algorithm adds one name here.
// A family may register several algorithms in one function (neural: gmf, mlp, neumf, bpr_mf;
// hybrids: weighted, bayesian, switching, adaptive_hybrid).
#include "framework/config/registries.hpp"
#include "framework/config/runtime.hpp"

#define TAILREC_ALGORITHM_REGISTRATIONS(X) \
  X(most_popular)                          \
  X(random)                                \
  X(tfidf)                                 \
  X(user_knn)                              \
  X(item_knn)                              \
  X(ease)                                  \
  X(neural)                                \
  X(bert)                                  \
  X(embedding_regression)                  \
  X(hybrids)                               \
  X(rerank)

namespace tailrec {

#define TAILREC_DECLARE_REGISTRATION(name) void register_##name(Registries& registries);
TAILREC_ALGORITHM_REGISTRATIONS(TAILREC_DECLARE_REGISTRATION)
#undef TAILREC_DECLARE_REGISTRATION

// Calls every registration of the list above.
void register_algorithms(Registries& registries);
// What the algorithms' libtorch can do here (CUDA or not, which build).
RuntimeFacts algorithm_runtime_facts();

}  // namespace tailrec
