#include "algorithms/embedding_regression/tfidf_svd_embedding.hpp"

#include "algorithms/embedding_regression/truncated_svd.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

TfidfSvdEmbedding tfidf_svd_embedding(const ItemContent& content, const std::vector<FieldWeight>& fields,
                                      int dimensions, uint64_t seed, int threads, Logger& log) {
  TfidfOptions tfidf;
  tfidf.sublinear_tf = true;
  const auto features = build_item_features(content, fields, TextPipelineOptions::english(), tfidf, threads);
  if (features.matrix.cols() == 0) fail("the item text fields hold no term at all");
  const Eigen::SparseMatrix<double, Eigen::RowMajor, int32_t> x = features.matrix.cast<double>();
  SvdOptions options;
  options.rank = dimensions;
  options.seed = seed;
  const auto svd = randomized_svd(x, options);
  const Eigen::Index rank = svd.s.size();
  if (rank < dimensions)
    log.warn("TF-IDF reduction: {} dimensions asked, the {} x {} matrix allows {}", dimensions, x.rows(), x.cols(), rank);
  log.info("TF-IDF reduction: {} items x {} terms -> {} dimensions, singular values {:.4f} .. {:.4f}", x.rows(),
           x.cols(), rank, rank > 0 ? svd.s(0) : 0.0, rank > 0 ? svd.s(rank - 1) : 0.0);

  TfidfSvdEmbedding out;
  out.empty_items = features.empty_items;
  out.terms = x.cols();
  out.matrix.rows = x.rows();
  out.matrix.dim = rank;
  out.matrix.values.resize(static_cast<size_t>(x.rows() * rank));
  // X V_k rather than U_k S_k (equal in exact arithmetic): rows of items without text stay exactly 0.
  const Eigen::MatrixXd coordinates = x * svd.v;
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index c = 0; c < rank; ++c)
      out.matrix.values[static_cast<size_t>(i * rank + c)] = static_cast<float>(coordinates(i, c));
  return out;
}

}  // namespace tailrec
