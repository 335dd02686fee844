#include "algorithms/hybrid/weighted_hybrid.hpp"

#include <cmath>
#include <functional>
#include <limits>

#include "algorithms/hybrid/hybrid.hpp"
#include "framework/config/config.hpp"
#include "framework/evaluation/evaluator.hpp"
#include "framework/metrics/long_tail.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/protocols/protocol.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/parallel.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

// Above this size the normalised validation scores are not cached: each grid point rescores.
constexpr int64_t kTuneCacheBytes = int64_t{2} << 30;
constexpr size_t kMaxGridPoints = 10000;

int64_t grid_steps(double step) {
  const double k = std::round(1.0 / step);
  if (!(step > 0) || step > 1 || std::abs(k * step - 1.0) > 1e-9) return 0;
  return static_cast<int64_t>(k);
}

// C(K + m - 1, m - 1), saturated far above kMaxGridPoints.
size_t grid_size(size_t m, int64_t k) {
  double count = 1;
  for (size_t j = 1; j < m; ++j) count = count * static_cast<double>(k + static_cast<int64_t>(j)) / static_cast<double>(j);
  return count > 1e9 ? size_t{1000000000} : static_cast<size_t>(std::llround(count));
}

std::string show_alpha(const std::vector<double>& alpha) {
  std::vector<std::string> parts;
  for (double a : alpha) parts.push_back(fmt::format("{:.4g}", a));
  return fmt::format("[{}]", join(parts, ", "));
}

// An Algorithm whose scores come from a function (the evaluator ranks a candidate weighting).
class ScoreFunction final : public Algorithm {
 public:
  using Function = std::function<void(std::span<const int32_t>, std::span<float>)>;
  ScoreFunction(int32_t num_items, Function function) : function_(std::move(function)) { num_items_ = num_items; }
  void fit(const FitContext&) override {}
  void score(std::span<const int32_t> users, std::span<float> out) const override { function_(users, out); }

 private:
  Function function_;
};

}  // namespace

std::vector<std::vector<double>> simplex_grid(size_t m, double step) {
  const int64_t total = grid_steps(step);
  if (total == 0) fail("tune_grid {} must be in (0, 1] with 1/tune_grid an integer (e.g. 0.1, 0.05, 0.25)", step);
  if (m == 0) return {};
  std::vector<std::vector<double>> grid;
  std::vector<int64_t> k(m, 0);
  // Odometer over k_1..k_{m-1} (k_{m-1} fastest), k_m takes the remainder.
  std::function<void(size_t, int64_t)> walk = [&](size_t j, int64_t left) {
    if (j + 1 == m) {
      k[j] = left;
      std::vector<double> alpha(m);
      for (size_t i = 0; i < m; ++i) alpha[i] = static_cast<double>(k[i]) / static_cast<double>(total);
      grid.push_back(std::move(alpha));
      return;
    }
    for (int64_t v = 0; v <= left; ++v) {
      k[j] = v;
      walk(j + 1, left - v);
    }
  };
  walk(0, total);
  return grid;
}

WeightedHybrid::WeightedHybrid(const Registries& registries, const Params& params)
    : registries_(registries),
      components_(registries, params, 2, 64),
      normalization_(parse_normalization(params.text("normalization"))),
      tune_metric_(params.text("tune_metric")),
      tune_grid_(params.real("tune_grid")) {
  const size_t m = components_.size();
  alpha_key_ = join_path(params.where(), "alpha");
  alpha_origin_ = params.origin("alpha");
  const YAML::Node alpha = params.node("alpha");
  if (!alpha || alpha.IsNull()) {
    alpha_.assign(m, 1.0 / static_cast<double>(m));
  } else if (alpha.IsScalar() && alpha.Scalar() == "auto") {
    auto_alpha_ = true;
    alpha_.assign(m, 1.0 / static_cast<double>(m));
  } else if (alpha.IsSequence()) {
    if (alpha.size() != m)
      params.fail_at("alpha", fmt::format("{} weights given for {} components; give one per component or auto",
                                              alpha.size(), m));
    double sum = 0;
    for (const auto& a : alpha) {
      const auto v = a.IsScalar() ? parse_double(a.Scalar()) : std::nullopt;
      if (!v || *v < 0)
        params.fail_at("alpha", fmt::format("weight '{}' is not a number >= 0", a.IsScalar() ? a.Scalar() : "?"));
      alpha_.push_back(*v);
      sum += *v;
    }
    if (!(sum > 0)) params.fail_at("alpha", "the weights are all 0; give at least one positive weight");
  } else {
    params.fail_at("alpha",
               fmt::format("expected a list of {} weights (e.g. [0.7, 0.3]), auto, or null for equal weights, got '{}'",
                           m, alpha.IsScalar() ? alpha.Scalar() : "a map"));
  }
  // Checked even without auto, so a typo never waits for a later run.
  try {
    const auto metrics = make_metrics(registries, {tune_metric_}, {10});
    if (metrics.size() != 1 || metrics[0]->kind() == Metric::Kind::Rating)
      fail("give one ranking metric with its cut-off, e.g. ndcg@10");
  } catch (const Error& e) {
    params.fail_at("tune_metric", e.what());
  }
  const int64_t steps = grid_steps(tune_grid_);
  if (steps == 0)
    params.fail_at("tune_grid", "must be in (0, 1] with 1/tune_grid an integer (e.g. 0.1, 0.05, 0.25)");
  if (auto_alpha_ && grid_size(m, steps) > kMaxGridPoints)
    params.fail_at("tune_grid",
               fmt::format("{} components at step {} make {} grid points (at most {}); use a coarser step", m,
                           tune_grid_, grid_size(m, steps), kMaxGridPoints));
}

