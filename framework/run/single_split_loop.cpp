// The single-split loop: every algorithm fitted once on the training split and evaluated on one set
// of cases drawn by a ranking protocol. Writes recommendations.tsv, per_user_metrics.tsv.gz,
// metrics.csv, item_exposure.tsv.gz and user_activity.tsv.gz.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "framework/evaluation/evaluator.hpp"
#include "framework/protocols/protocol.hpp"
#include "framework/run/evaluation_loop.hpp"
#include "framework/run/experiment_plan.hpp"
#include "framework/run/shared_work.hpp"
#include "framework/run/tsv_table.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/progress.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"
#include "framework/util/test_hooks.hpp"

namespace tailrec {

namespace {

// item_exposure.tsv.gz: every item's training popularity (users), popularity rank (1 = most
// popular, ties by item index), head/tail membership and how often each algorithm recommended it
// (top-k lists); user_activity.tsv.gz: every user's number of training items. Reports draw the
// popularity-bias curve and the per-activity metrics from them.
void write_exposure_files(const RunContext& run, const Interactions& train, const MetricContext& context,
                          const std::vector<std::vector<int64_t>>& exposure) {
  const auto& data = run.data;
  std::vector<int32_t> order(data.items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return context.phi[a] > context.phi[b]; });
  std::vector<int32_t> rank(order.size());
  for (size_t r = 0; r < order.size(); ++r) rank[static_cast<size_t>(order[r])] = static_cast<int32_t>(r + 1);
  std::vector<std::string> columns{"item", "train_users", "popularity_rank", "tail"};
  for (const auto& a : run.plan.algorithms) columns.push_back(a.label);
  TsvTable items(columns);
  std::vector<std::string> row;
  for (int32_t item : order) {
    row = {data.items.external(item), fmt::format("{}", context.phi[item]), fmt::format("{}", rank[item]),
           context.tail.tail(item) ? "1" : "0"};
    for (const auto& counts : exposure) row.push_back(fmt::format("{}", counts[static_cast<size_t>(item)]));
    items.add_row(row);
  }
  run.folder.write_gzip("item_exposure.tsv.gz", items.text());
  TsvTable users({"user", "train_items"});
  for (int32_t u = 0; u < train.num_users(); ++u) users.add_row({run.users(u), fmt::format("{}", train.items_of(u).size())});
  run.folder.write_gzip("user_activity.tsv.gz", users.text());
}

class SingleSplitLoop final : public EvaluationLoop {
 public:
  explicit SingleSplitLoop(const RankingProtocol& protocol) : protocol_(protocol) {}
  LoopOutcome run(const RunContext& run, const RunSplit& split) const override;

