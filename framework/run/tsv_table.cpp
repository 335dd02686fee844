#include "framework/run/tsv_table.hpp"

#include "framework/util/check.hpp"
#include "framework/util/escape.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {
void append_escaped(std::string& out, std::string_view text) { out += escape_tsv_field(text); }
}  // namespace

TsvTable::TsvTable(std::vector<std::string> columns) : columns_(std::move(columns)) {
  TAILREC_CHECK(!columns_.empty(), "a table needs at least one column");
}

template <typename Cells>
void TsvTable::append(const Cells& cells) {
  TAILREC_CHECK(cells.size() == columns_.size(), "a row of {} cells for the {} columns {}", cells.size(),
                columns_.size(), join(columns_, ","));
  bool first = true;
  for (const auto& cell : cells) {
    if (!first) body_ += '\t';
    first = false;
    append_escaped(body_, cell);
  }
  body_ += '\n';
  ++rows_;
}

void TsvTable::add_row(std::initializer_list<std::string_view> cells) { append(cells); }
void TsvTable::add_row(const std::vector<std::string>& cells) { append(cells); }

std::string TsvTable::text() const {
  std::string out;
  out.reserve(body_.size() + 16 * columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c > 0) out += '\t';
    append_escaped(out, columns_[c]);
  }
  out += '\n';
  out += body_;
  return out;
}

}  // namespace tailrec
