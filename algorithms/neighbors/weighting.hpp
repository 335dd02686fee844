#pragma once
// IR feature weighting of the interaction matrix before item-item similarity, exactly as Dacrema
// et al.'s RecSys 2019 code (Base/IR_feature_weighting.py, applied by ItemKNNCFRecommender to the
// transposed URM): the ITEM x USER matrix is weighted, so items are the "documents" and users the
// "terms". With I = number of items (every catalog item), n_u = stored entries of user u,
// len_i = Σ_u x_ui and avg = (Σ_i len_i) / I:
//   idf_u          = ln(I / (1 + n_u))
//   tfidf: w_ui    = sqrt(x_ui) · idf_u
//   bm25:  w_ui    = x_ui · (k1 + 1) / (k1 · ((1 − b) + b · len_i / avg) + x_ui) · idf_u
#include <string>

#include "algorithms/neighbors/similarity.hpp"

namespace tailrec {

enum class Weighting { None, TfIdf, Bm25 };
Weighting parse_weighting(const std::string& text);

// Both take and return the users x items matrix (only the values change).
CsrMatrix tfidf_weighting(const CsrMatrix& user_item);
CsrMatrix bm25_weighting(const CsrMatrix& user_item, double k1, double b);

// bm25's document lengths len_i and their mean avg, as bm25_weighting computes them.
struct ItemLengths {
  std::vector<double> length;
  double average = 0;
};
ItemLengths item_lengths(const CsrMatrix& user_item);
// bm25 with the lengths of another matrix: the rows of users outside the matrix a model was fitted
// on (fold-in histories) weighted with the fitted matrix's lengths. tfidf needs no such variant:
// idf_u depends only on the user's own row and the catalog size.
CsrMatrix bm25_weighting(const CsrMatrix& user_item, double k1, double b, const ItemLengths& lengths);

}  // namespace tailrec
