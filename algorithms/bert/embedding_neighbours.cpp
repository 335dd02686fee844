#include "algorithms/bert/embedding_neighbours.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Core>

#include "framework/util/parallel.hpp"

namespace tailrec {

namespace {
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr int64_t kBlock = 256;  // rows per dense product: 256 x 9.7k floats = 10 MB on ml-latest-small
}  // namespace

Embeddings unit_rows(const Embeddings& embeddings) {
  Embeddings unit = embeddings;
  for (int64_t r = 0; r < unit.rows; ++r) {
    float* row = unit.values.data() + r * unit.dim;
    double squares = 0;
    for (int64_t d = 0; d < unit.dim; ++d) squares += static_cast<double>(row[d]) * row[d];
    if (squares == 0) continue;
    const double inv = 1.0 / std::sqrt(squares);
    for (int64_t d = 0; d < unit.dim; ++d) row[d] = static_cast<float>(row[d] * inv);
  }
  return unit;
}

ItemNeighbours nearest_items(const Embeddings& unit, int32_t k, int threads) {
  const int64_t items = unit.rows;
  const Eigen::Map<const RowMatrix> all(unit.values.data(), items, unit.dim);
  std::vector<std::vector<std::pair<int32_t, float>>> lists(static_cast<size_t>(items));
  parallel_chunks(items, kBlock, threads, [&](int64_t begin, int64_t end) {
    const RowMatrix similarity = all.middleRows(begin, end - begin) * all.transpose();
    std::vector<std::pair<int32_t, float>> candidates;
    for (int64_t j = begin; j < end; ++j) {
      candidates.clear();
      const float* row = similarity.data() + (j - begin) * items;
      for (int64_t i = 0; i < items; ++i)
        if (i != j && row[i] > 0) candidates.emplace_back(static_cast<int32_t>(i), row[i]);
      const auto better = [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      };
      const size_t keep = std::min(candidates.size(), static_cast<size_t>(k));
      std::partial_sort(candidates.begin(), candidates.begin() + static_cast<long>(keep), candidates.end(), better);
      lists[static_cast<size_t>(j)].assign(candidates.begin(), candidates.begin() + static_cast<long>(keep));
    }
  });
  ItemNeighbours n;
  n.begin.assign(static_cast<size_t>(items) + 1, 0);
  for (size_t j = 0; j < lists.size(); ++j) n.begin[j + 1] = n.begin[j] + static_cast<int64_t>(lists[j].size());
  n.item.reserve(static_cast<size_t>(n.begin.back()));
  n.similarity.reserve(static_cast<size_t>(n.begin.back()));
  for (const auto& list : lists)
    for (const auto& [i, s] : list) n.item.push_back(i), n.similarity.push_back(s);
  return n;
}

}  // namespace tailrec
