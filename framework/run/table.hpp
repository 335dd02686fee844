#pragma once
// Plain-text tables for the console (algorithms x metrics).
#include <string>
#include <vector>

namespace tailrec {

// Cells are escaped for the terminal (escape_terminal), then columns are padded to their widest cell; the first column is left-aligned, the rest right-aligned.
std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace tailrec
