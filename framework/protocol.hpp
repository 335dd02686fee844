#pragma once
// Evaluation protocols: which items each user's list is drawn from and what counts as relevant.
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/interactions.hpp"

namespace tailrec {

// One list to rank. With full ranking `candidates` is empty and means "every catalog item not in
// the user's training data"; otherwise it lists the candidate items (relevant ones included).
struct EvalCase {
  int32_t user = 0;
  std::vector<int32_t> relevant;    // sorted ascending, not empty
  std::vector<int32_t> candidates;  // sorted ascending, distinct; empty = full ranking
};

struct ProtocolInput {
  const Dataset& data;                        // id maps, for files that name external ids
  const Interactions& train;
  const Interactions& test;
  std::optional<double> relevance_threshold;  // test ratings >= threshold are relevant
  uint64_t seed = 0;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual std::vector<EvalCase> cases(const ProtocolInput& input) const = 0;
  // Sampled protocols follow the NCF rule: a candidate that ties a relevant item ranks above it.
  // Full ranking follows METRICS.md: ties by dense item index ascending.
  virtual bool relevant_loses_ties() const = 0;
  // Whether each case lists its candidates (sampled, fixed_negatives, impressions); false when a
  // case means the whole catalog (full ranking), where only a top-k list is kept.
  virtual bool has_candidate_lists() const { return false; }
  virtual nlohmann::json describe() const = 0;
};

// The relevant test items of a user (all, or rating >= threshold), sorted.
std::vector<int32_t> relevant_items(const Interactions& test, int32_t user, std::optional<double> threshold);

}  // namespace tailrec
