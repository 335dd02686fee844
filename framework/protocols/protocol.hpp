#pragma once
// Evaluation protocols: which items each user's list is drawn from, what counts as relevant, and
// which evaluation loop runs them. A protocol declares what it needs from the rest of the plan
// (ProtocolNeeds), so plan_experiment checks plans without naming any protocol or split.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/data/interactions.hpp"

namespace tailrec {

class EvaluationLoop;    // framework/run/evaluation_loop.hpp
class RankingProtocol;

// One list to rank. With full ranking `candidates` is empty and means "every catalog item not in
// the user's training data"; otherwise it lists the candidate items (relevant ones included).
struct EvalCase {
  int32_t user = 0;
  std::vector<int32_t> relevant;    // sorted ascending, not empty
  std::vector<int32_t> candidates;  // sorted ascending, distinct; empty = full ranking
  // Protocols that draw the negatives uniformly (CandidateSampling::uniform): how many items they
  // were drawn from (every item a full ranking would rank, less the relevant ones); 0 otherwise.
  int64_t sampled_from = 0;
};

// How a protocol's candidate lists sample the catalog. Every metric of such a run describes the
// sample, not the catalog: results mark them (docs/sampled_metrics.md).
struct CandidateSampling {
  nlohmann::json description;  // metrics.json "sampled": {"protocol", "negatives", "distribution", ...}
  // Each case's negatives are drawn uniformly without replacement from EvalCase::sampled_from items:
  // the assumption of the rank correction (Krichene & Rendle 2020). When false, `not_uniform` says why
  // the correction does not apply.
  bool uniform = false;
  std::string not_uniform;
};

struct ProtocolInput {
  const Dataset& data;                        // id maps, for files that name external ids
  const Interactions& train;
  const Interactions& test;
  std::optional<double> relevance_threshold;  // test ratings >= threshold are relevant
  uint64_t seed = 0;
};

// What a protocol needs from the split and the run settings; plan_experiment checks each one and
// reports `reason` (the protocol's own words) when the plan does not fit.
struct ProtocolNeeds {
  bool global_time_cut = false;         // the split must cut the log at one global time (Splitter::cuts_at_global_time)
  bool validation_carve_out = true;     // split.validation > 0 is allowed
  bool evaluate_on_validation = true;   // run.evaluate_on=validation is allowed
  std::string reason;                   // why, e.g. "cuts the later part of a global time split into rounds"
};

class Protocol {
 public:
  virtual ~Protocol();
  virtual nlohmann::json describe() const = 0;
  // Whether each case lists its candidates (sampled, fixed_negatives, impressions); false when a
  // case means the whole catalog (full ranking), where only a top-k list is kept.
  virtual bool has_candidate_lists() const { return false; }
  virtual ProtocolNeeds needs() const { return {}; }
  // How the candidate lists sample the catalog, or nullopt when they are not a sample of it (full
  // ranking; a dataset's own impressions).
  virtual std::optional<CandidateSampling> candidate_sampling() const { return std::nullopt; }
  // The loop that fits and evaluates every algorithm of a run under this protocol.
  virtual std::unique_ptr<EvaluationLoop> make_loop() const = 0;
  // This protocol as one set of cases over a single split, or null when it draws its lists
  // otherwise (round by round). A typed view instead of a cast.
  virtual const RankingProtocol* ranking() const { return nullptr; }
};

// A protocol that ranks one set of cases over one split; the single-split loop runs it.
class RankingProtocol : public Protocol {
 public:
  virtual std::vector<EvalCase> cases(const ProtocolInput& input) const = 0;
  // Sampled protocols follow the NCF rule: a candidate that ties a relevant item ranks above it.
  // Full ranking follows docs/metrics.md: ties by dense item index ascending.
  virtual bool relevant_loses_ties() const = 0;
  std::unique_ptr<EvaluationLoop> make_loop() const final;
  const RankingProtocol* ranking() const final { return this; }
};

// The relevant test items of a user (all, or rating >= threshold), sorted.
std::vector<int32_t> relevant_items(const Interactions& test, int32_t user, std::optional<double> threshold);

}  // namespace tailrec
