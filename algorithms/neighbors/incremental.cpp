#include "algorithms/neighbors/incremental.hpp"

#include <algorithm>

#include "framework/util/error.hpp"

namespace tailrec {

std::vector<char> changed_columns(const CsrMatrix& before, const CsrMatrix& after) {
  if (before.rows != after.rows || before.cols != after.cols)
    fail("changed_columns: a {}x{} matrix compared with a {}x{} one; both must cover the same catalog",
         before.rows, before.cols, after.rows, after.cols);
  std::vector<char> changed(static_cast<size_t>(after.cols), 0);
  for (int32_t r = 0; r < after.rows; ++r) {
    // Both rows are sorted by column: one merge finds the entries that differ.
    const auto a = before.indices_of(r), b = after.indices_of(r);
    const auto av = before.values_of(r), bv = after.values_of(r);
    size_t p = 0, q = 0;
    while (p < a.size() || q < b.size()) {
      if (q == b.size() || (p < a.size() && a[p] < b[q])) {
        changed[static_cast<size_t>(a[p++])] = 1;
      } else if (p == a.size() || b[q] < a[p]) {
        changed[static_cast<size_t>(b[q++])] = 1;
      } else {
        if (av[p] != bv[q]) changed[static_cast<size_t>(b[q])] = 1;
        ++p, ++q;
      }
    }
  }
  return changed;
}

namespace {

// Marks the columns of every row of `m` that holds a marked column.
void mark_rows_holding(const CsrMatrix& m, const std::vector<char>& marked, std::vector<char>& out) {
  for (int32_t r = 0; r < m.rows; ++r) {
    const auto cols = m.indices_of(r);
    const bool holds = std::any_of(cols.begin(), cols.end(), [&](int32_t c) { return marked[static_cast<size_t>(c)] != 0; });
    if (holds)
      for (int32_t c : cols) out[static_cast<size_t>(c)] = 1;
  }
}

}  // namespace

std::vector<char> columns_sharing_a_row(const CsrMatrix& before, const CsrMatrix& after, const std::vector<char>& marked) {
  std::vector<char> out = marked;
  // A row that did not change is the same in both; a changed row may have lost or gained columns,
  // so both versions count.
  mark_rows_holding(before, marked, out);
  mark_rows_holding(after, marked, out);
  return out;
}

std::vector<int32_t> marked_indices(const std::vector<char>& marks) {
  std::vector<int32_t> out;
  for (size_t i = 0; i < marks.size(); ++i)
    if (marks[i] != 0) out.push_back(static_cast<int32_t>(i));
  return out;
}

}  // namespace tailrec
