#pragma once
// The one compressed-sparse-row matrix of the project: training values as the neighbourhood models,
// EASE and the GPU similarity paths read them (rows ascending, column indices ascending in a row).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "framework/data/interactions.hpp"

namespace tailrec {

// What a stored interaction contributes: x = 1 (binary) or x = its rating.
enum class ValueMode { Binary, Rating };
ValueMode parse_value_mode(const std::string& text);

// Compressed sparse rows; column indices are ascending within each row.
struct CsrMatrix {
  int32_t rows = 0;
  int32_t cols = 0;
  std::vector<int64_t> indptr{0};
  std::vector<int32_t> indices;
  std::vector<float> values;

  int64_t nnz() const { return static_cast<int64_t>(indices.size()); }
  int32_t row_size(int32_t r) const {
    return static_cast<int32_t>(indptr[static_cast<size_t>(r) + 1] - indptr[static_cast<size_t>(r)]);
  }
  std::span<const int32_t> indices_of(int32_t r) const {
    return {indices.data() + indptr[static_cast<size_t>(r)], static_cast<size_t>(row_size(r))};
  }
  std::span<const float> values_of(int32_t r) const {
    return {values.data() + indptr[static_cast<size_t>(r)], static_cast<size_t>(row_size(r))};
  }
};

// m[r, c], or 0 when it is not stored (a binary search: columns are ascending within a row).
float value_at(const CsrMatrix& m, int32_t r, int32_t c);

// The users x items training matrix with x = 1 or x = the rating.
CsrMatrix interaction_matrix(const Interactions& train, ValueMode mode);
// Rows `users` of interaction_matrix(data, mode), in that order (row b = user users[b]); a user
// beyond data's rows gets an empty row. Fold-in scoring reads a block's histories with it.
CsrMatrix interaction_rows(const Interactions& data, std::span<const int32_t> users, ValueMode mode);
// Rows become columns (indices stay ascending).
CsrMatrix transpose(const CsrMatrix& m);
// sqrt(sum of squares) of every row, in double.
std::vector<double> row_norms(const CsrMatrix& m);

}  // namespace tailrec
