#pragma once
// `tailrec report`, the Replay section of a protocol=replay context (docs/replay.md): the per-round
// table (hit rate, precision, tail share of hits, coverage so far, cumulative hits per setting),
// the updates each setting made, and the plots over rounds (hit rate, cumulative hits, coverage so
// far, the adaptive weights). Read from replay_rounds.tsv and replay_state.tsv, never computed anew.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiments/report/data.hpp"
#include "experiments/report/plots.hpp"

namespace tailrec {

// Per round index (ReplayTable::rounds), the mean over the setting's runs that hold the round.
struct ReplaySeries {
  std::string setting;
  std::vector<double> hit_rate, precision, tail_share_of_hits, coverage_so_far, cumulative_hits;
  std::vector<bool> present;  // a run of the setting has the round
  // Over the setting's runs (means): from metrics.json.
  double incremental_updates = 0, refits = 0, update_seconds = 0;
  size_t runs = 0;  // runs with replay_rounds.tsv rows for the label
};

// One component weight of an adaptive setting (replay_state.tsv "weight:<component>"), per round.
struct WeightTrace {
  std::string setting;
  std::string component;       // "tfidf"
  std::vector<double> values;  // per round index, mean over runs; NaN where no run has it
};

struct ReplayTable {
  std::string title;
  int k = 0;
  std::string by;                  // "time" | "count"
  int64_t initial_train = -1;      // interactions before round 1 (-1: unknown)
  std::vector<int64_t> rounds;     // round numbers present, ascending
  // Per round index, from the first run that has the round (the rounds come from the split, which
  // the context's runs share).
  std::vector<int64_t> start, end, interactions, evaluated_users;
  std::vector<ReplaySeries> series;  // settings with rows, in the context's order
  std::vector<WeightTrace> weights;  // in the settings' order, components by first appearance
  size_t max_runs = 0;               // most runs behind one setting (> 1: the cells are means)
};

// nullopt unless the context's runs are replay runs with replay_rounds.tsv.
std::optional<ReplayTable> replay_table(const ReportData& data, const Context& context);

// hit rate, cumulative hits and coverage so far per round (one curve per setting), plus the weights
// (one curve per component of each adaptive setting) when replay_state.tsv has weight:* rows.
// Stems are replay_hit_rate, replay_cumulative_hits, replay_coverage, replay_weights + suffix.
std::vector<PlotSource> replay_plots(const ReplayTable& table, const std::string& suffix, const ColourMap& colours);

// "2016-03-01 – 2016-06-12" (UTC dates; one date when both fall on the same day).
std::string replay_window(int64_t start, int64_t end);

// The section body (without its heading): what a round is, the per-round table, the updates.
std::string replay_markdown(const ReplayTable& table);
std::string replay_html(const ReplayTable& table);

}  // namespace tailrec
