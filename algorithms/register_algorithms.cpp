#include "algorithms/register_algorithms.hpp"

#include "algorithms/baselines/baselines.hpp"
#include "algorithms/bert/bert.hpp"
#include "algorithms/content/content.hpp"
#include "algorithms/ease/ease.hpp"
#include "algorithms/embedding_regression/embedding_regression.hpp"
#include "algorithms/hybrid/hybrid.hpp"
#include "algorithms/neighbors/neighbors.hpp"
#include "algorithms/neural/neural.hpp"
#include "algorithms/rerank/rerank.hpp"
#include "algorithms/torch/torch_runtime.hpp"

namespace tailrec {

void register_algorithms(Registries& registries) {
  register_most_popular(registries);
  register_random(registries);
  register_tfidf(registries);
  register_user_knn(registries);
  register_item_knn(registries);
  register_ease(registries);
  register_neural(registries);
  register_bert(registries);
  register_embedding_regression(registries);
  register_hybrids(registries);
  register_rerank(registries);
}

RuntimeFacts algorithm_runtime_facts() { return {torch_cuda_available, torch_build_description}; }

}  // namespace tailrec
