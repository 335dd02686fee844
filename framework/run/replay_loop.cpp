// The replay loop: every algorithm through the rounds of protocol=replay (framework/protocols/replay_protocol.hpp). Writes
// replay_rounds.tsv (one row per algorithm and round), replay_state.tsv (adaptive state per round),
// recommendations.tsv (the lists shown, with a hit column) and metrics.csv; metrics.json gets the
// pooled figures. docs/replay.md defines every column.
#include <chrono>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "framework/config/registries.hpp"
#include "framework/evaluation/evaluator.hpp"
#include "framework/metrics/exposure.hpp"
#include "framework/protocols/replay_protocol.hpp"
#include "framework/run/evaluation_loop.hpp"
#include "framework/run/experiment_plan.hpp"
#include "framework/run/tsv_table.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

namespace {

struct RoundCases {
  std::vector<EvalCase> cases;  // users active in the round with an earlier interaction (cold ones too with
                                // protocol.cold_users=evaluate)
  int32_t active = 0;           // users with an interaction in the round
  int32_t cold = 0;             // active users without an earlier interaction
};

RoundCases round_cases(const Interactions& known, const Interactions& round, std::optional<double> threshold,
                       bool evaluate_cold) {
  RoundCases out;
  for (int32_t u = 0; u < round.num_users(); ++u) {
    if (round.row_size(u) == 0) continue;
    ++out.active;
    if (known.row_size(u) == 0) {
      ++out.cold;
      if (!evaluate_cold) continue;
    }
    auto relevant = relevant_items(round, u, threshold);
    if (!relevant.empty()) out.cases.push_back(EvalCase{u, std::move(relevant), {}});
  }
  return out;
}

// What the shown lists of one round earned, and the exposure they add.
struct RoundFeedback {
  int64_t lists = 0, hits = 0, tail_hits = 0, users_with_hit = 0;
};

double ratio(int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : std::nan(""); }

class ReplayLoop final : public EvaluationLoop {
 public:
  explicit ReplayLoop(const ReplayProtocol& protocol) : protocol_(protocol) {}
  LoopOutcome run(const RunContext& run, const RunSplit& run_split) const override;

