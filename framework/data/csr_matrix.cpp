#include "framework/data/csr_matrix.hpp"

#include <algorithm>
#include <cmath>

#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

ValueMode parse_value_mode(const std::string& text) {
  if (text == "binary") return ValueMode::Binary;
  if (text == "rating") return ValueMode::Rating;
  fail("values '{}' is not binary or rating{}", text, did_you_mean(text, {"binary", "rating"}));
}

float value_at(const CsrMatrix& m, int32_t r, int32_t c) {
  const auto cols = m.indices_of(r);
  const auto it = std::lower_bound(cols.begin(), cols.end(), c);
  return it != cols.end() && *it == c ? m.values_of(r)[static_cast<size_t>(it - cols.begin())] : 0.0f;
}

CsrMatrix interaction_matrix(const Interactions& train, ValueMode mode) {
  CsrMatrix m;
  m.rows = train.num_users();
  m.cols = train.num_items();
  m.indptr = train.indptr();
  m.indices = train.indices();
  if (mode == ValueMode::Rating) m.values = train.values();
  else m.values.assign(train.indices().size(), 1.0f);
  return m;
}

CsrMatrix interaction_rows(const Interactions& data, std::span<const int32_t> users, ValueMode mode) {
  CsrMatrix m;
  m.rows = static_cast<int32_t>(users.size());
  m.cols = data.num_items();
  for (int32_t user : users) {
    if (user >= 0 && user < data.num_users()) {
      const auto items = data.items_of(user);
      const auto values = data.values_of(user);
      m.indices.insert(m.indices.end(), items.begin(), items.end());
      if (mode == ValueMode::Rating) m.values.insert(m.values.end(), values.begin(), values.end());
      else m.values.insert(m.values.end(), items.size(), 1.0f);
    }
    m.indptr.push_back(static_cast<int64_t>(m.indices.size()));
  }
  return m;
}

CsrMatrix transpose(const CsrMatrix& m) {
  CsrMatrix t;
  t.rows = m.cols;
  t.cols = m.rows;
  t.indptr.assign(static_cast<size_t>(m.cols) + 1, 0);
  for (int32_t c : m.indices) ++t.indptr[static_cast<size_t>(c) + 1];
  for (size_t c = 0; c < static_cast<size_t>(m.cols); ++c) t.indptr[c + 1] += t.indptr[c];
  t.indices.resize(m.indices.size());
  t.values.resize(m.values.size());
  std::vector<int64_t> next(t.indptr.begin(), t.indptr.end() - 1);
  // Rows are visited in ascending order, so each transposed row comes out sorted.
  for (int32_t r = 0; r < m.rows; ++r) {
    const auto cols = m.indices_of(r);
    const auto vals = m.values_of(r);
    for (size_t k = 0; k < cols.size(); ++k) {
      const auto at = static_cast<size_t>(next[static_cast<size_t>(cols[k])]++);
      t.indices[at] = r;
      t.values[at] = vals[k];
    }
  }
  return t;
}

std::vector<double> row_norms(const CsrMatrix& m) {
  std::vector<double> norms(static_cast<size_t>(m.rows), 0.0);
  for (int32_t r = 0; r < m.rows; ++r) {
    double sum = 0;
    for (float v : m.values_of(r)) sum += static_cast<double>(v) * v;
    norms[static_cast<size_t>(r)] = std::sqrt(sum);
  }
  return norms;
}

}  // namespace tailrec
