// The single-split loop: every algorithm fitted once on the training split and evaluated on one set
// of cases drawn by a ranking protocol. Writes recommendations.tsv, per_user_metrics.tsv.gz,
// metrics.csv, item_exposure.tsv.gz and user_activity.tsv.gz.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "framework/evaluation/evaluator.hpp"
#include "framework/evaluation/sampled_correction.hpp"
#include "framework/protocols/protocol.hpp"
#include "framework/run/evaluation_loop.hpp"
#include "framework/run/experiment_plan.hpp"
#include "framework/run/shared_work.hpp"
#include "framework/run/stratified_accuracy.hpp"
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
// (top-k lists); user_activity.tsv.gz: every user's number of training and of known items. Reports draw the
// popularity-bias curve and the per-activity metrics from them.
void write_exposure_files(const RunContext& run, const Interactions& train, const Interactions& known,
                          const MetricContext& context, const std::vector<std::vector<int64_t>>& exposure) {
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
  // known_items: what the user was known to have when her list was drawn (the user groups of
  // stratified accuracy): training plus the validation carve-out, or her fold-in history.
  TsvTable users({"user", "train_items", "known_items"});
  for (int32_t u = 0; u < train.num_users(); ++u)
    users.add_row({run.users(u), fmt::format("{}", train.items_of(u).size()),
                   fmt::format("{}", u < known.num_users() ? known.row_size(u) : 0)});
  run.folder.write_gzip("user_activity.tsv.gz", users.text());
}

// protocol.also_full: the cases protocol=full draws for the same users, one per user with the
// relevant items of all her cases, so the values equal those of a protocol=full run on the split.
std::vector<EvalCase> full_ranking_cases(const std::vector<EvalCase>& cases) {
  std::map<int32_t, std::vector<int32_t>> relevant;
  for (const auto& c : cases) relevant[c.user].insert(relevant[c.user].end(), c.relevant.begin(), c.relevant.end());
  std::vector<EvalCase> out;
  for (auto& [user, items] : relevant) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    out.push_back(EvalCase{user, std::move(items), {}});
  }
  return out;
}

// One console row: the label, what the values are (sampled runs), then one cell per metric.
std::vector<std::string> table_row(const std::string& label, const std::string& kind, const std::vector<std::string>& cells) {
  std::vector<std::string> row{label};
  if (!kind.empty()) row.push_back(kind);
  row.insert(row.end(), cells.begin(), cells.end());
  return row;
}

