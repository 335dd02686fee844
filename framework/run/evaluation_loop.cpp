// What every evaluation loop shares: fit contexts, explanation cells and number formats.
#include "framework/run/evaluation_loop.hpp"

#include <cmath>

#include <fmt/format.h>

#include "framework/model/explanation.hpp"
#include "framework/run/experiment_plan.hpp"
#include "framework/run/tsv_table.hpp"

namespace tailrec {

EvaluationLoop::~EvaluationLoop() = default;

FitContext fit_context(const RunContext& run, const Interactions& train, const Interactions* validation,
                       const std::string& label) {
  const auto& plan = run.plan;
  return FitContext{train,       run.data.content, validation, plan.seed, plan.threads, run.device, &run.log,
                    run.folder.path() / "work" / label, plan.use_cache ? plan.cache_dir : std::filesystem::path(),
                    run.shared};
}

std::string why_cell(const RunContext& run, const Algorithm& algorithm, int32_t user, int32_t item) {
  return tsv_escape(render_reasons(algorithm.explain(user, item, run.plan.explain_reasons), run.data, run.users));
}

LongTail run_long_tail(const ExperimentPlan& plan, const std::vector<int32_t>& phi) {
  return make_long_tail(plan.long_tail_definition, plan.long_tail_parameter, phi);
}

std::string format_metric_value(double v) { return std::isnan(v) ? "n/a" : fmt::format("{:.4f}", v); }

std::string format_exact(double v) { return std::isnan(v) ? std::string() : fmt::format("{:.17g}", v); }

}  // namespace tailrec
