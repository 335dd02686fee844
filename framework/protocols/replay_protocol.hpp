#pragma once
// protocol=replay: a simulation of the feedback loop on a timestamped log. The later part of a
// temporal_global split is cut into rounds. At round t the model, fitted on everything before t,
// recommends top-k to the users active in t who have a history; the shown items they interacted
// with during t are the positive feedback (hits). The model is then brought up to date with round
// t's interactions (Algorithm::update: incremental where the algorithm can, else a refit) and the
// next round starts. See docs/replay.md.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/config/params.hpp"
#include "framework/data/interactions.hpp"
#include "framework/protocols/protocol.hpp"

namespace tailrec {

class ReplayProtocol final : public Protocol {
 public:
  explicit ReplayProtocol(const Params& params);
  int rounds() const { return rounds_; }
  bool by_time() const { return by_time_; }
  nlohmann::json describe() const override;
  // The rounds are the later part of one global time cut; the loop has no validation carve-out.
  ProtocolNeeds needs() const override;
  // The replay loop (framework/run/replay_loop.cpp) draws its lists round by round.
  std::unique_ptr<EvaluationLoop> make_loop() const override;

 private:
  Params params_;
  int rounds_ = 10;
  bool by_time_ = true;
};

struct ReplayRound {
  InteractionLog log;          // the round's interactions, in time order
  int64_t start = 0, end = 0;  // its first and last timestamp
};

// Cuts `later` (every row timestamped) into at most `rounds` rounds in time order. by_time: equal
// time windows between the first and the last timestamp (the last window includes its end);
// otherwise equal interaction counts, a boundary moving forward so that equal timestamps stay in
// one round. Empty rounds are dropped, so fewer rounds may come back.
std::vector<ReplayRound> replay_rounds(const InteractionLog& later, int rounds, bool by_time);

}  // namespace tailrec
