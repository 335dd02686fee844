// protocol=replay: every algorithm through the rounds (framework/replay.hpp). Writes
// replay_rounds.tsv (one row per algorithm and round), replay_state.tsv (adaptive state per round),
// recommendations.tsv (the lists shown, with a hit column) and metrics.csv; metrics.json gets the
// pooled figures. docs/replay.md defines every column.
#include <chrono>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "framework/error.hpp"
#include "framework/evaluator.hpp"
#include "framework/exposure.hpp"
#include "framework/logger.hpp"
#include "framework/registries.hpp"
#include "framework/replay.hpp"
#include "framework/run_parts.hpp"
#include "framework/strings.hpp"
#include "framework/system_info.hpp"

namespace tailrec {

namespace {

struct RoundCases {
  std::vector<EvalCase> cases;  // users active in the round with an earlier interaction
  int32_t active = 0;           // users with an interaction in the round
  int32_t cold = 0;             // active users without an earlier interaction (not evaluated)
};

RoundCases round_cases(const Interactions& known, const Interactions& round, std::optional<double> threshold) {
  RoundCases out;
  for (int32_t u = 0; u < round.num_users(); ++u) {
    if (round.row_size(u) == 0) continue;
    ++out.active;
    if (known.row_size(u) == 0) {
      ++out.cold;
      continue;
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

std::string number(double v) { return std::isnan(v) ? std::string() : fmt::format("{:.17g}", v); }

double ratio(int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : std::nan(""); }

}  // namespace

AlgorithmsOutcome run_replay(const RunPieces& run, const SplitResult& split) {
  const auto& plan = run.plan;
  const auto& data = run.data;
  auto& log = run.log;
  const auto& protocol = dynamic_cast<const ReplayProtocol&>(*plan.protocol);
  const auto rounds = replay_rounds(split.test, protocol.rounds(), protocol.by_time());
  if (rounds.empty()) fail("protocol=replay: the split left no later interactions to replay; lower split.ratio's cut");
  const auto num_users = static_cast<int32_t>(data.users.size());
  const auto num_items = static_cast<int32_t>(data.items.size());
  const int k = plan.list_length;
  log.info("protocol replay: {} rounds by {} over {} later interactions ({} .. {}); {} initial training interactions",
           rounds.size(), protocol.by_time() ? "time" : "count", split.test.size(), rounds.front().start,
           rounds.back().end, split.train.size());

  AlgorithmsOutcome outcome;
  const Interactions initial(split.train, num_users, num_items);
  outcome.tail = make_long_tail(plan.long_tail_definition, plan.long_tail_parameter, initial.item_user_counts());

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
  std::string rounds_tsv = "algorithm\tround\tstart\tend\tinteractions\tactive_users\tcold_users\tevaluated_users\thits\t"
                           "users_with_hit\ttail_hits\t" + hit_rate_name + "\t" + precision_name +
                           "\ttail_share_of_hits\tcoverage_so_far\tgini_so_far\tcumulative_hits\tcumulative_tail_hits\t"
                           "cumulative_hit_rate\tupdate\tupdate_seconds";
  for (size_t m = 0; m < metric_names.size(); ++m)
    if (round_column[m]) rounds_tsv += "\t" + metric_names[m];
  rounds_tsv += "\n";
  std::string state_tsv = "algorithm\tround\tname\tvalue\n";
  std::string recommendations = std::string("algorithm\tround\tuser\trank\titem\tscore\thit") + (plan.explain ? "\twhy\n" : "\n");
  std::string metrics_csv = "algorithm\tname\t" + join(summary_names, "\t");
  for (const auto& name : metric_names) metrics_csv += "\t" + name;
  metrics_csv += "\n";
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
    double eval_seconds = 0, update_seconds_total = 0;
    std::vector<double> metric_sums(metric_names.size(), 0.0);
    std::vector<int64_t> metric_rounds(metric_names.size(), 0);
    nlohmann::json round_json = nlohmann::json::array();

    for (size_t r = 0; r < rounds.size(); ++r) {
      const auto& round = rounds[r];
      const int round_number = static_cast<int>(r) + 1;
      const Interactions round_matrix(round.log, num_users, num_items);
      const auto rc = round_cases(*known, round_matrix, plan.relevance_threshold);
      // Popularity and head/tail as known before the round.
      MetricContext context;
      context.num_items = num_items;
      context.num_train_users = known->active_users();
      context.phi = known->item_user_counts();
      context.tail = make_long_tail(plan.long_tail_definition, plan.long_tail_parameter, context.phi);
      for (const auto& [name, value] : algorithm->state())
        state_tsv += fmt::format("{}\t{}\t{}\t{:.17g}\n", a.label, round_number, tsv_escape(name), value);

      RoundFeedback feedback;
      std::vector<double> values(metric_names.size(), std::nan(""));
      if (!rc.cases.empty()) {
        EvaluationOptions options;
        options.threads = plan.threads;
        options.memory_budget_bytes = plan.memory_budget_bytes;
        options.list_length = k;
        const auto e0 = std::chrono::steady_clock::now();
        const auto evaluation = evaluate(*algorithm, {*known, round_matrix, rc.cases, false, context}, plan.metrics, options);
        eval_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
        values = evaluation.values;
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
            recommendations += fmt::format("{}\t{}\t{}\t{}\t{}\t{:.7g}\t{}", a.label, round_number, tsv_escape(run.users(user)),
                                           p + 1, tsv_escape(data.items.external(item)), evaluation.list_scores[at], hit ? 1 : 0);
            if (plan.explain) recommendations += "\t" + why_cell(run, *algorithm, user, item);
            recommendations += "\n";
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
      rounds_tsv += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.6f}", a.label,
                                round_number, round.start, round.end, round.log.size(), rc.active, rc.cold, feedback.lists,
                                feedback.hits, feedback.users_with_hit, feedback.tail_hits, number(hit_rate),
                                number(precision), number(tail_share), number(coverage), number(gini), total.hits,
                                total.tail_hits, number(ratio(total.users_with_hit, total.lists)), tsv_escape(how),
                                update_seconds);
      for (size_t m = 0; m < values.size(); ++m)
        if (round_column[m]) rounds_tsv += "\t" + number(values[m]);
      rounds_tsv += "\n";
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
      csv_row.push_back(number(summary[m]));
    }
    for (size_t m = 0; m < metric_names.size(); ++m) {
      const double mean = metric_rounds[m] > 0 ? metric_sums[m] / static_cast<double>(metric_rounds[m]) : std::nan("");
      values[metric_names[m]] = std::isnan(mean) ? nlohmann::json(nullptr) : nlohmann::json(mean);
      csv_row.push_back(number(mean));
    }
    metrics_csv += join(csv_row, "\t") + "\n";
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
    outcome.evaluated_cases = static_cast<size_t>(evaluated);
  }

  run.folder.write("replay_rounds.tsv", rounds_tsv);
  run.folder.write("replay_state.tsv", state_tsv);
  run.folder.write("recommendations.tsv", recommendations);
  run.folder.write("metrics.csv", metrics_csv);
  nlohmann::json windows = nlohmann::json::array();
  for (size_t r = 0; r < rounds.size(); ++r)
    windows.push_back({{"round", r + 1}, {"start", rounds[r].start}, {"end", rounds[r].end},
                       {"interactions", rounds[r].log.size()}});
  outcome.extra["replay"] = {{"rounds", windows}, {"by", protocol.by_time() ? "time" : "count"},
                             {"initial_train", split.train.size()}};
  return outcome;
}

}  // namespace tailrec
