#pragma once
// `tailrec report`, the Cold start section: what a context's runs state about cold users and cold
// items (metrics.json "cold_users", "candidates", the split's counts and, per algorithm,
// "cold_users_without_list" and "scores_cold_items"), read as written, never inferred from a split's
// name. Shown when a run evaluated cold users or ranked cold candidates, or when the split states
// counts beyond its train/test/validation sizes (a split that holds items or users out).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "experiments/report/data.hpp"

namespace tailrec {

struct ColdStartRow {
  std::string setting;
  // metrics.json algorithms.<label>.scores_cold_items per run: 1 true, 0 false (absent: not stated).
  std::vector<double> scores_cold_items;
  // algorithms.<label>.cold_users_without_list per run (absent: not stated).
  std::vector<double> cold_users_without_list;
};

struct ColdStartSection {
  // (what, values per run that states it): "cold users", "cold user cases", "cold candidate items", ...
  std::vector<std::pair<std::string, std::vector<double>>> counts;
  std::vector<std::string> policies;   // "protocol.cold_users=evaluate", "protocol.candidates=cold" (distinct)
  size_t runs = 0;                     // the context's runs
  std::vector<ColdStartRow> rows;      // settings, in the context's order
  std::vector<std::string> blind_to_cold_items;   // settings with scores_cold_items false in some run
  std::vector<std::string> uninformed_of_cold_users;  // settings that left some cold user without a list
};

// nullopt when no run of the context has cold users, cold candidates or extra split counts.
std::optional<ColdStartSection> cold_start_section(const ReportData& data, const Context& context);

// The section body: the counts (one value, or mean (smallest–largest) over runs), the statements
// of which models could not score cold items and which had no information about cold users, and a
// per-setting table.
std::string cold_start_markdown(const ColdStartSection& section);
std::string cold_start_html(const ColdStartSection& section);

}  // namespace tailrec
