#pragma once
// `bert`: content-based recommendation from BERT item embeddings, scored against a user profile or
// by item-to-item kNN, like tfidf on dense vectors (docs/algorithms/content.md).
#include "framework/config/registries.hpp"

namespace tailrec {
void register_bert(Registries& registries);
}  // namespace tailrec