void WeightedHybrid::fit(const FitContext& context) {
  num_items_ = context.train.num_items();
  if (auto_alpha_ && !context.validation)  // before the components' fit: fail fast
    fail_config(alpha_key_, alpha_origin_, "alpha: auto needs a validation carve-out: set split.validation=0.1");
  components_.fit(context);
  trace_.clear();
  if (auto_alpha_) tune(context);
}

void WeightedHybrid::combine(const std::vector<double>& alpha, std::span<const int32_t> users, std::span<float> out,
                             const Interactions* history) const {
  std::fill(out.begin(), out.end(), 0.0f);
  std::vector<float> buffer(out.size());
  for (size_t m = 0; m < components_.size(); ++m) {
    if (alpha[m] == 0) continue;  // a zero weight adds exactly nothing: skip the scoring
    components_.score_normalized(m, users, buffer, normalization_, history);
    const auto a = static_cast<float>(alpha[m]);
    for (size_t i = 0; i < out.size(); ++i) out[i] += a * buffer[i];
  }
}

void WeightedHybrid::score(std::span<const int32_t> users, std::span<float> out) const { combine(alpha_, users, out); }

void WeightedHybrid::score_history(std::span<const int32_t> users, const Interactions& history,
                                   std::span<float> out) const {
  combine(alpha_, users, out, &history);
}

UpdateResult WeightedHybrid::update(const UpdateContext& context) {
  auto result = components_.update(context);
  // A replay round brings new interactions but no fresh validation carve-out to tune on (the
  // original one may now overlap the training data), so tuned weights stay as they were.
  if (auto_alpha_)
    result.how += fmt::format("; alpha {} kept from fit's tuning (not re-tuned: a replay round has no fresh "
                              "validation carve-out)",
                              show_alpha(alpha_));
  else
    result.how += fmt::format("; alpha {} fixed", show_alpha(alpha_));
  return result;
}

std::vector<Reason> WeightedHybrid::explain(int32_t user, int32_t item, int max_reasons) const {
  return components_.explain_blend(user, item, max_reasons, alpha_, normalization_);
}

