#include "algorithms/neighbors/similarity.hpp"

#include <algorithm>
#include <cmath>

#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

void GramScratch::resize(int32_t partners) {
  dot.assign(static_cast<size_t>(partners), 0.0);
  count.assign(static_cast<size_t>(partners), 0);
  touched.clear();
}

void GramScratch::configure(const CsrMatrix& m, const CsrMatrix& by_column) {
  resize(by_column.cols);
  unit_values = std::all_of(m.values.begin(), m.values.end(), [](float v) { return v == 1.0f; });
  // Work of one average row = Σ_c (column size)² / rows; scanning all partners costs by_column.cols.
  double work = 0;
  for (int32_t c = 0; c < by_column.rows; ++c) work += static_cast<double>(by_column.row_size(c)) * by_column.row_size(c);
  scan = m.rows > 0 && work / m.rows >= 4.0 * by_column.cols;
}

void GramScratch::clear() {
  for (int32_t s : touched) {
    dot[static_cast<size_t>(s)] = 0.0;
    count[static_cast<size_t>(s)] = 0;
  }
  touched.clear();
}

void gram_row(const CsrMatrix& m, const CsrMatrix& by_column, int32_t r, GramScratch& scratch) {
  scratch.clear();
  const auto cols = m.indices_of(r);
  const auto vals = m.values_of(r);
  double* dot = scratch.dot.data();
  int32_t* count = scratch.count.data();
  for (size_t k = 0; k < cols.size(); ++k) {
    const auto partners = by_column.indices_of(cols[k]);
    const auto partner_values = by_column.values_of(cols[k]);
    const size_t size = partners.size();
    const int32_t* p = partners.data();
    if (scratch.unit_values && scratch.scan) {
      for (size_t q = 0; q < size; ++q) ++count[p[q]];
    } else if (scratch.scan) {
      const double a = vals[k];
      for (size_t q = 0; q < size; ++q) {
        ++count[p[q]];
        dot[p[q]] += a * partner_values[q];
      }
    } else {
      const double a = scratch.unit_values ? 1.0 : vals[k];
      for (size_t q = 0; q < size; ++q) {
        if (count[p[q]]++ == 0) scratch.touched.push_back(p[q]);
        dot[p[q]] += a * partner_values[q];
      }
    }
  }
  if (scratch.scan) {
    const auto partners = static_cast<int32_t>(scratch.count.size());
    for (int32_t s = 0; s < partners; ++s)
      if (count[s] > 0) {
        scratch.touched.push_back(s);
        if (scratch.unit_values) dot[s] = count[s];
      }
  }
}

void PearsonScratch::resize(int32_t partners) {
  cross.assign(static_cast<size_t>(partners), 0.0);
  self_sq.assign(static_cast<size_t>(partners), 0.0);
  partner_sq.assign(static_cast<size_t>(partners), 0.0);
  count.assign(static_cast<size_t>(partners), 0);
  touched.clear();
}

void PearsonScratch::clear() {
  for (int32_t s : touched) {
    const auto i = static_cast<size_t>(s);
    cross[i] = self_sq[i] = partner_sq[i] = 0.0;
    count[i] = 0;
  }
  touched.clear();
}

void pearson_row(const CsrMatrix& deviations, const CsrMatrix& by_column, int32_t r, PearsonScratch& scratch) {
  scratch.clear();
  const auto cols = deviations.indices_of(r);
  const auto vals = deviations.values_of(r);
  for (size_t k = 0; k < cols.size(); ++k) {
    const double a = vals[k];
    const auto partners = by_column.indices_of(cols[k]);
    const auto partner_values = by_column.values_of(cols[k]);
    for (size_t p = 0; p < partners.size(); ++p) {
      const auto s = static_cast<size_t>(partners[p]);
      const double b = partner_values[p];
      if (scratch.count[s]++ == 0) scratch.touched.push_back(partners[p]);
      scratch.cross[s] += a * b;
      scratch.self_sq[s] += a * a;
      scratch.partner_sq[s] += b * b;
    }
  }
}

double pearson_from_sums(double cross, double self_sq, double partner_sq) {
  const double denominator = std::sqrt(self_sq) * std::sqrt(partner_sq);
  return denominator > 0 ? cross / denominator : 0.0;
}

double cosine(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) fail("cosine of vectors of different lengths ({} and {})", a.size(), b.size());
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / (std::sqrt(na) * std::sqrt(nb)) : 0.0;
}

void keep_top_k(std::vector<Neighbor>& candidates, int64_t k) {
  const auto keep = static_cast<size_t>(std::clamp<int64_t>(k, 0, static_cast<int64_t>(candidates.size())));
  if (keep < candidates.size()) {
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<long>(keep), candidates.end(), more_similar);
    candidates.resize(keep);
  }
  std::sort(candidates.begin(), candidates.end(), more_similar);
}

CsrMatrix neighbor_matrix(const std::vector<std::vector<Neighbor>>& lists, int32_t cols) {
  CsrMatrix m;
  m.rows = static_cast<int32_t>(lists.size());
  m.cols = cols;
  m.indptr.assign(lists.size() + 1, 0);
  for (size_t r = 0; r < lists.size(); ++r) m.indptr[r + 1] = m.indptr[r] + static_cast<int64_t>(lists[r].size());
  m.indices.resize(static_cast<size_t>(m.indptr.back()));
  m.values.resize(static_cast<size_t>(m.indptr.back()));
  std::vector<Neighbor> sorted;
  for (size_t r = 0; r < lists.size(); ++r) {
    sorted = lists[r];
    std::sort(sorted.begin(), sorted.end(), [](const Neighbor& a, const Neighbor& b) { return a.index < b.index; });
    auto at = static_cast<size_t>(m.indptr[r]);
    for (const auto& n : sorted) {
      m.indices[at] = n.index;
      m.values[at++] = n.similarity;
    }
  }
  return m;
}

std::vector<std::vector<Neighbor>> transpose_lists(const std::vector<std::vector<Neighbor>>& lists, int32_t size) {
  std::vector<std::vector<Neighbor>> out(static_cast<size_t>(size));
  for (size_t r = 0; r < lists.size(); ++r)
    for (const auto& n : lists[r]) out[static_cast<size_t>(n.index)].push_back({static_cast<int32_t>(r), n.similarity});
  return out;
}

void add_weighted_rows(const CsrMatrix& weights, int32_t r, const CsrMatrix& rows, bool unit_rows, float* out) {
  const auto sources = weights.indices_of(r);
  const auto w = weights.values_of(r);
  for (size_t k = 0; k < sources.size(); ++k) {
    const float weight = w[k];
    const auto targets = rows.indices_of(sources[k]);
    if (unit_rows) {
      for (const auto t : targets) out[t] += weight;
      continue;
    }
    const auto values = rows.values_of(sources[k]);
    for (size_t t = 0; t < targets.size(); ++t) out[targets[t]] += weight * values[t];
  }
}

}  // namespace tailrec
