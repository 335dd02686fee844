#include "algorithms/content/item_features.hpp"

#include <cmath>

namespace tailrec {

ItemFeatures build_item_features(const ItemContent& content, const std::vector<FieldWeight>& fields,
                                 const TextPipelineOptions& pipeline, TfidfOptions options, int threads) {
  options.normalize = true;
  const int32_t items = content.num_items();
  ItemFeatures features;
  std::vector<TfidfMatrix> blocks;
  int32_t columns = 0;
  for (const auto& f : fields) {
    TfidfVectorizer vectorizer{TextPipeline(pipeline), options};
    std::vector<std::string> texts(static_cast<size_t>(items));
    for (int32_t i = 0; i < items; ++i) texts[static_cast<size_t>(i)] = content.value(f.field, i);
    blocks.push_back(vectorizer.fit_transform(texts, threads));
    features.blocks.push_back({f.field, f.weight, columns, vectorizer.vocabulary()});
    columns += static_cast<int32_t>(vectorizer.vocabulary().size());
  }

  // Row by row: weighted field blocks side by side, then one more L2 normalisation.
  ItemMatrix matrix(items, columns);
  Eigen::VectorXi nnz = Eigen::VectorXi::Zero(items);
  for (const auto& b : blocks)
    for (int32_t i = 0; i < items; ++i) nnz[i] += static_cast<int>(b.outerIndexPtr()[i + 1] - b.outerIndexPtr()[i]);
  matrix.reserve(nnz);
  std::vector<std::pair<int32_t, double>> row;
  for (int32_t i = 0; i < items; ++i) {
    row.clear();
    double squares = 0;
    for (size_t f = 0; f < blocks.size(); ++f) {
      for (TfidfMatrix::InnerIterator it(blocks[f], i); it; ++it) {
        const double v = it.value() * features.blocks[f].weight;
        row.emplace_back(features.blocks[f].offset + static_cast<int32_t>(it.col()), v);
        squares += v * v;
      }
    }
    if (squares == 0) {
      ++features.empty_items;
      continue;
    }
    const double inv = 1.0 / std::sqrt(squares);
    for (const auto& [t, v] : row) matrix.insert(i, t) = static_cast<float>(v * inv);
  }
  matrix.makeCompressed();
  features.matrix = std::move(matrix);
  return features;
}

}  // namespace tailrec
