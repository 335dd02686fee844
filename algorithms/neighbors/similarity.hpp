#pragma once
// Building blocks of the neighbourhood models (user_knn, item_knn) and ease, over the CSR matrix of
// training values (framework/data/csr_matrix.hpp): one row of a Gram matrix at a time, and top-k
// neighbour selection.
// Each Gram row is computed on its own, in an order fixed by the data (the row's entries
// ascending, then the partner rows ascending), so a parallel fit gives bit-identical results for
// any thread count. Ties between neighbours break by the lower dense index.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "framework/data/csr_matrix.hpp"
#include "framework/data/interactions.hpp"

namespace tailrec {

// Accumulators for one Gram row, dense over the partner rows; clear() resets only what was touched.
// Two speed-ups that do not change any value: with `unit_values` (every stored value is 1) only the
// co-occurrence count is accumulated and dot = count; with `scan` the touched list is built by one
// pass over all partners after the accumulation instead of a branch per update (worth it when
// rows share columns with most partners, as in MovieLens). Choose both with configure().
struct GramScratch {
  std::vector<double> dot;
  std::vector<int32_t> count;    // co-occurrences: columns both rows store
  std::vector<int32_t> touched;  // partners with count > 0 (ascending when `scan`, else first-touch order)
  bool unit_values = false;
  bool scan = false;
  void resize(int32_t partners);
  // Sets unit_values and scan for Gram rows of `m` (by_column = transpose(m)).
  void configure(const CsrMatrix& m, const CsrMatrix& by_column);
  void clear();
};

// Row r of M·Mᵀ: for every row s sharing a column with r, dot[s] = Σ_c M[r,c]·M[s,c] and
// count[s] = number of shared columns. `by_column` must be transpose(m).
void gram_row(const CsrMatrix& m, const CsrMatrix& by_column, int32_t r, GramScratch& scratch);

// Accumulators for one Pearson row over co-rated columns.
struct PearsonScratch {
  std::vector<double> cross;       // Σ d_rc d_sc
  std::vector<double> self_sq;     // Σ d_rc²  over the columns r and s share
  std::vector<double> partner_sq;  // Σ d_sc²  over the columns r and s share
  std::vector<int32_t> count;
  std::vector<int32_t> touched;
  void resize(int32_t partners);
  void clear();
};

// Row r of the co-rated Pearson sums. `deviations` holds d_rc = rating − mean of row r (every
// stored entry), `by_column` is its transpose.
void pearson_row(const CsrMatrix& deviations, const CsrMatrix& by_column, int32_t r, PearsonScratch& scratch);

// Pearson correlation from the co-rated sums; 0 when either side has no variance there.
double pearson_from_sums(double cross, double self_sq, double partner_sq);

// The shrinkage for user_knn: sim · n / (n + shrink), n = co-rated count.
inline double shrink_by_support(double similarity, int32_t support, double shrink) {
  return shrink > 0 ? similarity * support / (support + shrink) : similarity;
}

// Dacrema et al.'s shrunk cosine (Compute_Similarity_Python): <a,b> / (|a|·|b| + shrink + 1e-6).
inline double shrunk_cosine(double dot, double norm_a, double norm_b, double shrink) {
  return dot / (norm_a * norm_b + shrink + 1e-6);
}

// Plain cosine of two dense vectors; 0 when either is all zeros.
double cosine(std::span<const double> a, std::span<const double> b);

struct Neighbor {
  int32_t index;
  float similarity;
};

// Most similar first: similarity descending, then dense index ascending (a total order).
inline bool more_similar(const Neighbor& a, const Neighbor& b) {
  return a.similarity > b.similarity || (a.similarity == b.similarity && a.index < b.index);
}

// Keeps the k most similar candidates (reordered in place), sorted by more_similar.
void keep_top_k(std::vector<Neighbor>& candidates, int64_t k);

// Neighbour lists as a CSR matrix (row r = lists[r], sorted by neighbour index so that sums over
// a row always run in the same order).
CsrMatrix neighbor_matrix(const std::vector<std::vector<Neighbor>>& lists, int32_t cols);

// Turns "r has neighbour c" lists into "c is a neighbour of r" lists (same similarities).
std::vector<std::vector<Neighbor>> transpose_lists(const std::vector<std::vector<Neighbor>>& lists, int32_t size);

// out[j] += Σ_k w_k · rows[i_k][j] over the entries (i_k, w_k) of weights' row `r`: the one sparse
// product both neighbourhood models score with. `unit_rows` skips loading rows' values (all 1).
void add_weighted_rows(const CsrMatrix& weights, int32_t r, const CsrMatrix& rows, bool unit_rows, float* out);

}  // namespace tailrec