nlohmann::json metric_json(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

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
  // Candidates: for candidates=cold, cold means no interaction the run holds (training, validation,
  // fold-in histories); catalog=train keeps the items the models were fitted on, the items the
  // stratified groups call warm. Cold users are those the models were fitted without.
  const auto candidates = take_candidate_items(cases, plan.train_catalog ? train : split.seen, plan, log);
  const auto cold = take_cold_users(cases, train, split.history, plan, log);
  if (cases.empty())
    fail("protocol {} found no user with a relevant test item{}{}", plan.protocol_name,
         candidates.cases_dropped > 0
             ? fmt::format(" among the candidate items ({} cases had none: {})", candidates.cases_dropped,
                           candidates.cold_only ? "protocol.candidates=cold ranks items without training interactions"
                                                : "protocol.catalog=train ranks items with training interactions")
             : std::string(),
         cold.users > 0 ? fmt::format(" and a training interaction ({} cold users were left out: protocol.cold_users=evaluate "
                                      "ranks them)", cold.users)
                        : std::string());
  MetricContext context;
  context.num_items = data.items.size();
  context.in_catalog = candidates.in_catalog;
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

  const StratifiedAccuracy strata(plan.strata, context, cases, split.seen, plan.metrics);

  // Sampled candidate lists: every value describes the sample. The full ranking (also_full) and the
  // corrected estimates (uniform sampling) are computed beside them.
  const auto sampling = protocol_.candidate_sampling();
  const std::vector<EvalCase> full_cases = plan.also_full ? full_ranking_cases(cases) : std::vector<EvalCase>();
  std::optional<SampledCorrection> correction;
  nlohmann::json correction_record = nullptr;
  std::string correction_note;
  if (sampling && plan.correct_sampled && sampling->uniform) {
    const auto c0 = std::chrono::steady_clock::now();
    correction.emplace(cases, plan.metrics, plan.correction_gamma, plan.threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    std::vector<std::string> corrected, not_corrected;
    const auto& which = correction->corrected_metrics();
    for (size_t m = 0; m < plan.metrics.size(); ++m)
      (std::find(which.begin(), which.end(), m) != which.end() ? corrected : not_corrected).push_back(plan.metrics[m]->name());
    // The estimate targets each held-out item's rank among the non-relevant items; a full ranking of
    // a user with several test items ranks them in one list, which is another quantity.
    std::vector<int32_t> case_users;
    for (const auto& c : cases) case_users.push_back(c.user);
    std::sort(case_users.begin(), case_users.end());
    const auto several = static_cast<int64_t>(case_users.size()) -
                         (std::unique(case_users.begin(), case_users.end()) - case_users.begin());
    if (several > 0)
      log.warn("sampled-metric correction: {} cases belong to users with more than one test item; each corrected value "
               "estimates the item's full rank among non-relevant items, which protocol=full (and also_full) does not "
               "measure for such users: compare corrected and full values on split=leave_one_out",
               several);
    correction_record = {{"method", "bv"},
                         {"comparable_to_full", several == 0},
                         {"gamma", plan.correction_gamma},
                         {"prior", "uniform over full ranks 1..n"},
                         {"sampled_rank_given_full_rank", "hypergeometric (negatives drawn without replacement)"},
                         {"n", "per case: the items its negatives were drawn from, plus the relevant item"},
                         {"distinct_n_m", correction->distinct_sizes()},
                         {"seconds", seconds},
                         {"metrics", corrected},
                         {"not_corrected", not_corrected},
                         {"not_corrected_reason",
                          "not a function of one relevant item's rank: these values describe the sampled lists"}};
    log.info("sampled-metric correction (bv, gamma {}): {} metrics, {} distinct (n, m), {:.3f} s", plan.correction_gamma,
             corrected.size(), correction->distinct_sizes(), seconds);
    correction_note = corrected.empty()
                          ? std::string("no corrected values: no metric is a function of one relevant item's rank")
                          : fmt::format("corrected: Krichene & Rendle's bias-variance estimate of the full-ranking "
                                        "value (gamma {}); '-': not a function of one relevant item's rank",
                                        plan.correction_gamma);
  } else if (sampling) {
    correction_note = plan.correct_sampled ? fmt::format("no corrected values: {}", sampling->not_uniform)
                                           : std::string("no corrected values: protocol.correction=none");
  }
  const bool corrects = correction && !correction->corrected_metrics().empty();  // a metric to correct
  const bool marked = sampling.has_value();
  const bool two_kinds = marked || plan.also_full;  // the table gets a `values` column
  // What the protocol's own values are called beside full ranking: sampled, or the protocol's name.
  const std::string first_kind = marked ? "sampled" : plan.also_full ? plan.protocol_name : "";

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
  // Sampled runs name what each column holds: name[sampled], name[full], name[corrected].
  const auto columns_of = [&](const std::string& kind, const std::vector<size_t>* only) {
    if (only)
      for (size_t m : *only) metrics_columns.push_back(fmt::format("{}[{}]", metric_names[m], kind));
    else
      for (const auto& name : metric_names) metrics_columns.push_back(kind.empty() ? name : fmt::format("{}[{}]", name, kind));
  };
  columns_of(first_kind, nullptr);
  if (plan.also_full) columns_of("full", nullptr);
  if (corrects) columns_of("corrected", &correction->corrected_metrics());
  for (auto& column : strata.csv_columns(first_kind)) metrics_columns.push_back(std::move(column));
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
    if (!candidates.excluded.empty()) options.excluded_items = &candidates.excluded;
    options.cold_candidates = candidates.cold_only;
    options.item_strata = strata.item_strata();
    options.history = split.history;  // held-out users: scored from their fold-in histories
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
    std::vector<std::string> metric_cells;
    std::vector<std::string> csv_row{a.label, a.name};
    for (size_t m = 0; m < evaluation.metric_names.size(); ++m) {
      const double v = evaluation.values[m];
      values[evaluation.metric_names[m]] = metric_json(v);
      metric_cells.push_back(format_metric_value(v));
      csv_row.push_back(format_exact(v));
      if (std::isnan(v) && plan.metrics[m]->kind() == Metric::Kind::Rating)
        log.warn("{}: {} is n/a: {} does not predict ratings", a.label, evaluation.metric_names[m], a.name);
    }
    table_rows.push_back(table_row(a.label, first_kind, metric_cells));
    for (const auto& line : strata.log_lines(evaluation)) log.info("{}: {}", a.label, line);
    results[a.label] = {{"name", a.name},           {"params", a.params.to_json()},
                        {"fit_seconds", fit_seconds}, {"eval_seconds", eval_seconds},
                        {"peak_rss_mb", peak},        {"evaluated_users", evaluation.users.size()},
                        {"metrics_kind", marked ? "sampled" : per_item_lists ? "candidate_lists" : "full"},
                        {"metrics", values}};
    results[a.label]["strata"] = strata.values(evaluation);
    if (plan.also_full) {
      // The same fitted model, every item the user did not train on, the tie rule of protocol=full.
      const auto f0 = std::chrono::steady_clock::now();
      EvaluationOptions full_options = options;
      full_options.list_length = plan.list_length;
      full_options.progress = nullptr;
      full_options.item_strata = nullptr;  // stratified accuracy is the protocol's own
      const auto full = evaluate(*algorithm, {split.seen, split.test, full_cases, false, context}, plan.metrics, full_options);
      const double full_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - f0).count();
      nlohmann::json full_values = nlohmann::json::object();
      metric_cells.clear();
      for (size_t m = 0; m < full.metric_names.size(); ++m) {
        full_values[full.metric_names[m]] = metric_json(full.values[m]);
        metric_cells.push_back(format_metric_value(full.values[m]));
        csv_row.push_back(format_exact(full.values[m]));
      }
      table_rows.push_back(table_row(a.label, "full", metric_cells));
      results[a.label]["full_metrics"] = full_values;
      results[a.label]["full_eval_seconds"] = full_seconds;
      results[a.label]["full_evaluated_users"] = full.users.size();
      log.info("{}: full-ranking evaluation (protocol.also_full) {:.3f} s, {} users", a.label, full_seconds, full.users.size());
    }
    if (corrects) {
      const auto corrected = correction->values(cases, evaluation, plan.metrics);
      nlohmann::json corrected_values = nlohmann::json::object();
      metric_cells.assign(plan.metrics.size(), "-");
      for (size_t j = 0; j < corrected.size(); ++j) {
        const size_t m = correction->corrected_metrics()[j];
        corrected_values[metric_names[m]] = metric_json(corrected[j]);
        metric_cells[m] = format_metric_value(corrected[j]);
        csv_row.push_back(format_exact(corrected[j]));
      }
      table_rows.push_back(table_row(a.label, "corrected", metric_cells));
      results[a.label]["corrected_metrics"] = corrected_values;
    }
    for (auto& cell : strata.csv_cells(evaluation)) csv_row.push_back(std::move(cell));
    metrics_csv.add_row(csv_row);
    if (plan.evaluate_cold_users) results[a.label]["cold_users_without_list"] = evaluation.uninformed_users.size();
    if (candidates.cold_only) results[a.label]["scores_cold_items"] = !evaluation.blind_to_candidates;

    std::vector<std::string> cells;
    for (size_t c = 0; c < evaluation.case_users.size(); ++c) {
      const auto& user = run.users(evaluation.case_users[c]);
      std::string held_out;
      if (per_item_lists) {
        std::vector<std::string> relevant;
        for (int32_t item : cases[c].relevant) relevant.push_back(data.items.external(item));  // the table escapes the cell
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
  write_exposure_files(run, train, split.seen, context, exposure);

  LoopOutcome outcome;
  outcome.results = std::move(results);
  outcome.header = table_row("algorithm", two_kinds ? "values" : "", metric_names);
  if (sampling) {
    nlohmann::json record = sampling->description;
    record["values"] = "algorithms.*.metrics rank each relevant item against the sampled candidates only: they describe "
                       "the sampler, not the catalog";
    record["also_full"] = plan.also_full;
    record["correction"] = correction_record;
    if (!correction) record["correction_not_applied"] = correction_note;
    outcome.extra["sampled"] = record;
    outcome.notes.push_back(fmt::format("sampled: every value ranks a relevant item against sampled candidates only "
                                        "({}); it describes the sampler, not the catalog",
                                        sampling->description.dump()));
    if (plan.also_full) outcome.notes.push_back("full: the same models ranking every item the user did not train on");
    outcome.notes.push_back(correction_note);
  } else if (plan.also_full) {
    outcome.notes.push_back("full: the same models ranking every item the user did not train on");
  }
  outcome.rows = std::move(table_rows);
  outcome.evaluated_cases = cases.size();
  outcome.extra["cold_users"] = cold.to_json();
  outcome.extra["candidates"] = candidates.candidates_json();
  outcome.extra["catalog"] = candidates.catalog_json();
  outcome.extra["strata"] = strata.definitions();
  outcome.tail = context.tail;
  return outcome;
}

}  // namespace

std::unique_ptr<EvaluationLoop> RankingProtocol::make_loop() const { return std::make_unique<SingleSplitLoop>(*this); }

}  // namespace tailrec
