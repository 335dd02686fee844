#include "algorithms/hybrid/hybrid_components.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <set>

#include "framework/config/algorithm_entry.hpp"
#include "framework/config/config.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

ParamSpec components_param(const std::vector<std::string>& fallback, std::string help) {
  return ParamSpec::algorithms("components", fallback, std::move(help));
}

Logger& context_log(const FitContext& context) { return context.log ? *context.log : Logger::null(); }

HybridComponents::HybridComponents(const Registries& registries, const Params& params, size_t min_count,
                                   size_t max_count) {
  // Each component is read like an entry of `algorithms:` (framework/config/algorithm_entry.hpp).
  const auto path = join_path(params.where(), "components");
  const Config tree = params.subtree("components");
  const auto list = tree.root()[path];
  const auto expected = min_count == max_count                  ? fmt::format("exactly {}", min_count)
                        : max_count == std::numeric_limits<size_t>::max() ? fmt::format("at least {}", min_count)
                                                                          : fmt::format("{} to {}", min_count, max_count);
  if (list.size() < min_count || list.size() > max_count)
    list.fail_here(fmt::format("{} components given, {} needed", list.size(), expected));

  std::set<std::string> seen;
  for (size_t j = 0; j < list.size(); ++j) {
    auto created = create_algorithm(registries.algorithms, list[j]);
    const auto& label = created.entry.label;
    if (!seen.insert(label).second)
      list[j].fail_here(fmt::format(
          "label '{}' is used twice among the components; give each a unique label: {{name: {}, label: ...}}", label,
          created.entry.name));
    labels_.push_back(label);
    algorithms_.push_back(std::move(created.algorithm));
  }
}

bool HybridComponents::any_ranks_cold_users(std::span<const double> weights) const {
  for (size_t m = 0; m < algorithms_.size(); ++m)
    if ((weights.empty() || weights[m] > 0) && algorithms_[m]->ranks_cold_users()) return true;
  return false;
}

bool HybridComponents::all_fold_in(std::span<const double> weights) const {
  for (size_t m = 0; m < algorithms_.size(); ++m)
    if ((weights.empty() || weights[m] > 0) && !algorithms_[m]->folds_in()) return false;
  return true;
}

bool HybridComponents::any_scores_cold_items(std::span<const double> weights) const {
  for (size_t m = 0; m < algorithms_.size(); ++m)
    if ((weights.empty() || weights[m] > 0) && algorithms_[m]->scores_cold_items()) return true;
  return false;
}

namespace {

std::atomic<uint64_t> next_version{1};

// One user's normalised rows, per component, as last computed by this thread: a `why` column asks
// for a user's k items one at a time, and each row is normalised as a whole, so without this every
// item would rescore every component's full row.
struct NormalizedRows {
  uint64_t version = 0;  // of the HybridComponents that filled it (unique across objects)
  int32_t user = -1;
  Normalization normalization = Normalization::None;
  std::vector<std::vector<float>> rows;  // per component; empty until scored
};

}  // namespace

void HybridComponents::fit(const FitContext& context) {
  version_ = next_version.fetch_add(1);
  auto& log = context_log(context);
  for (size_t m = 0; m < algorithms_.size(); ++m) {
    FitContext own = context;
    if (!context.work_dir.empty()) own.work_dir = context.work_dir / labels_[m];
    const auto t0 = std::chrono::steady_clock::now();
    algorithms_[m]->fit(own);
    if (algorithms_[m]->num_items() != context.train.num_items())
      fail("component '{}' reports {} items after fit, the catalog has {}", labels_[m], algorithms_[m]->num_items(),
           context.train.num_items());
    log.info("  component {}: fitted in {:.3f} s", labels_[m],
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
}

UpdateResult HybridComponents::update(const UpdateContext& context) {
  version_ = next_version.fetch_add(1);
  auto& log = context_log(context.fit);
  UpdateResult result{true, "components: "};
  for (size_t m = 0; m < algorithms_.size(); ++m) {
    FitContext own = context.fit;
    if (!context.fit.work_dir.empty()) own.work_dir = context.fit.work_dir / labels_[m];
    const UpdateContext own_update{own, context.previous, context.added};
    const auto t0 = std::chrono::steady_clock::now();
    const auto step = algorithms_[m]->update(own_update);
    if (algorithms_[m]->num_items() != context.fit.train.num_items())
      fail("component '{}' reports {} items after update, the catalog has {}", labels_[m],
           algorithms_[m]->num_items(), context.fit.train.num_items());
    log.info("  component {}: updated in {:.3f} s ({})", labels_[m],
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), step.how);
    result.incremental = result.incremental && step.incremental;
    result.how += fmt::format("{}{}: {}", m == 0 ? "" : "; ", labels_[m], step.how);
  }
  return result;
}

void HybridComponents::score_normalized(size_t m, std::span<const int32_t> users, std::span<float> out,
                                        Normalization normalization, const Interactions* history) const {
  if (history) algorithms_[m]->score_history(users, *history, out);
  else algorithms_[m]->score(users, out);
  const auto n = static_cast<size_t>(algorithms_[m]->num_items());
  for (size_t u = 0; u < users.size(); ++u) normalize_row(out.subspan(u * n, n), normalization);
}


double HybridComponents::normalized_score(size_t m, int32_t user, int32_t item, Normalization normalization) const {
  thread_local NormalizedRows cache;
  if (cache.version != version_ || cache.user != user || cache.normalization != normalization)
    cache = {version_, user, normalization, std::vector<std::vector<float>>(algorithms_.size())};
  auto& row = cache.rows[m];
  if (row.empty()) {
    row.resize(static_cast<size_t>(algorithms_[m]->num_items()));
    score_normalized(m, std::span<const int32_t>(&user, 1), row, normalization);
  }
  return static_cast<double>(row.at(static_cast<size_t>(item)));
}

Reason HybridComponents::component_reason(size_t m, int32_t user, int32_t item, double weight, int max_reasons) const {
  Reason reason;
  reason.kind = Reason::Kind::Component;
  reason.text = labels_[m];
  reason.weight = weight;
  reason.detail = algorithms_[m]->explain(user, item, max_reasons);
  return reason;
}

std::vector<Reason> HybridComponents::explain_blend(int32_t user, int32_t item, int max_reasons,
                                                    std::span<const double> weights,
                                                    Normalization normalization) const {
  if (max_reasons <= 0 || algorithms_.empty() || item < 0 || item >= algorithms_[0]->num_items()) return {};
  std::vector<std::pair<double, size_t>> terms;  // (contribution, component)
  for (size_t m = 0; m < algorithms_.size(); ++m) {
    if (weights[m] == 0) continue;  // as in the blend: a zero weight contributes nothing
    const double term = weights[m] * normalized_score(m, user, item, normalization);
    if (term != 0) terms.emplace_back(term, m);
  }
  std::stable_sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (terms.size() > static_cast<size_t>(max_reasons)) terms.resize(static_cast<size_t>(max_reasons));
  std::vector<Reason> reasons;
  for (const auto& [term, m] : terms) reasons.push_back(component_reason(m, user, item, term, max_reasons));
  return reasons;
}

}  // namespace tailrec
