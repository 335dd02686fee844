// adaptive_hybrid: a weighted blend whose weights follow the feedback of each replay round
// (docs/replay.md). Scores as `weighted` does, s(u,i) = sum_m w_m norm_u(s_m(u,.))(i); after each
// round, update() measures what each component's OWN top-k lists would have earned on the round's
// interactions and moves the weights by an exponentiated-gradient step toward the better ones.
#include <algorithm>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "algorithms/hybrid/hybrid.hpp"
#include "algorithms/hybrid/hybrid_components.hpp"
#include "framework/metrics/topk.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/parallel.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

constexpr const char* kDescription =
    "A weighted hybrid whose weights learn from replay feedback (exponentiated gradient, Kivinen & Warmuth 1997).\n"
    "score(u, i) = sum_m w_m * norm_u(s_m(u, .))(i), w on the simplex, starting uniform.\n"
    "After each replay round (Algorithm::update): every round user with an earlier interaction gets each "
    "component's own top-k (k = reward_k, earlier items excluded, docs/metrics.md ties); p_m = hits of component m / "
    "(users * k), the precision its lists would have earned on the round. With g_m = p_m / max_j p_j (relative "
    "gain in [0, 1]; no update when no component hit anything): w_m <- w_m exp(eta g_m) / Z. Then every component "
    "is updated. Deterministic: no sampling (unlike Thompson sampling), so runs repeat bit for bit.";

class AdaptiveHybrid final : public Algorithm {
 public:
  AdaptiveHybrid(const Registries& registries, const Params& params)
      : components_(registries, params, 2, 16),
        normalization_(parse_normalization(params.text("normalization"))),
        eta_(params.real("eta")),
        reward_k_(static_cast<int>(params.integer("reward_k"))) {}

  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    components_.fit(context);
    weights_.assign(components_.size(), 1.0 / static_cast<double>(components_.size()));
    last_rewards_.assign(components_.size(), 0.0);
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override { blend(users, out, nullptr); }
  // Fold-in: the same blend of the components' fold-in scores (weights move only under replay).
  bool folds_in() const override { return components_.all_fold_in(); }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    blend(users, out, &history);
  }

  UpdateResult update(const UpdateContext& context) override {
    // The rewards judge the components as they were during the round, before they learn it.
    last_rewards_ = round_precision(context);
    const double best = *std::max_element(last_rewards_.begin(), last_rewards_.end());
    if (best > 0) {
      double total = 0;
      for (size_t m = 0; m < weights_.size(); ++m) {
        weights_[m] *= std::exp(eta_ * last_rewards_[m] / best);
        total += weights_[m];
      }
      for (auto& w : weights_) w /= total;
    }
    const auto components = components_.update(context);
    std::vector<std::string> shown;
    for (size_t m = 0; m < weights_.size(); ++m)
      shown.push_back(fmt::format("{} {:.4f} (p={:.4f})", components_.label(m), weights_[m], last_rewards_[m]));
    return {components.incremental,
            fmt::format("weights {}{}; {}", join(shown, ", "), best > 0 ? "" : " (no hit: unchanged)", components.how)};
  }

  bool explains() const override { return true; }
  bool ranks_cold_users() const override { return components_.any_ranks_cold_users(); }
  bool scores_cold_items() const override { return components_.any_scores_cold_items(); }
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    return components_.explain_blend(user, item, max_reasons, weights_, normalization_);
  }

  std::vector<StateValue> state() const override {
    std::vector<StateValue> out;
    for (size_t m = 0; m < weights_.size(); ++m) out.emplace_back("weight:" + components_.label(m), weights_[m]);
    for (size_t m = 0; m < weights_.size(); ++m) out.emplace_back("reward:" + components_.label(m), last_rewards_[m]);
    return out;
  }

 private:
  void blend(std::span<const int32_t> users, std::span<float> out, const Interactions* history) const {
    std::fill(out.begin(), out.end(), 0.0f);
    std::vector<float> buffer(out.size());
    for (size_t m = 0; m < components_.size(); ++m) {
      components_.score_normalized(m, users, buffer, normalization_, history);
      const auto w = static_cast<float>(weights_[m]);
      for (size_t i = 0; i < out.size(); ++i) out[i] += w * buffer[i];
    }
  }

  // p_m: the precision of component m's own top-k lists for the round's users (those known before it).
  std::vector<double> round_precision(const UpdateContext& context) const {
    const Interactions round(context.added, context.previous.num_users(), context.previous.num_items());
    std::vector<int32_t> users;
    for (int32_t u = 0; u < round.num_users(); ++u)
      if (round.row_size(u) > 0 && context.previous.row_size(u) > 0) users.push_back(u);
    std::vector<double> precision(components_.size(), 0.0);
    if (users.empty()) return precision;
    // Per user and component, the hit count; summed afterwards in user order (thread-count independent).
    std::vector<int64_t> hits(users.size() * components_.size(), 0);
    parallel_chunks(static_cast<int64_t>(users.size()), 16, context.fit.threads, [&](int64_t begin, int64_t end) {
      std::vector<float> row(static_cast<size_t>(num_items_));
      std::vector<Scored> heap, top;
      for (int64_t p = begin; p < end; ++p) {
        const int32_t u = users[static_cast<size_t>(p)];
        const auto relevant = round.items_of(u);
        for (size_t m = 0; m < components_.size(); ++m) {
          components_.algorithm(m).score(std::span<const int32_t>(&u, 1), row);
          top_k_excluding(row, context.previous.items_of(u), reward_k_, heap, top);
          for (const auto& s : top)
            if (std::binary_search(relevant.begin(), relevant.end(), s.item)) ++hits[static_cast<size_t>(p) * components_.size() + m];
        }
      }
    });
    for (size_t p = 0; p < users.size(); ++p)
      for (size_t m = 0; m < components_.size(); ++m) precision[m] += static_cast<double>(hits[p * components_.size() + m]);
    for (auto& v : precision) v /= static_cast<double>(users.size()) * reward_k_;
    return precision;
  }

  HybridComponents components_;
  Normalization normalization_;
  double eta_;
  int reward_k_;
  std::vector<double> weights_;
  std::vector<double> last_rewards_;
};

}  // namespace

void register_adaptive_hybrid(Registries& registries) {
  registries.algorithms.add(
      {"adaptive_hybrid",
       kDescription,
       {components_param({"most_popular", "user_knn", "tfidf"},
                         "the blended algorithms: names or maps {name, label?, <params>} (2 to 16)"),
        ParamSpec::choice("normalization", "minmax", normalization_names(), "per-user score normalisation before blending"),
        ParamSpec::real("eta", 1.0, "learning rate of the exponentiated-gradient step (0 = fixed uniform weights)", 0.0, 100.0),
        ParamSpec::integer("reward_k", 10, "length of each component's own list when its round reward is measured", 1, 1000)},
       [&registries](const Params& p) { return std::make_unique<AdaptiveHybrid>(registries, p); }});
}

}  // namespace tailrec
