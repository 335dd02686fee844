#pragma once
// Dense item embeddings from text without a language model: the fused TF-IDF item matrix of
// algorithms/content/item_features.hpp (english tokenizer, sublinear tf, as tfidf's defaults)
// reduced to `dimensions` by randomized truncated SVD, e_i = (X V_k)_i = (U_k S_k)_i, the LSA
// coordinates of item i. Items without text get a zero row.
#include <cstdint>
#include <vector>

#include "algorithms/content/item_features.hpp"
#include "algorithms/language_model/embeddings.hpp"

namespace tailrec {

class Logger;

struct TfidfSvdEmbedding {
  Embeddings matrix;        // items x min(dimensions, items, terms)
  int32_t empty_items = 0;
  int64_t terms = 0;
};

TfidfSvdEmbedding tfidf_svd_embedding(const ItemContent& content, const std::vector<FieldWeight>& fields,
                                      int dimensions, uint64_t seed, int threads, Logger& log);

}  // namespace tailrec
