#pragma once
// The k most similar items of every item by cosine of dense embeddings, as compact lists. Rows are
// compared a block at a time (one dense product of a block of unit rows with all unit rows), so
// memory stays at block x items floats per thread; blocks are fixed, so results do not depend on
// the thread count.
#include <cstdint>
#include <vector>

#include "algorithms/bert/text_embedder.hpp"

namespace tailrec {

struct ItemNeighbours {
  std::vector<int64_t> begin;  // items + 1 offsets into item / similarity
  std::vector<int32_t> item;
  std::vector<float> similarity;
};

// L2-normalised copy of the rows (zero rows stay zero).
Embeddings unit_rows(const Embeddings& embeddings);

// For each item j: the k items i != j with the largest positive cos(e_j, e_i), best first (ties:
// lower index first). `unit` must hold unit (or zero) rows.
ItemNeighbours nearest_items(const Embeddings& unit, int32_t k, int threads);

}  // namespace tailrec
