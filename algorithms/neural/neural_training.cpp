#include "algorithms/neural/neural_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>

#include "algorithms/neural/negative_sampler.hpp"
#include "algorithms/torch/torch_runtime.hpp"
#include "framework/config/registries.hpp"
#include "framework/evaluation/evaluator.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/owned_folder.hpp"
#include "framework/util/progress.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {

constexpr uint64_t kValidationNegativeSalt = 0x76616C6E65676174ull;  // "valnegat"

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The network as an Algorithm, so the framework evaluator can rank with it.
class NetworkScorer final : public Algorithm {
 public:
  explicit NetworkScorer(const NcfNetwork& network) : network_(network) { num_items_ = network.shape().items; }
  void fit(const FitContext&) override {}
  void score(std::span<const int32_t> users, std::span<float> out) const override { network_.score(users, out); }

 private:
  const NcfNetwork& network_;
};

// The validation carve-out as evaluation cases: one per user ranking every non-training item
// (negatives = 0), or one per validation item ranking it among `negatives` distinct items the
// user has in neither training nor validation (NCF's sampled protocol, seeded per user).
std::vector<EvalCase> validation_cases(const Interactions& train, const Interactions& validation, int64_t negatives,
                                       uint64_t seed) {
  std::vector<EvalCase> cases;
  const int32_t num_items = train.num_items();
  for (int32_t u = 0; u < validation.num_users(); ++u) {
    const auto held_out = validation.items_of(u);
    if (held_out.empty()) continue;
    if (negatives == 0) {
      cases.push_back({u, std::vector<int32_t>(held_out.begin(), held_out.end()), {}});
      continue;
    }
    const auto seen = train.items_of(u);
    const auto known = [&](int32_t j) {
      return std::binary_search(seen.begin(), seen.end(), j) || std::binary_search(held_out.begin(), held_out.end(), j);
    };
    std::vector<int32_t> pool;  // every candidate negative, when there are few
    const int64_t available = num_items - static_cast<int64_t>(seen.size() + held_out.size());
    Random rng = Random::derive(seed ^ kValidationNegativeSalt, static_cast<uint64_t>(u));
    for (int32_t item : held_out) {
      EvalCase c{u, {item}, {item}};
      if (available <= negatives) {
        for (int32_t j = 0; j < num_items; ++j)
          if (!known(j)) c.candidates.push_back(j);
      } else {
        std::vector<int32_t> drawn;
        while (static_cast<int64_t>(drawn.size()) < negatives) {
          const auto j = static_cast<int32_t>(rng.below(static_cast<uint64_t>(num_items)));
          if (!known(j) && std::find(drawn.begin(), drawn.end(), j) == drawn.end()) drawn.push_back(j);
        }
        c.candidates.insert(c.candidates.end(), drawn.begin(), drawn.end());
      }
      std::sort(c.candidates.begin(), c.candidates.end());
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

struct Validation {
  std::vector<EvalCase> cases;
  std::vector<std::unique_ptr<Metric>> metrics;  // exactly one
  MetricContext context;
};

std::vector<std::unique_ptr<Metric>> validation_metric(const NeuralTrainingPlan& plan) {
  Registries registries;
  register_metrics(registries);
  auto metrics = make_metrics(registries, {plan.metric}, {10});
  if (metrics.size() != 1 || (metrics[0]->kind() != Metric::Kind::PerUser && metrics[0]->kind() != Metric::Kind::PerCase))
    fail("{}: metric = '{}' must name one ranking metric computed per user, such as ndcg@10, hit@10 or recall@20",
         plan.label, plan.metric);
  return metrics;
}

Validation prepare_validation(const FitContext& context, const NeuralTrainingPlan& plan) {
  Validation v;
  v.metrics = validation_metric(plan);
  v.cases = validation_cases(context.train, *context.validation, plan.validation_negatives, context.seed);
  v.context.num_items = context.train.num_items();
  v.context.num_train_users = context.train.active_users();
  v.context.phi = context.train.item_user_counts();
  v.context.tail = pareto_tail(v.context.phi);
  return v;
}

double validate(const NcfNetwork& network, const FitContext& context, const Validation& v, const NeuralTrainingPlan& plan) {
  const NetworkScorer scorer(network);
  EvaluationOptions options;
  options.threads = context.threads;
  options.list_length = v.metrics[0]->k();
  const auto result = evaluate(scorer,
                               {context.train, *context.validation, v.cases, plan.validation_negatives > 0, v.context},
                               v.metrics, options);
  return result.values[0];
}

// The epoch loop of fit() and update(): up to plan.epochs epochs over every pair of `positives`,
// each with plan.negatives negatives drawn afresh per epoch from the items the user has not `seen`
// (the sampler's streams come from `seed` and the epoch number 1, 2, ...). After each epoch
// `after_epoch(epoch, progress line)` logs it and returns false to stop early.
void train_epochs(NcfNetwork& network, const Interactions& positives, const Interactions& seen, uint64_t seed,
                  const NeuralTrainingPlan& plan, int threads, Logger& log,
                  const std::function<bool(int64_t, const std::string&)>& after_epoch) {
  NegativeSampler sampler(positives, seen);
  TrainingInstances instances;
  for (int64_t epoch = 1; epoch <= plan.epochs; ++epoch) {
    const auto start = Clock::now();
    if (plan.pairwise) sampler.pairwise(seed, epoch, plan.negatives, threads, instances);
    else sampler.pointwise(seed, epoch, plan.negatives, threads, instances);
    const double sampling = seconds_since(start);
    EpochReport report;
    {
      ProgressBar bar(fmt::format("{} epoch {}/{}", plan.label, epoch, plan.epochs), &log != &Logger::null());
      report = network.train_epoch(instances, plan.batch_size, [&bar](int64_t done, int64_t total) { bar.update(done, total); });
    }
    if (!std::isfinite(report.mean_loss))
      fail("{}: the training loss became {} at epoch {}; lower lr (now {}) or batch_size", plan.label, report.mean_loss,
           epoch, plan.optimizer.lr);
    const std::string progress = fmt::format("{} epoch {}/{}: loss {:.4f}, {:.0f} samples/s ({:.1f} s, sampling {:.2f} s)",
                                             plan.label, epoch, plan.epochs, report.mean_loss,
                                             static_cast<double>(report.samples) / report.seconds, report.seconds, sampling);
    if (!after_epoch(epoch, progress)) break;
  }
}

}  // namespace

void check_plan(const NeuralTrainingPlan& plan) {
  if (plan.epochs < 1) fail("{}: epochs = {} must be >= 1", plan.label, plan.epochs);
  if (plan.batch_size < 1) fail("{}: batch_size = {} must be >= 1", plan.label, plan.batch_size);
  if (plan.patience < 0) fail("{}: patience = {} must be >= 0 (0 = no early stopping)", plan.label, plan.patience);
  if (plan.validation_negatives < 0)
    fail("{}: validation_negatives = {} must be >= 0 (0 = rank every item)", plan.label, plan.validation_negatives);
  validation_metric(plan);
}

std::unique_ptr<NcfNetwork> train_network(std::unique_ptr<NcfNetwork> network, const FitContext& context,
                                          const NeuralTrainingPlan& plan) {
  Logger& log = context.log ? *context.log : Logger::null();
  check_plan(plan);
  configure_torch_cpu_threads(context.threads);
  network->set_optimizer(plan.optimizer);

  const bool validating = context.validation != nullptr && context.validation->nnz() > 0;
  Validation validation;
  if (validating) {
    validation = prepare_validation(context, plan);
    log.info("{}: {} for {} epochs, batch {}, {} negatives per positive; early stopping on validation {} ({} cases, {}), "
             "patience {}", plan.label, network->shape().describe(), plan.epochs, plan.batch_size, plan.negatives,
             plan.metric, validation.cases.size(),
             plan.validation_negatives ? fmt::format("{} sampled negatives each", plan.validation_negatives)
                                       : std::string("ranking every item"),
             plan.patience ? std::to_string(plan.patience) : std::string("off"));
  } else {
    log.info("{}: {} for {} epochs, batch {}, {} negatives per positive; no validation carve-out (split.validation = 0): "
             "training the fixed {} epochs and keeping the last", plan.label, network->shape().describe(), plan.epochs,
             plan.batch_size, plan.negatives, plan.epochs);
  }

  const std::filesystem::path checkpoint = context.work_dir.empty() ? std::filesystem::path() : context.work_dir / plan.checkpoint_file;
  if (!checkpoint.empty())
    create_folder_inside(context.work_root.empty() ? checkpoint.parent_path() : context.work_root, checkpoint.parent_path());

  std::unique_ptr<NcfNetwork> best;
  double best_value = -std::numeric_limits<double>::infinity();
  int64_t best_epoch = 0;
  train_epochs(*network, context.train, context.train, context.seed, plan, context.threads, log,
               [&](int64_t epoch, const std::string& progress) {
                 if (!validating) {
                   log.info("{}", progress);
                   return true;
                 }
                 const auto eval_start = Clock::now();
                 network->prepare_scoring();
                 const double value = validate(*network, context, validation, plan);
                 const bool improved = value > best_value;
                 if (improved) {
                   best_value = value;
                   best_epoch = epoch;
                   best = network->clone();
                   if (!checkpoint.empty()) best->save(checkpoint);
                 }
                 log.info("{}, validation {} {:.4f}{} ({:.1f} s)", progress, plan.metric, value,
                          improved ? " (best)" : fmt::format(" (best {:.4f} at epoch {})", best_value, best_epoch),
                          seconds_since(eval_start));
                 if (plan.patience > 0 && epoch - best_epoch >= plan.patience && epoch < plan.epochs) {
                   log.info("{}: early stop after epoch {}: no validation improvement for {} epochs", plan.label, epoch,
                            plan.patience);
                   return false;
                 }
                 return true;
               });
  if (best) {
    network = std::move(best);
    log.info("{}: keeping epoch {} (validation {} {:.4f}){}", plan.label, best_epoch, plan.metric, best_value,
             checkpoint.empty() ? std::string() : ", saved to " + checkpoint.string());
  } else if (!checkpoint.empty()) {
    network->save(checkpoint);
    log.info("{}: model saved to {}", plan.label, checkpoint.string());
  }
  network->prepare_scoring();
  return network;
}

void fine_tune_network(NcfNetwork& network, const Interactions& positives, const Interactions& seen, uint64_t seed,
                       const NeuralTrainingPlan& plan, int threads, Logger& log) {
  check_plan(plan);
  configure_torch_cpu_threads(threads);
  network.set_optimizer(plan.optimizer);
  log.info("{}: fine-tuning {} for {} epochs on {} new interactions, batch {}, {} negatives per positive", plan.label,
           network.shape().describe(), plan.epochs, positives.nnz(), plan.batch_size, plan.negatives);
  train_epochs(network, positives, seen, seed, plan, threads, log, [&log](int64_t, const std::string& progress) {
    log.info("{}", progress);
    return true;
  });
  network.prepare_scoring();
}

}  // namespace tailrec
