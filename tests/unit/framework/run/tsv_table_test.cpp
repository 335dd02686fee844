// TsvTable (every table file of a run) and the internal-invariant check it uses.
#include <gtest/gtest.h>

#include "framework/run/tsv_table.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"

namespace tailrec {
namespace {

TEST(TsvTable, HeaderThenRowsWithEscapedCells) {
  TsvTable table({"algorithm", "user", "why"});
  table.add_row({"a", "u1", "x"});
  table.add_row(std::vector<std::string>{"b\tc", "line\nbreak", "carriage\rreturn"});
  EXPECT_EQ(table.rows(), 2u);
  EXPECT_EQ(table.text(), "algorithm\tuser\twhy\na\tu1\tx\nb\\tc\tline\\nbreak\tcarriage\\rreturn\n");
  EXPECT_EQ(TsvTable({"only"}).text(), "only\n");
}

TEST(TsvTable, EmptyCellsKeepTheirColumns) {
  TsvTable table({"a", "b", "c"});
  table.add_row({"", "", ""});
  EXPECT_EQ(table.text(), "a\tb\tc\n\t\t\n");
}

// A row with the wrong number of cells is a bug in tailrec: an InternalError, which is not a user
// Error (main exits with 2 for it, 1 for user errors).
TEST(TsvTable, AWrongCellCountIsAnInternalError) {
  TsvTable table({"a", "b"});
  try {
    table.add_row({"only one"});
    FAIL() << "expected an internal error";
  } catch (const Error&) {
    FAIL() << "an internal error must not be a user error";
  } catch (const InternalError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("a bug in tailrec"), std::string::npos) << m;
    EXPECT_NE(m.find("tsv_table.cpp"), std::string::npos) << m;
    EXPECT_NE(m.find("a row of 1 cells for the 2 columns a,b"), std::string::npos) << m;
    EXPECT_NE(m.find("failed check: cells.size() == columns_.size()"), std::string::npos) << m;
  }
  EXPECT_EQ(table.rows(), 0u);
  EXPECT_THROW(TsvTable({}), InternalError);
}

TEST(Check, PassingChecksDoNothingAndUnreachableThrows) {
  EXPECT_NO_THROW(TAILREC_CHECK(1 + 1 == 2, "arithmetic"));
  EXPECT_THROW(TAILREC_UNREACHABLE("no {} here", "way"), InternalError);
}

}  // namespace
}  // namespace tailrec