void WeightedHybrid::tune(const FitContext& context) {
  auto& log = context_log(context);
  const Interactions& validation = *context.validation;
  const Interactions& train = context.train;

  // Full-ranking cases: each validation user's held-out items, ranked against every non-training item.
  std::vector<EvalCase> cases;
  for (int32_t u = 0; u < validation.num_users(); ++u) {
    const auto items = validation.items_of(u);
    if (items.empty()) continue;
    cases.push_back({u, std::vector<int32_t>(items.begin(), items.end()), {}});
  }
  if (cases.empty()) fail("alpha: auto found no validation interactions; raise split.validation (e.g. 0.1)");

  MetricContext metric_context;
  metric_context.num_items = train.num_items();
  metric_context.num_train_users = train.active_users();
  metric_context.phi = train.item_user_counts();
  metric_context.tail = pareto_tail(metric_context.phi, 0.8);
  const auto metrics = make_metrics(registries_, {tune_metric_}, {10});

  // Normalised component scores of the validation users, computed once when they fit the cache.
  const auto n = static_cast<size_t>(num_items_);
  const size_t m_count = components_.size();
  const auto users = static_cast<int64_t>(cases.size());
  std::vector<int32_t> row_of(static_cast<size_t>(validation.num_users()), -1);
  std::vector<std::vector<float>> cache;
  if (users * static_cast<int64_t>(n) * static_cast<int64_t>(m_count * sizeof(float)) <= kTuneCacheBytes) {
    for (int64_t r = 0; r < users; ++r) row_of[static_cast<size_t>(cases[static_cast<size_t>(r)].user)] = static_cast<int32_t>(r);
    cache.assign(m_count, std::vector<float>(static_cast<size_t>(users) * n));
    parallel_chunks(users, 64, context.threads, [&](int64_t begin, int64_t end) {
      std::vector<int32_t> block;
      for (int64_t r = begin; r < end; ++r) block.push_back(cases[static_cast<size_t>(r)].user);
      for (size_t m = 0; m < m_count; ++m)
        components_.score_normalized(
            m, block, std::span<float>(cache[m].data() + static_cast<size_t>(begin) * n, block.size() * n), normalization_);
    });
  }

  EvaluationOptions options;
  options.threads = context.threads;
  options.list_length = std::max(1, metrics[0]->k());
  const EvaluationInput input{train, validation, cases, false, metric_context};
  const auto grid = simplex_grid(m_count, tune_grid_);
  log.info("weighted: tuning alpha on {} validation users: {} grid points, {}", cases.size(), grid.size(), tune_metric_);
  double best = -std::numeric_limits<double>::infinity();
  size_t best_index = grid.size();
  for (size_t g = 0; g < grid.size(); ++g) {
    const auto& alpha = grid[g];
    ScoreFunction candidate(num_items_, [&](std::span<const int32_t> block, std::span<float> out) {
      if (cache.empty()) return combine(alpha, block, out);
      // Same arithmetic as combine(), so the tuned value is exactly what score() reproduces.
      std::fill(out.begin(), out.end(), 0.0f);
      for (size_t m = 0; m < m_count; ++m) {
        if (alpha[m] == 0) continue;
        const auto a = static_cast<float>(alpha[m]);
        for (size_t u = 0; u < block.size(); ++u) {
          const float* row = cache[m].data() + static_cast<size_t>(row_of[static_cast<size_t>(block[u])]) * n;
          for (size_t i = 0; i < n; ++i) out[u * n + i] += a * row[i];
        }
      }
    });
    const double value = evaluate(candidate, input, metrics, options).values[0];
    trace_.push_back({alpha, value});
    log.info("weighted:   alpha={} {}={:.6f}", show_alpha(alpha), metrics[0]->name(), value);
    if (!std::isnan(value) && value > best) best = value, best_index = g;  // ties: the first in grid order
  }
  if (best_index == grid.size())
    fail("alpha: auto: {} is undefined for every validation user (no user counted); choose another tune_metric",
         tune_metric_);
  alpha_ = grid[best_index];
  log.info("weighted: alpha: auto chose {} ({}={:.6f}); components stay fitted on train only (no refit on "
           "train+validation)",
           show_alpha(alpha_), metrics[0]->name(), best);
}

void register_weighted(Registries& registries) {
  registries.algorithms.add(
      {"weighted",
       "Weighted hybrid: a linear blend of per-user-normalised scores of any registered algorithms.\n"
       "score(u, i) = sum_m alpha_m * norm_u(s_m(u, .))(i); norm over every catalog item of the user's row:\n"
       "minmax (s-min)/(max-min) (0 if max=min), zscore (s-mean)/std (population std; 0 if std=0),\n"
       "rank 1 - rank/(n-1) (rank 0 = best, ties share their mean rank), none. alpha: auto picks alpha on the simplex\n"
       "grid of step tune_grid maximising tune_metric on the validation carve-out (full ranking, training items\n"
       "masked; ties: first grid point); the components stay fitted on train only.",
       {components_param({"user_knn", "tfidf"},
                         "the blended algorithms (>= 2): registered names or maps {name, label?, <params>}"),
        ParamSpec::node("alpha", "one weight >= 0 per component, or auto (grid search on the validation carve-out); "
                                 "null = equal weights 1/M"),
        ParamSpec::choice("normalization", "minmax", normalization_names(),
                          "per-user normalisation of each component's scores before blending"),
        ParamSpec::text("tune_metric", "ndcg@10", "alpha: auto maximises this metric (name@k) on the validation carve-out"),
        ParamSpec::real("tune_grid", 0.1, "alpha: auto searches the simplex grid with this step (1/step an integer)",
                        0.0, 1.0)},
       [&registries](const Params& params) { return std::make_unique<WeightedHybrid>(registries, params); }});
}

}  // namespace tailrec
