#include "algorithms/neural/neural_recommender.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "algorithms/neural/neural_training.hpp"
#include "algorithms/torch/torch_runtime.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {

namespace fs = std::filesystem;

constexpr uint64_t kUpdateSalt = 0x7570646174652121ull;  // "update!!"

// The distinct (user, item) pairs of an update's new interactions, as a matrix of the catalog.
Interactions new_pairs(const InteractionLog& added, int32_t num_users, int32_t num_items, const std::string& name) {
  std::vector<std::pair<int32_t, int32_t>> pairs;
  pairs.reserve(added.size());
  for (size_t row = 0; row < added.size(); ++row) {
    const int32_t u = added.users[row], i = added.items[row];
    if (u < 0 || u >= num_users || i < 0 || i >= num_items)
      fail("{}: update row {} names user {} / item {}, outside the fitted catalog of {} users x {} items; the catalog "
           "must stay fixed across updates (build it from every round's data before fitting)", name, row, u, i,
           num_users, num_items);
    pairs.emplace_back(u, i);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  InteractionLog log;
  log.reserve(pairs.size());
  for (const auto& [u, i] : pairs) log.push(u, i, 1.0f);
  return Interactions(log, num_users, num_items);
}

std::optional<std::string> optional_text(const Params& p, std::string_view name) {
  if (!p.has(name)) return std::nullopt;
  return p.text(name);
}

class NeuralRecommender final : public Algorithm {
 public:
  NeuralRecommender(NcfKind kind, const Params& p) : kind_(kind), name_(to_string(kind)) {
    const bool mf = kind != NcfKind::Mlp, mlp = kind == NcfKind::Mlp || kind == NcfKind::NeuMf;
    if (mf) factors_ = p.integer("factors");
    if (mlp) layers_ = p.integers("layers");
    plan_.label = name_;
    plan_.epochs = p.integer("epochs");
    plan_.batch_size = p.integer("batch_size");
    plan_.negatives = static_cast<int>(p.integer("negatives"));
    plan_.pairwise = kind == NcfKind::BprMf;
    plan_.optimizer.kind = p.text("optimizer") == "sgd" ? OptimizerKind::Sgd : OptimizerKind::Adam;
    plan_.optimizer.lr = p.real("lr");
    if (kind == NcfKind::BprMf) plan_.optimizer.l2_bpr = p.real("l2");
    else plan_.optimizer.l2_embeddings = p.real("l2");
    if (mlp) plan_.optimizer.l2_layers = p.real("l2_layers");
    plan_.patience = p.integer("patience");
    plan_.metric = p.text("metric");
    plan_.validation_negatives = p.integer("validation_negatives");
    update_epochs_ = p.integer("update_epochs");
    if (update_epochs_ < 0) fail("{}: update_epochs = {} must be >= 0 (0 = refit from scratch on update)", name_, update_epochs_);
    checkpoint_ = optional_text(p, "checkpoint");
    check_plan(plan_);
    if (kind == NcfKind::NeuMf) {
      pretrain_ = p.boolean("pretrain");
      pretrain_epochs_ = p.integer("pretrain_epochs");
      pretrain_lr_ = p.real("pretrain_lr");
      alpha_ = p.real("alpha");
      pretrained_gmf_ = optional_text(p, "pretrained_gmf");
      pretrained_mlp_ = optional_text(p, "pretrained_mlp");
      if (!pretrain_ && (pretrained_gmf_ || pretrained_mlp_))
        fail("neumf: pretrained_gmf / pretrained_mlp are set but pretrain is false; set pretrain: true to use them");
    }
  }

  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    updates_ = 0;
    Logger& log = context.log ? *context.log : Logger::null();
    configure_torch_cpu_threads(context.threads);
    const NcfShape shape = shape_of(kind_, context.train);
    if (checkpoint_) {
      network_ = load_checked(*checkpoint_, shape, context, "checkpoint");
      network_->prepare_scoring();
      log.info("{}: loaded {} from checkpoint {} (no training)", name_, shape.describe(), *checkpoint_);
      return;
    }
    std::unique_ptr<NcfNetwork> network;
    if (kind_ == NcfKind::NeuMf && pretrain_) {
      auto gmf = pretrained(NcfKind::Gmf, pretrained_gmf_, context);
      auto mlp = pretrained(NcfKind::Mlp, pretrained_mlp_, context);
      network = NcfNetwork::neumf_from(*gmf, *mlp, alpha_);
      log.info("neumf: initialised from the pretrained gmf and mlp, output layer [{} h_gmf ; {} h_mlp]", alpha_, 1 - alpha_);
    } else {
      network = NcfNetwork::create(shape, context.seed, context.device);
    }
    network_ = train_network(std::move(network), context, plan_);
  }

  // Fine-tunes the current weights for update_epochs epochs on the new pairs alone (negatives avoid
  // everything the user has seen), the sampler seeded by (seed, update number): repeatable, and
  // cheap next to a refit. update_epochs = 0 refits from scratch instead.
  UpdateResult update(const UpdateContext& context) override {
    if (update_epochs_ == 0) {
      fit(context.fit);
      return {false, "refit: update_epochs=0"};
    }
    if (!network_) throw Error(name_ + ": update() before fit()");
    const Interactions& seen = context.fit.train;
    const NcfShape& shape = network_->shape();
    if (shape.users != seen.num_users() || shape.items != seen.num_items())
      fail("{}: the fitted embedding tables cover {} users x {} items, but the updated data has {} x {}; the catalog "
           "must stay fixed across updates (set update_epochs: 0 to refit instead)", name_, shape.users, shape.items,
           seen.num_users(), seen.num_items());
    const Interactions positives = new_pairs(context.added, shape.users, shape.items, name_);
    ++updates_;
    if (positives.nnz() == 0) return {true, "incremental: no new interactions, weights unchanged"};
    NeuralTrainingPlan plan = plan_;
    plan.label = fmt::format("{} update {}", name_, updates_);
    plan.epochs = update_epochs_;
    const uint64_t seed = Random::derive(context.fit.seed ^ kUpdateSalt, static_cast<uint64_t>(updates_)).next();
    fine_tune_network(*network_, positives, seen, seed, plan, context.fit.threads,
                      context.fit.log ? *context.fit.log : Logger::null());
    return {true, fmt::format("incremental: fine-tuned {} epoch{} on {} new interactions ({} negatives each)",
                              update_epochs_, update_epochs_ == 1 ? "" : "s", positives.nnz(), plan.negatives)};
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    if (!network_) throw Error(name_ + ": score() before fit()");
    network_->score(users, out);
  }

 private:
  NcfShape shape_of(NcfKind kind, const Interactions& train) const {
    NcfShape s{kind, train.num_users(), train.num_items(), 0, {}};  // sizes a kind does not use stay 0 / empty
    if (kind != NcfKind::Mlp) s.factors = factors_;
    if (kind == NcfKind::Mlp || kind == NcfKind::NeuMf) s.layers = layers_;
    return s;
  }

  // A relative path is resolved against the run's work folder (where each algorithm label has its
  // own subfolder: gmf/model.pt), or the working directory outside a run.
  static fs::path resolve(const std::string& path, const FitContext& context) {
    const fs::path p(path);
    if (p.is_absolute() || context.work_dir.empty()) return p;
    return context.work_dir.parent_path() / p;
  }

  std::unique_ptr<NcfNetwork> load_checked(const std::string& path, const NcfShape& expected, const FitContext& context,
                                           const std::string& key) const {
    const fs::path file = resolve(path, context);
    if (!fs::exists(file))
      fail("{}: {} = '{}' does not exist (looked for {}); give a model.pt saved by an earlier run (run folder "
           "work/<label>/model.pt){}", name_, key, path, file.string(),
           key == "checkpoint" ? std::string()
                               : std::string(", list the component before neumf in algorithms (labels gmf and mlp), "
                                             "or set it to null to pretrain inside neumf"));
    auto network = NcfNetwork::load(file, context.device);
    if (!(network->shape() == expected))
      fail("{}: {} '{}' holds {}, but this configuration on this data needs {}; make factors / layers (and the "
           "data) match the saved model", name_, key, file.string(), network->shape().describe(), expected.describe());
    return network;
  }

  // A gmf or mlp for neumf: loaded from `path`, or trained here exactly as the standalone
  // algorithm with the same settings and seed would be (so it equals a gmf / mlp run beside it).
  std::unique_ptr<NcfNetwork> pretrained(NcfKind kind, const std::optional<std::string>& path, const FitContext& context) const {
    const NcfShape shape = shape_of(kind, context.train);
    const std::string component(to_string(kind));
    if (path) {
      auto network = load_checked(*path, shape, context, "pretrained_" + component);
      if (context.log) context.log->info("neumf: pretrained {} loaded from {}", component, *path);
      return network;
    }
    NeuralTrainingPlan plan = plan_;
    plan.label = "neumf (" + component + " pretraining)";
    plan.epochs = pretrain_epochs_;
    plan.optimizer.kind = OptimizerKind::Adam;
    plan.optimizer.lr = pretrain_lr_;
    if (kind == NcfKind::Gmf) plan.optimizer.l2_layers = 0;
    plan.checkpoint_file = "pretrained_" + component + ".pt";
    return train_network(NcfNetwork::create(shape, context.seed, context.device), context, plan);
  }

  NcfKind kind_;
  std::string name_;
  int64_t factors_ = 0;
  std::vector<int64_t> layers_;
  NeuralTrainingPlan plan_;
  int64_t update_epochs_ = 1;
  int64_t updates_ = 0;  // update() calls since fit(): seeds each update's sampler
  std::optional<std::string> checkpoint_;
  bool pretrain_ = false;
  int64_t pretrain_epochs_ = 0;
  double pretrain_lr_ = 0;
  double alpha_ = 0.5;
  std::optional<std::string> pretrained_gmf_, pretrained_mlp_;
  std::unique_ptr<NcfNetwork> network_;
};

}  // namespace

std::unique_ptr<Algorithm> make_neural_recommender(NcfKind kind, const Params& params) {
  return std::make_unique<NeuralRecommender>(kind, params);
}

}  // namespace tailrec
