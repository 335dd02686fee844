#include "algorithms/neighbors/weighting.hpp"

#include <cmath>
#include <vector>

#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

// idf of every user (a "term" of the item x user matrix): ln(I / (1 + n_u)).
std::vector<double> user_idf(const CsrMatrix& user_item) {
  std::vector<double> idf(static_cast<size_t>(user_item.rows));
  for (int32_t u = 0; u < user_item.rows; ++u)
    idf[static_cast<size_t>(u)] = std::log(static_cast<double>(user_item.cols) / (1.0 + user_item.row_size(u)));
  return idf;
}

}  // namespace

Weighting parse_weighting(const std::string& text) {
  if (text == "none") return Weighting::None;
  if (text == "tfidf") return Weighting::TfIdf;
  if (text == "bm25") return Weighting::Bm25;
  fail("weighting '{}' is not none, tfidf or bm25{}", text, did_you_mean(text, {"none", "tfidf", "bm25"}));
}

CsrMatrix tfidf_weighting(const CsrMatrix& user_item) {
  CsrMatrix w = user_item;
  const auto idf = user_idf(user_item);
  for (int32_t u = 0; u < w.rows; ++u)
    for (int64_t at = w.indptr[static_cast<size_t>(u)]; at < w.indptr[static_cast<size_t>(u) + 1]; ++at) {
      const auto k = static_cast<size_t>(at);
      w.values[k] = static_cast<float>(std::sqrt(static_cast<double>(user_item.values[k])) * idf[static_cast<size_t>(u)]);
    }
  return w;
}

ItemLengths item_lengths(const CsrMatrix& user_item) {
  // Document (item) lengths and their mean over every catalog item, cold ones included.
  ItemLengths out;
  out.length.assign(static_cast<size_t>(user_item.cols), 0.0);
  double total = 0;
  for (size_t k = 0; k < user_item.indices.size(); ++k) {
    out.length[static_cast<size_t>(user_item.indices[k])] += user_item.values[k];
    total += user_item.values[k];
  }
  out.average = user_item.cols > 0 ? total / user_item.cols : 0.0;
  return out;
}

CsrMatrix bm25_weighting(const CsrMatrix& user_item, double k1, double b) {
  return bm25_weighting(user_item, k1, b, item_lengths(user_item));
}

CsrMatrix bm25_weighting(const CsrMatrix& user_item, double k1, double b, const ItemLengths& lengths) {
  CsrMatrix w = user_item;
  const auto idf = user_idf(user_item);
  const auto& length = lengths.length;
  const double average = lengths.average;
  for (int32_t u = 0; u < w.rows; ++u)
    for (int64_t at = w.indptr[static_cast<size_t>(u)]; at < w.indptr[static_cast<size_t>(u) + 1]; ++at) {
      const auto k = static_cast<size_t>(at);
      const double x = user_item.values[k];
      const double norm = (1.0 - b) + b * length[static_cast<size_t>(user_item.indices[k])] / average;
      w.values[k] = static_cast<float>(x * (k1 + 1.0) / (k1 * norm + x) * idf[static_cast<size_t>(u)]);
    }
  return w;
}

}  // namespace tailrec
