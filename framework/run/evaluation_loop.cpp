// What every evaluation loop shares: fit contexts, explanation cells and number formats.
#include "framework/run/evaluation_loop.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "framework/model/explanation.hpp"
#include "framework/run/experiment_plan.hpp"
#include "framework/run/tsv_table.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

EvaluationLoop::~EvaluationLoop() = default;

FitContext fit_context(const RunContext& run, const Interactions& train, const Interactions* validation,
                       const std::string& label) {
  const auto& plan = run.plan;
  return FitContext{train,       run.data.content, validation, plan.seed, plan.threads, run.device, &run.log,
                    run.folder.path() / "work" / label, plan.use_cache ? plan.cache_dir : std::filesystem::path(),
                    run.shared, run.folder.path()};
}

std::string why_cell(const RunContext& run, const Algorithm& algorithm, int32_t user, int32_t item) {
  return render_reasons(algorithm.explain(user, item, run.plan.explain_reasons), run.data, run.users);  // the table escapes it
}

nlohmann::json ColdUsers::to_json() const {
  return {{"policy", evaluated ? "evaluate" : "exclude"},
          {"definition", "users with a test case, no training interaction and no fold-in history"},
          {"users", users},
          {"cases", cases},
          {"evaluated", evaluated}};
}

ColdUsers take_cold_users(std::vector<EvalCase>& cases, const Interactions& train, const Interactions* history,
                          const ExperimentPlan& plan, Logger& log) {
  ColdUsers cold;
  cold.evaluated = plan.evaluate_cold_users;
  const auto has_row = [](const Interactions& m, int32_t user) { return user < m.num_users() && m.row_size(user) > 0; };
  const auto is_cold = [&](const EvalCase& c) { return !has_row(train, c.user) && !(history && has_row(*history, c.user)); };
  std::vector<int32_t> users;
  for (const auto& c : cases)
    if (is_cold(c)) users.push_back(c.user), ++cold.cases;
  std::sort(users.begin(), users.end());
  cold.users = std::unique(users.begin(), users.end()) - users.begin();
  if (cold.users == 0) return cold;
  if (cold.evaluated) {
    log.info("{} cold users (a test case, no training interaction) are evaluated (protocol.cold_users=evaluate): a "
             "model without information about them gives them an empty list",
             cold.users);
  } else {
    std::erase_if(cases, is_cold);
    log.warn("{} cold users (a test case, no training interaction; {} cases) are left out of every metric "
             "(protocol.cold_users=exclude; protocol.cold_users=evaluate keeps them)",
             cold.users, cold.cases);
  }
  return cold;
}

nlohmann::json CandidateItems::candidates_json() const {
  if (!cold_only) return {{"policy", "all"}};
  return {{"policy", "cold"},
          {"definition", "items without a training interaction"},
          {"items", catalog_items},
          {"relevant_dropped", relevant_dropped},
          {"cases_dropped", cases_dropped}};
}

nlohmann::json CandidateItems::catalog_json() const {
  nlohmann::json out = {{"policy", train_catalog ? "train" : "all"},
                        {"definition", train_catalog ? "items with a training interaction"
                                                     : "every item of the dataset (training, validation and test)"},
                        {"items", catalog_items}};
  if (train_catalog) out["relevant_dropped"] = relevant_dropped, out["cases_dropped"] = cases_dropped;
  return out;
}

CandidateItems take_candidate_items(std::vector<EvalCase>& cases, const Interactions& train, const ExperimentPlan& plan,
                                    Logger& log) {
  CandidateItems out;
  out.cold_only = plan.cold_candidates;
  out.train_catalog = plan.train_catalog;
  const auto phi = train.item_user_counts();
  out.catalog_items = static_cast<int64_t>(phi.size());
  if (!out.cold_only && !out.train_catalog) return out;
  // A candidate is cold (cold_only) or warm (train_catalog); the other items are excluded.
  const auto candidate = [&](int32_t item) { return (phi[static_cast<size_t>(item)] > 0) == out.train_catalog; };
  out.in_catalog.assign(phi.size(), 0);
  for (int32_t item = 0; item < static_cast<int32_t>(phi.size()); ++item)
    if (candidate(item)) out.in_catalog[static_cast<size_t>(item)] = 1;
    else out.excluded.push_back(item);
  out.catalog_items = static_cast<int64_t>(phi.size() - out.excluded.size());
  if (out.cold_only && out.catalog_items == 0)
    fail("protocol.candidates=cold: every one of the {} items has a training interaction, so there is no cold item to "
         "rank; use split=cold_items (items held out of training) or protocol.candidates=all",
         phi.size());
  for (auto& c : cases) {
    const auto before = c.relevant.size();
    std::erase_if(c.relevant, [&](int32_t item) { return !candidate(item); });
    out.relevant_dropped += static_cast<int64_t>(before - c.relevant.size());
  }
  out.cases_dropped = std::erase_if(cases, [](const EvalCase& c) { return c.relevant.empty(); });
  const auto dropped = out.relevant_dropped > 0 ? fmt::format("; {} relevant test items {} were dropped ({} cases left "
                                                              "without one)",
                                                              out.relevant_dropped,
                                                              out.cold_only ? "with training interactions"
                                                                            : "without a training interaction",
                                                              out.cases_dropped)
                                                : std::string();
  if (out.cold_only)
    log.info("protocol.candidates=cold: lists are drawn from the {} items without a training interaction{}",
             out.catalog_items, dropped);
  else
    log.info("protocol.catalog=train: lists are drawn from the {} items with a training interaction ({} items of the "
             "dataset are left out){}", out.catalog_items, out.excluded.size(), dropped);
  return out;
}

LongTail run_long_tail(const ExperimentPlan& plan, const std::vector<int32_t>& phi) {
  return make_long_tail(plan.long_tail_definition, plan.long_tail_parameter, phi);
}

std::string format_metric_value(double v) { return std::isnan(v) ? "n/a" : fmt::format("{:.4f}", v); }

std::string format_exact(double v) { return std::isnan(v) ? std::string() : fmt::format("{:.17g}", v); }

}  // namespace tailrec
