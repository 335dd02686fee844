#pragma once
// weighted: a linear blend of per-user-normalised component scores,
//   s(u, i) = sum_m alpha_m * norm_u(s_m(u, .))(i),
// with fixed weights or weights chosen by grid search on the validation carve-out (alpha: auto).
// update() updates the components and keeps alpha; explain() returns the blend's M terms.
#include <memory>
#include <string>
#include <vector>

#include "algorithms/hybrid/hybrid_components.hpp"
#include "framework/metrics/metric.hpp"

namespace tailrec {

// Every weight vector on the simplex grid with step `step` (1/step must be an integer K) over `m`
// components, in grid order: k = (k_1, ..., k_m) with sum k = K, enumerated lexicographically
// ascending in k_1, ..., k_{m-1} (k_m = the remainder); alpha = k / K. For m = 2, step 0.5:
// (0, 1), (0.5, 0.5), (1, 0).
std::vector<std::vector<double>> simplex_grid(size_t m, double step);

class WeightedHybrid final : public Algorithm {
 public:
  struct TuneStep {
    std::vector<double> alpha;
    double value = 0;  // tune_metric on the validation carve-out (NaN when no user counted)
  };

  WeightedHybrid(const Registries& registries, const Params& params);

  void fit(const FitContext& context) override;

  // Only components with a positive weight take part in the blend (alpha is known after fit).
  bool ranks_cold_users() const override { return components_.any_ranks_cold_users(alpha_); }
  bool scores_cold_items() const override { return components_.any_scores_cold_items(alpha_); }
  void score(std::span<const int32_t> users, std::span<float> out) const override;
  // Fixed weights fold in when every weighted component does; alpha: auto tunes on validation users
  // scored from training, which a fold-in split holds out of it.
  bool folds_in() const override { return !auto_alpha_ && components_.all_fold_in(alpha_); }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override;
  UpdateResult update(const UpdateContext& context) override;
  // One Component reason per nonzero term alpha_m * norm_u(s_m(u, .))(item), largest first.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override;
  bool explains() const override { return true; }

  const std::vector<double>& alpha() const { return alpha_; }  // after fit when tuned
  const std::vector<TuneStep>& tune_trace() const { return trace_; }
  const HybridComponents& components() const { return components_; }

 private:
  // The blend of the components' scores of `users` (their fold-in scores with a `history`).
  void combine(const std::vector<double>& alpha, std::span<const int32_t> users, std::span<float> out,
               const Interactions* history = nullptr) const;
  void tune(const FitContext& context);

  const Registries& registries_;
  HybridComponents components_;
  Normalization normalization_;
  bool auto_alpha_ = false;
  std::vector<double> alpha_;
  std::string alpha_key_, alpha_origin_;  // for the "needs a validation carve-out" error
  std::string tune_metric_;
  double tune_grid_ = 0.1;
  std::vector<TuneStep> trace_;
};

}  // namespace tailrec