 private:
  const RankingProtocol& protocol_;
};

LoopOutcome SingleSplitLoop::run(const RunContext& run, const RunSplit& split) const {
  const auto& plan = run.plan;
  const auto& data = run.data;
  const auto& train = split.prepared.train;
  auto& log = run.log;
  auto* shared = run.shared;
  // Protocol and metric context.
  auto cases = protocol_.cases({data, split.seen, split.test, plan.relevance_threshold, plan.seed});
  // Candidates: cold means no interaction the run holds (training or validation); cold users are
  // those the models were fitted without.
  const auto candidates = take_candidate_items(cases, split.seen, plan, log);
  const auto cold = take_cold_users(cases, train, split.history, plan, log);
  if (cases.empty())
    fail("protocol {} found no user with a relevant test item{}{}", plan.protocol_name,
         candidates.cases_dropped > 0
             ? fmt::format(" among the cold items ({} cases had only items with training interactions: "
                           "protocol.candidates=cold)", candidates.cases_dropped)
             : std::string(),
         cold.users > 0 ? fmt::format(" and a training interaction ({} cold users were left out: protocol.cold_users=evaluate "
                                      "ranks them)", cold.users)
                        : std::string());
  MetricContext context;
  context.num_items = data.items.size();
  context.num_train_users = train.active_users();
  // Popularity statistics of the training split: shared by the sweep's jobs on the same split.
  struct Popularity {
    std::vector<int32_t> phi;
    LongTail tail;
  };
  const std::function<Popularity()> popularity = [&] {
    Popularity p;
    p.phi = train.item_user_counts();
    p.tail = run_long_tail(plan, p.phi);
    return p;
  };
  const auto popularity_key =
      fmt::format("popularity:{}:{}:{:.17g}", split.key, plan.long_tail_definition, plan.long_tail_parameter);
  const auto stats = shared ? shared->get<Popularity>(popularity_key, popularity)
                            : std::make_shared<const Popularity>(popularity());
  context.phi = stats->phi;
  context.tail = stats->tail;
  log.info("protocol {}: {} cases; long tail {}: {} head and {} tail items", plan.protocol_name, cases.size(),
           context.tail.definition, context.tail.head_count, context.tail.tail_count);

  nlohmann::json results = nlohmann::json::object();
  // Candidate protocols rank one list per held-out item: a sixth column names it.
  const bool per_item_lists = !cases.front().candidates.empty();
  std::vector<std::string> recommendation_columns{"algorithm", "user", "rank", "item", "score"};
  if (per_item_lists) recommendation_columns.push_back("held_out");
  if (plan.explain) recommendation_columns.push_back("why");
  TsvTable recommendations(recommendation_columns);
  std::optional<TsvTable> per_user;  // its columns are the first evaluation's per-user metrics
  std::vector<std::string> metric_names;
  for (const auto& m : plan.metrics) metric_names.push_back(m->name());
  std::vector<std::string> metrics_columns{"algorithm", "name"};
  metrics_columns.insert(metrics_columns.end(), metric_names.begin(), metric_names.end());
  TsvTable metrics_csv(metrics_columns);
  std::vector<std::vector<std::string>> table_rows;
  // How often each item appears in the recommended top-k lists, per algorithm (item_exposure.tsv.gz).
  std::vector<std::vector<int64_t>> exposure;

  for (const auto& a : plan.algorithms) {
    auto algorithm = run.registries.algorithms.at(a.name).create(a.params);
    reset_peak_rss();
    const FitContext fit = fit_context(run, train, split.validation, a.label);
    log.info("{} ({}): fitting", a.label, a.name);
    test_pause("fit", a.label);
    const auto t0 = std::chrono::steady_clock::now();
    algorithm->fit(fit);
    const auto t1 = std::chrono::steady_clock::now();
    ProgressBar bar(fmt::format("{} evaluating", a.label), plan.progress);
    EvaluationOptions options;
    options.threads = plan.threads;
    options.memory_budget_bytes = plan.memory_budget_bytes;
    options.list_length = plan.list_length;
    if (plan.whole_candidate_lists)  // AUC-style metrics see every candidate in rank order
      for (const auto& c : cases)
        options.list_length = std::max(options.list_length, static_cast<int>(c.candidates.size()));
    options.progress = [&bar](int64_t done, int64_t total) { bar.update(done, total); };
    options.fitted_on = &train;  // cold users: an empty list from a model that knows nothing of them
    options.history = split.history;  // held-out users: scored from their fold-in histories
    if (candidates.cold_only) options.warm_items = &candidates.warm_items;
    test_pause("evaluate", a.label);
    const auto evaluation = evaluate(*algorithm, {split.seen, split.test, cases, protocol_.relevant_loses_ties(), context},
                                     plan.metrics, options);
    bar.finish();
    const auto t2 = std::chrono::steady_clock::now();
    const double fit_seconds = std::chrono::duration<double>(t1 - t0).count();
    const double eval_seconds = std::chrono::duration<double>(t2 - t1).count();
    const double peak = peak_rss_mb();
    log.info("{}: fit {:.3f} s, evaluation {:.3f} s ({} users, blocks of {}), peak RSS {:.0f} MiB", a.label, fit_seconds,
             eval_seconds, evaluation.users.size(), evaluation.block_size, peak);
    if (evaluation.blind_to_candidates)
      log.warn("{}: {} cannot score items without training interactions: every list is empty "
               "(protocol.candidates=cold)", a.label, a.name);
    if (!evaluation.uninformed_users.empty())
      log.warn("{}: {} has no information about the {} cold users: each gets an empty list (a miss), not a ranking of "
               "ties", a.label, a.name, evaluation.uninformed_users.size());

    nlohmann::json values = nlohmann::json::object();
    std::vector<std::string> row{a.label};
    std::vector<std::string> csv_row{a.label, a.name};
    for (size_t m = 0; m < evaluation.metric_names.size(); ++m) {
      const double v = evaluation.values[m];
      values[evaluation.metric_names[m]] = std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
      row.push_back(format_metric_value(v));
      csv_row.push_back(format_exact(v));
      if (std::isnan(v) && plan.metrics[m]->kind() == Metric::Kind::Rating)
        log.warn("{}: {} is n/a: {} does not predict ratings", a.label, evaluation.metric_names[m], a.name);
    }
    table_rows.push_back(row);
    metrics_csv.add_row(csv_row);
    results[a.label] = {{"name", a.name},           {"params", a.params.to_json()},
                        {"fit_seconds", fit_seconds}, {"eval_seconds", eval_seconds},
                        {"peak_rss_mb", peak},        {"evaluated_users", evaluation.users.size()},
                        {"metrics", values}};
    if (plan.evaluate_cold_users) results[a.label]["cold_users_without_list"] = evaluation.uninformed_users.size();
    if (candidates.cold_only) results[a.label]["scores_cold_items"] = !evaluation.blind_to_candidates;

    std::vector<std::string> cells;
    for (size_t c = 0; c < evaluation.case_users.size(); ++c) {
      const auto& user = run.users(evaluation.case_users[c]);
      std::string held_out;
      if (per_item_lists) {
        std::vector<std::string> relevant;
        for (int32_t item : cases[c].relevant) relevant.push_back(tsv_escape(data.items.external(item)));
        held_out = join(relevant, ",");
      }
      // The top k (the largest metric cut-off), also when whole candidate lists were ranked.
      for (int r = 0; r < std::min(evaluation.list_size[c], plan.list_length); ++r) {
        const auto at = c * static_cast<size_t>(evaluation.list_length) + static_cast<size_t>(r);
        cells = {a.label, user, fmt::format("{}", r + 1), data.items.external(evaluation.lists[at]),
                 fmt::format("{:.7g}", evaluation.list_scores[at])};
        if (per_item_lists) cells.push_back(held_out);
        if (plan.explain) cells.push_back(why_cell(run, *algorithm, evaluation.case_users[c], evaluation.lists[at]));
        recommendations.add_row(cells);
      }
    }
    auto& counts = exposure.emplace_back(data.items.size(), 0);
    for (size_t c = 0; c < evaluation.case_users.size(); ++c)
      for (int r = 0; r < std::min(evaluation.list_size[c], plan.list_length); ++r)
        ++counts[static_cast<size_t>(evaluation.lists[c * static_cast<size_t>(evaluation.list_length) + static_cast<size_t>(r)])];
    if (!per_user) {
      std::vector<std::string> columns{"algorithm", "user"};
      columns.insert(columns.end(), evaluation.per_user_names.begin(), evaluation.per_user_names.end());
      per_user.emplace(columns);
    }
    for (size_t u = 0; u < evaluation.users.size(); ++u) {
      cells = {a.label, run.users(evaluation.users[u])};
      for (const auto& column : evaluation.per_user) cells.push_back(format_exact(column[u]));
      per_user->add_row(cells);
    }
  }

  run.folder.write("recommendations.tsv", recommendations.text());
  run.folder.write_gzip("per_user_metrics.tsv.gz", per_user ? per_user->text() : std::string());
  run.folder.write("metrics.csv", metrics_csv.text());
  write_exposure_files(run, train, context, exposure);

  LoopOutcome outcome;
  outcome.results = std::move(results);
  outcome.header = {"algorithm"};
  outcome.header.insert(outcome.header.end(), metric_names.begin(), metric_names.end());
  outcome.rows = std::move(table_rows);
  outcome.evaluated_cases = cases.size();
  outcome.extra["cold_users"] = cold.to_json();
  outcome.extra["candidates"] = candidates.to_json();
  outcome.tail = context.tail;
  return outcome;
}

}  // namespace

std::unique_ptr<EvaluationLoop> RankingProtocol::make_loop() const { return std::make_unique<SingleSplitLoop>(*this); }

}  // namespace tailrec
