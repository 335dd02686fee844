#pragma once
// Item embeddings from item text through a BERT checkpoint, shared by `bert` and
// `embedding_regression`: the parameters (model, fields, fusion, pooling, normalize, max_length,
// batch_size, precision, cache), their checks, and one matrix [items x dim] per catalog with a zero
// row for every item without text. Field fusion:
//   concat: the item's non-empty fields joined with ". " (in `fields` order) and encoded as one text;
//   mean:   every non-empty field encoded alone, e_i = sum_f w_f e_fi / sum_f w_f over those fields.
// Results go through the embedding cache (<cache dir>/embeddings) when FitContext.cache_dir is set.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/bert/text_embedder.hpp"
#include "algorithms/content/item_features.hpp"
#include "algorithms/content/text_fields.hpp"
#include "framework/model/algorithm.hpp"

namespace tailrec {

enum class FieldFusion { Concat, Mean };

struct TextEmbeddingSettings {
  std::filesystem::path model;  // resolved checkpoint folder
  FieldSelection fields;
  FieldFusion fusion = FieldFusion::Concat;
  EmbedOptions embed;  // pooling, normalize, max_length, batch_size, precision; threads and cuda set at fit
  bool cache = true;
};

// model, fields, fusion, pooling, normalize, max_length, batch_size, precision, cache.
std::vector<ParamSpec> text_embedding_params();
// Checks the parameters of text_embedding_params() and resolves the model folder.
TextEmbeddingSettings parse_text_embedding_settings(const Params& params);

struct ItemEmbeddings {
  Embeddings matrix;        // num_items x dim, float32
  int32_t empty_items = 0;  // items with no text in any selected field: zero rows
};

// Encodes (or loads from the cache) one embedding per catalog item; logs cache hits and misses
// ("embedding cache hit: <path>", "embedding cache miss: encoded N texts in S s, stored <path>").
ItemEmbeddings embed_item_texts(const TextEmbeddingSettings& settings, const FitContext& context,
                                std::string_view algorithm);

}  // namespace tailrec