 private:
  const ReplayProtocol& protocol_;
};

LoopOutcome ReplayLoop::run(const RunContext& run, const RunSplit& run_split) const {
  const auto& plan = run.plan;
  const auto& data = run.data;
  auto& log = run.log;
  const auto& protocol = protocol_;
  const SplitResult& split = run_split.prepared.split;
  const auto rounds = replay_rounds(split.test, protocol.rounds(), protocol.by_time());
  if (rounds.empty()) fail("protocol=replay: the split left no later interactions to replay; lower split.ratio's cut");
  const auto num_users = static_cast<int32_t>(data.users.size());
  const auto num_items = static_cast<int32_t>(data.items.size());
  const int k = plan.list_length;
  log.info("protocol replay: {} rounds by {} over {} later interactions ({} .. {}); {} initial training interactions",
           rounds.size(), protocol.by_time() ? "time" : "count", split.test.size(), rounds.front().start,
           rounds.back().end, split.train.size());

  LoopOutcome outcome;
  const Interactions initial(split.train, num_users, num_items);
  outcome.tail = run_long_tail(plan, initial.item_user_counts());

  std::vector<std::string> metric_names;
  for (const auto& m : plan.metrics) metric_names.push_back(m->name());
  const std::string hit_rate_name = fmt::format("hit_rate@{}", k), precision_name = fmt::format("precision@{}", k);
  // Pooled over every list of every round; a configured precision@k is the mean over rounds instead.
  const std::string pooled_precision_name = "pooled_" + precision_name;
  const std::vector<std::string> summary_names{"hits",           hit_rate_name, pooled_precision_name, "tail_share_of_hits",
                                               "coverage_so_far", "gini_so_far"};
  // replay_rounds.tsv has its own precision@k column, equal to the configured metric's in a round.
  std::vector<bool> round_column(metric_names.size(), true);
  for (size_t m = 0; m < metric_names.size(); ++m) round_column[m] = metric_names[m] != precision_name;
  std::vector<std::string> round_columns{"algorithm",      "round",           "start",         "end",
                                         "interactions",   "active_users",    "cold_users",    "evaluated_users",
                                         "hits",           "users_with_hit",  "tail_hits",     hit_rate_name,
                                         precision_name,   "tail_share_of_hits", "coverage_so_far", "gini_so_far",
                                         "cumulative_hits", "cumulative_tail_hits", "cumulative_hit_rate", "update",
                                         "update_seconds"};
  for (size_t m = 0; m < metric_names.size(); ++m)
    if (round_column[m]) round_columns.push_back(metric_names[m]);
  TsvTable rounds_tsv(round_columns);
  TsvTable state_tsv({"algorithm", "round", "name", "value"});
  std::vector<std::string> recommendation_columns{"algorithm", "round", "user", "rank", "item", "score", "hit"};
  if (plan.explain) recommendation_columns.push_back("why");
  TsvTable recommendations(recommendation_columns);
  std::vector<std::string> metrics_columns{"algorithm", "name"};
  metrics_columns.insert(metrics_columns.end(), summary_names.begin(), summary_names.end());
  metrics_columns.insert(metrics_columns.end(), metric_names.begin(), metric_names.end());
  TsvTable metrics_csv(metrics_columns);
  outcome.header = {"algorithm", "hits", hit_rate_name, pooled_precision_name, "tail share of hits", "coverage so far",
                    "gini so far", "updates"};

  for (const auto& a : plan.algorithms) {
    auto algorithm = run.registries.algorithms.at(a.name).create(a.params);
    reset_peak_rss();
    // Matrices live on the heap: the one a model was fitted on keeps its address while the next is built.
    InteractionLog known_log = split.train;
    auto known = std::make_unique<Interactions>(known_log, num_users, num_items);
    log.info("{} ({}): fitting on the {} interactions before round 1", a.label, a.name, known->nnz());
    const auto t0 = std::chrono::steady_clock::now();
    algorithm->fit(fit_context(run, *known, nullptr, a.label));
    const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::vector<int64_t> exposure(static_cast<size_t>(num_items), 0);
    RoundFeedback total;
    int64_t evaluated = 0, incremental_updates = 0, refits = 0;
    int64_t without_list = 0;  // protocol.cold_users=evaluate: cold users (per round) the model gave no list
    double eval_seconds = 0, update_seconds_total = 0;
    std::vector<double> metric_sums(metric_names.size(), 0.0);
    std::vector<int64_t> metric_rounds(metric_names.size(), 0);
    nlohmann::json round_json = nlohmann::json::array();

    for (size_t r = 0; r < rounds.size(); ++r) {
      const auto& round = rounds[r];
      const int round_number = static_cast<int>(r) + 1;
      const Interactions round_matrix(round.log, num_users, num_items);
      const auto rc = round_cases(*known, round_matrix, plan.relevance_threshold, plan.evaluate_cold_users);
      // Popularity and head/tail as known before the round.
      MetricContext context;
      context.num_items = num_items;
      context.num_train_users = known->active_users();
      context.phi = known->item_user_counts();
      context.tail = run_long_tail(plan, context.phi);
      for (const auto& [name, value] : algorithm->state())
        state_tsv.add_row({a.label, fmt::format("{}", round_number), name, fmt::format("{:.17g}", value)});

      RoundFeedback feedback;
      std::vector<double> values(metric_names.size(), std::nan(""));
      if (!rc.cases.empty()) {
        EvaluationOptions options;
        options.threads = plan.threads;
        options.memory_budget_bytes = plan.memory_budget_bytes;
        options.list_length = k;
        options.fitted_on = known.get();  // cold users: an empty list from a model that knows nothing of them
        const auto e0 = std::chrono::steady_clock::now();
        const auto evaluation = evaluate(*algorithm, {*known, round_matrix, rc.cases, false, context}, plan.metrics, options);
        eval_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
        values = evaluation.values;
        without_list += static_cast<int64_t>(evaluation.uninformed_users.size());
        for (size_t c = 0; c < evaluation.case_users.size(); ++c) {
          const auto& relevant = rc.cases[c].relevant;
          const int32_t user = evaluation.case_users[c];
          int64_t user_hits = 0;
          for (int p = 0; p < std::min(evaluation.list_size[c], k); ++p) {
            const auto at = c * static_cast<size_t>(evaluation.list_length) + static_cast<size_t>(p);
            const int32_t item = evaluation.lists[at];
            const bool hit = std::binary_search(relevant.begin(), relevant.end(), item);
            ++exposure[static_cast<size_t>(item)];
            if (hit) {
              ++user_hits;
              if (context.tail.tail(item)) ++feedback.tail_hits;
            }
            std::vector<std::string> cells{a.label, fmt::format("{}", round_number), run.users(user),
                                           fmt::format("{}", p + 1), data.items.external(item),
                                           fmt::format("{:.7g}", evaluation.list_scores[at]), hit ? "1" : "0"};
            if (plan.explain) cells.push_back(why_cell(run, *algorithm, user, item));
            recommendations.add_row(cells);
          }
          ++feedback.lists;
          feedback.hits += user_hits;
          if (user_hits > 0) ++feedback.users_with_hit;
        }
      }
      total.lists += feedback.lists;
      total.hits += feedback.hits;
      total.tail_hits += feedback.tail_hits;
      total.users_with_hit += feedback.users_with_hit;
      evaluated += feedback.lists;
      for (size_t m = 0; m < values.size(); ++m)
        if (!std::isnan(values[m])) {
          metric_sums[m] += values[m];
          ++metric_rounds[m];
        }
      const auto shown = std::count_if(exposure.begin(), exposure.end(), [](int64_t n) { return n > 0; });
      const double coverage = static_cast<double>(shown) / num_items;
      const double gini = exposure_gini(exposure);

      // Feedback in: the model learns round t's interactions before round t + 1 (none after the last).
      std::string how = "none (last round)";
      double update_seconds = 0;
      if (r + 1 < rounds.size()) {
        InteractionLog next_log = known_log;
        next_log.reserve(known_log.size() + round.log.size());
        for (size_t row = 0; row < round.log.size(); ++row) next_log.append(round.log, row);
        auto next = std::make_unique<Interactions>(next_log, num_users, num_items);
        const auto u0 = std::chrono::steady_clock::now();
        const auto context_next = fit_context(run, *next, nullptr, a.label);
        const auto result = algorithm->update(UpdateContext{context_next, *known, round.log});
        update_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - u0).count();
        update_seconds_total += update_seconds;
        (result.incremental ? incremental_updates : refits) += 1;
        how = result.how;
        log.info("{} round {}: {} lists, {} hits; update with {} interactions: {} ({:.3f} s)", a.label, round_number,
                 feedback.lists, feedback.hits, round.log.size(), how, update_seconds);
        known = std::move(next);
        known_log = std::move(next_log);
      } else {
        log.info("{} round {}: {} lists, {} hits (last round, no update)", a.label, round_number, feedback.lists,
                 feedback.hits);
      }

      const double hit_rate = ratio(feedback.users_with_hit, feedback.lists);
      const double precision = ratio(feedback.hits, feedback.lists * k);
      const double tail_share = ratio(feedback.tail_hits, feedback.hits);
      std::vector<std::string> cells{a.label,
                                     fmt::format("{}", round_number),
                                     fmt::format("{}", round.start),
                                     fmt::format("{}", round.end),
                                     fmt::format("{}", round.log.size()),
                                     fmt::format("{}", rc.active),
                                     fmt::format("{}", rc.cold),
                                     fmt::format("{}", feedback.lists),
                                     fmt::format("{}", feedback.hits),
                                     fmt::format("{}", feedback.users_with_hit),
                                     fmt::format("{}", feedback.tail_hits),
                                     format_exact(hit_rate),
                                     format_exact(precision),
                                     format_exact(tail_share),
                                     format_exact(coverage),
                                     format_exact(gini),
                                     fmt::format("{}", total.hits),
                                     fmt::format("{}", total.tail_hits),
                                     format_exact(ratio(total.users_with_hit, total.lists)),
                                     how,
                                     fmt::format("{:.6f}", update_seconds)};
      for (size_t m = 0; m < values.size(); ++m)
        if (round_column[m]) cells.push_back(format_exact(values[m]));
      rounds_tsv.add_row(cells);
      round_json.push_back({{"round", round_number},
                            {"evaluated_users", feedback.lists},
                            {"hits", feedback.hits},
                            {"hit_rate", std::isnan(hit_rate) ? nlohmann::json(nullptr) : nlohmann::json(hit_rate)},
                            {"coverage_so_far", coverage},
                            {"update", how}});
    }

    // Pooled over every shown list of every round; the configured metrics are means over rounds.
    const auto shown = std::count_if(exposure.begin(), exposure.end(), [](int64_t n) { return n > 0; });
    const std::vector<double> summary{static_cast<double>(total.hits),
                                      ratio(total.users_with_hit, total.lists),
                                      ratio(total.hits, total.lists * k),
                                      ratio(total.tail_hits, total.hits),
                                      static_cast<double>(shown) / num_items,
                                      exposure_gini(exposure)};
    nlohmann::json values = nlohmann::json::object();
    std::vector<std::string> csv_row{a.label, a.name};
    for (size_t m = 0; m < summary.size(); ++m) {
      values[summary_names[m]] = std::isnan(summary[m]) ? nlohmann::json(nullptr) : nlohmann::json(summary[m]);
      csv_row.push_back(format_exact(summary[m]));
    }
    for (size_t m = 0; m < metric_names.size(); ++m) {
      const double mean = metric_rounds[m] > 0 ? metric_sums[m] / static_cast<double>(metric_rounds[m]) : std::nan("");
      values[metric_names[m]] = std::isnan(mean) ? nlohmann::json(nullptr) : nlohmann::json(mean);
      csv_row.push_back(format_exact(mean));
    }
    metrics_csv.add_row(csv_row);
    outcome.rows.push_back({a.label, fmt::format("{}", total.hits), format_metric_value(summary[1]),
                            format_metric_value(summary[2]), format_metric_value(summary[3]),
                            format_metric_value(summary[4]), format_metric_value(summary[5]),
                            fmt::format("{} incremental, {} refit", incremental_updates, refits)});
    outcome.results[a.label] = {{"name", a.name},
                                {"params", a.params.to_json()},
                                {"fit_seconds", fit_seconds},
                                {"eval_seconds", eval_seconds},
                                {"update_seconds", update_seconds_total},
                                {"peak_rss_mb", peak_rss_mb()},
                                {"evaluated_users", evaluated},
                                {"incremental_updates", incremental_updates},
                                {"refits", refits},
                                {"metrics", values},
                                {"rounds", round_json}};
    if (plan.evaluate_cold_users) {
      outcome.results[a.label]["cold_users_without_list"] = without_list;
      if (without_list > 0)
        log.warn("{}: {} has no information about cold users: {} of its lists (summed over rounds) are empty, each a "
                 "miss; they count as lists in hit_rate and evaluated_users",
                 a.label, a.name, without_list);
    }
    outcome.evaluated_cases = static_cast<size_t>(evaluated);
  }

  run.folder.write("replay_rounds.tsv", rounds_tsv.text());
  run.folder.write("replay_state.tsv", state_tsv.text());
  run.folder.write("recommendations.tsv", recommendations.text());
  run.folder.write("metrics.csv", metrics_csv.text());
  nlohmann::json windows = nlohmann::json::array();
  for (size_t r = 0; r < rounds.size(); ++r)
    windows.push_back({{"round", r + 1}, {"start", rounds[r].start}, {"end", rounds[r].end},
                       {"interactions", rounds[r].log.size()}});
  outcome.extra["cold_users"] = {
      {"policy", plan.evaluate_cold_users ? "evaluate" : "exclude"},
      {"definition", "users active in a round without an earlier interaction; counted per round in replay_rounds.tsv"},
      {"evaluated", plan.evaluate_cold_users}};
  outcome.extra["replay"] = {{"rounds", windows}, {"by", protocol.by_time() ? "time" : "count"},
                             {"initial_train", split.train.size()}};
  return outcome;
}

}  // namespace

std::unique_ptr<EvaluationLoop> ReplayProtocol::make_loop() const { return std::make_unique<ReplayLoop>(*this); }

}  // namespace tailrec
