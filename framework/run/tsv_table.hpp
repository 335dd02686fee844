#pragma once
// A tab-separated table with named columns: every table file a run writes (recommendations.tsv,
// metrics.csv, per_user_metrics.tsv.gz, the exposure and replay files) is one. Every cell (and column
// name) is escaped by escape_tsv_field (framework/util/escape.hpp: \t \n \r \\ \xHH) and every row
// has exactly one cell per column.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tailrec {

class TsvTable {
 public:
  explicit TsvTable(std::vector<std::string> columns);
  const std::vector<std::string>& columns() const { return columns_; }
  // Appends one row, its cells in column order (an internal error when the count differs).
  void add_row(std::initializer_list<std::string_view> cells);
  void add_row(const std::vector<std::string>& cells);
  size_t rows() const { return rows_; }
  // The header line, then the rows; every line ends in '\n'.
  std::string text() const;

 private:
  template <typename Cells>
  void append(const Cells& cells);
  std::vector<std::string> columns_;
  std::string body_;
  size_t rows_ = 0;
};

}  // namespace tailrec
