#pragma once
// What an exact incremental update of a neighbourhood model needs to know: which similarity rows
// new interactions can change. A similarity between two columns of a matrix (two users of the
// items x users matrix, two items of the users x items matrix) depends only on those two columns,
// so it can change only when one of them changed, and it is nonzero before or after only when the
// two share a row before or after. Every other row's neighbour list stays as it was.
#include <cstdint>
#include <vector>

#include "algorithms/neighbors/similarity.hpp"

namespace tailrec {

// Marks (1) every column whose entries differ between two matrices of the same shape: an entry
// added, removed, or stored with another value.
std::vector<char> changed_columns(const CsrMatrix& before, const CsrMatrix& after);

// Marks every column that shares a row with a `marked` column in `before` or in `after`, and the
// marked columns themselves: the columns whose similarity to a marked one may differ.
std::vector<char> columns_sharing_a_row(const CsrMatrix& before, const CsrMatrix& after, const std::vector<char>& marked);

// The marked positions, ascending.
std::vector<int32_t> marked_indices(const std::vector<char>& marks);

}  // namespace tailrec
