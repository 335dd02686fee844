#pragma once
// `embedding_regression`: ridge regression of ratings on [user embedding, item embedding, 1], with
// item embeddings from BERT or from TF-IDF reduced by truncated SVD (docs/algorithms/content.md).
#include "framework/config/registries.hpp"

namespace tailrec {
void register_embedding_regression(Registries& registries);
}  // namespace tailrec
