#pragma once
// Fusion of several text fields into one TF-IDF item matrix: each field is vectorised on its own
// (own vocabulary, own idf), its rows L2-normalised and multiplied by the field's weight; the
// blocks are concatenated side by side (disjoint feature spaces) and every row is L2-normalised
// again. So a field's weight is its share of an item's direction, whatever its vocabulary size.
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/SparseCore>

#include "algorithms/content/tfidf_vectorizer.hpp"
#include "framework/data/interactions.hpp"

namespace tailrec {

struct FieldWeight {
  std::string field;
  double weight = 1;
};

// Items x terms, float; each row has unit L2 norm, or is empty when the item has no text.
using ItemMatrix = Eigen::SparseMatrix<float, Eigen::RowMajor, int32_t>;

struct ItemFeatures {
  struct Block {
    std::string field;
    double weight = 1;
    int32_t offset = 0;  // first column of this field's terms
    std::vector<std::string> vocabulary;
  };
  ItemMatrix matrix;
  std::vector<Block> blocks;
  int32_t empty_items = 0;  // items with no term in any field
};

// Fields must exist in `content` (callers check and report missing ones). `options.normalize`
// is forced on for the per-field rows.
ItemFeatures build_item_features(const ItemContent& content, const std::vector<FieldWeight>& fields,
                                 const TextPipelineOptions& pipeline, TfidfOptions options, int threads);

}  // namespace tailrec
