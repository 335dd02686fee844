#include "experiments/commands.hpp"
#include "framework/error.hpp"

namespace tailrec {
int data_command(const std::string&, const std::string&, const std::string&) {
  fail("PLACEHOLDER until datasets/catalog lands");
}
}  // namespace tailrec
