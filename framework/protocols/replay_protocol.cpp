#include "framework/protocols/replay_protocol.hpp"

#include <algorithm>
#include <numeric>

#include "framework/util/error.hpp"

namespace tailrec {

ReplayProtocol::ReplayProtocol(const Params& params)
    : params_(params), rounds_(static_cast<int>(params.integer("rounds"))), by_time_(params.text("by") == "time") {}

ProtocolNeeds ReplayProtocol::needs() const {
  ProtocolNeeds needs;
  needs.global_time_cut = true;
  needs.validation_carve_out = false;
  needs.evaluate_on_validation = false;
  needs.reason = "cuts the later part of a global time split into rounds and evaluates them (use split=temporal_global, "
                 "split.validation=0 and run.evaluate_on=test)";
  return needs;
}

nlohmann::json ReplayProtocol::describe() const {
  nlohmann::json out = {{"name", "replay"}};
  out.update(params_.to_json());
  return out;
}

std::vector<ReplayRound> replay_rounds(const InteractionLog& later, int rounds, bool by_time) {
  if (rounds < 1) fail("protocol.rounds = {} must be at least 1", rounds);
  if (later.size() > 0 && !later.has_timestamps())
    fail("protocol=replay needs timestamps on every interaction; this dataset has none");
  // Rows in (time, user, item) order: rounds and the rows inside them do not depend on file order.
  std::vector<size_t> order(later.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (later.timestamps[a] != later.timestamps[b]) return later.timestamps[a] < later.timestamps[b];
    if (later.users[a] != later.users[b]) return later.users[a] < later.users[b];
    return later.items[a] < later.items[b];
  });
  std::vector<int> round_of(order.size(), 0);
  if (!order.empty()) {
    const int64_t first = later.timestamps[order.front()];
    const int64_t last = later.timestamps[order.back()];
    if (by_time) {
      // Window r covers [first + r w, first + (r + 1) w) with w = (last - first) / rounds; the last
      // timestamp belongs to the last window. Computed in long double: timestamps may be large.
      const long double width = static_cast<long double>(last - first) / rounds;
      for (size_t p = 0; p < order.size(); ++p) {
        const auto offset = static_cast<long double>(later.timestamps[order[p]] - first);
        const int r = width > 0 ? static_cast<int>(offset / width) : 0;
        round_of[p] = std::min(r, rounds - 1);
      }
    } else {
      // Round r ends at position ceil((r + 1) n / rounds), moved past rows sharing the boundary's time.
      const size_t n = order.size();
      size_t begin = 0;
      for (int r = 0; r < rounds && begin < n; ++r) {
        size_t end = r + 1 == rounds ? n : (static_cast<size_t>(r + 1) * n + static_cast<size_t>(rounds) - 1) / static_cast<size_t>(rounds);
        end = std::max(end, begin + 1);
        while (end < n && later.timestamps[order[end]] == later.timestamps[order[end - 1]]) ++end;
        for (size_t p = begin; p < end; ++p) round_of[p] = r;
        begin = end;
      }
    }
  }
  std::vector<ReplayRound> out(static_cast<size_t>(rounds));
  for (size_t p = 0; p < order.size(); ++p) {
    auto& round = out[static_cast<size_t>(round_of[p])];
    const int64_t time = later.timestamps[order[p]];
    if (round.log.size() == 0) round.start = time;
    round.end = time;
    round.log.append(later, order[p]);
    round.log.has_ratings = later.has_ratings;
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const ReplayRound& r) { return r.log.size() == 0; }), out.end());
  return out;
}

}  // namespace tailrec
