#pragma once
// Head/tail partition of the catalog from training popularity phi (docs/metrics.md, "Long tail").
#include <cstdint>
#include <string>
#include <vector>

namespace tailrec {

struct LongTail {
  std::vector<uint8_t> is_tail;  // per catalog item: 1 = tail, 0 = head
  int32_t head_count = 0;
  int32_t tail_count = 0;
  std::string definition;        // e.g. "pareto(share=0.8)"

  bool tail(int32_t item) const { return is_tail[static_cast<size_t>(item)] != 0; }
};

// share must be in (0, 1] and x in [0, 1] (else tailrec::Error). x * |I| and share * sum(phi) are
// snapped to an integer when within rounding error of one (0.07 * 100 means 7, not 7.000000000000001).
// pareto(share): head = shortest prefix of items by phi desc (ties by dense index) whose cumulative
// phi reaches share * sum(phi). Items with phi = 0 are always tail.
LongTail pareto_tail(const std::vector<int32_t>& phi, double share = 0.8);
// top_fraction(x): head = the ceil(x * |I|) most popular items.
LongTail top_fraction_tail(const std::vector<int32_t>& phi, double fraction = 0.2);
// bottom_fraction(x): tail = the ceil(x * |I|) least popular items, head = the rest.
LongTail bottom_fraction_tail(const std::vector<int32_t>& phi, double fraction = 0.1);

}  // namespace tailrec
