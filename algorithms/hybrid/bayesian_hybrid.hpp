#pragma once
// bayesian: per-user Bayesian model averaging of component recommenders. Each component m is a
// hypothesis about how user u picks items; its evidence is the user's validation items V_u:
//   log P(V_u | m) = sum_{i in V_u} [ z_m(u, i) - log sum_{j in C_u} exp z_m(u, j) ],
//   z_m(u, j) = norm_u(s_m(u, .))(j) / T,   C_u = every catalog item not in train_u,
//   P(m | R_u) = P(m) P(V_u | m) / sum_k P(k) P(V_u | k)   (log-sum-exp in double),
//   score(u, i) = sum_m P(m | R_u) * norm_u(s_m(u, .))(i).
// Users without validation items take the mean posterior of their activity bucket (training
// interactions); without a validation carve-out every user takes the prior.
// update() updates the components and recomputes every posterior from the updated models (the same
// computation as fit); explain() returns the additive terms P(m | R_u) * norm_u(s_m(u, .))(i).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "algorithms/hybrid/hybrid_components.hpp"

namespace tailrec {

// Users with more than the previous bound and at most `upper` training interactions (the last
// bucket also takes every user above its bound).
struct BucketPosterior {
  int64_t lower = 0;             // inclusive
  int64_t upper = 0;             // inclusive
  int32_t users = 0;             // every user of the bucket
  int32_t validation_users = 0;  // those with validation items: their posteriors make the mean
  std::vector<double> mean_weight;  // per component; the weights of the bucket's other users
  std::string source;            // "validation", "all validation users" or "prior": where the mean came from
};

class BayesianHybrid final : public Algorithm {
 public:
  BayesianHybrid(const Registries& registries, const Params& params);

  void fit(const FitContext& context) override;

  bool ranks_cold_users() const override { return components_.any_ranks_cold_users(); }
  bool scores_cold_items() const override { return components_.any_scores_cold_items(); }
  void score(std::span<const int32_t> users, std::span<float> out) const override;
  UpdateResult update(const UpdateContext& context) override;
  // One Component reason per nonzero term P(m | R_u) * norm_u(s_m(u, .))(item), largest first.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override;
  bool explains() const override { return true; }

  // The weights P(m | R_u) used for `user` (after fit).
  std::span<const double> posterior(int32_t user) const;
  const std::vector<BucketPosterior>& bucket_posteriors() const { return buckets_; }
  const std::vector<double>& prior() const { return prior_; }
  const HybridComponents& components() const { return components_; }
  // The bucket table as logged by fit(): bucket, users, validation users, mean weight per component.
  std::string bucket_table() const;

 private:
  void fit_posteriors(const FitContext& context);

  HybridComponents components_;
  Normalization normalization_;
  double temperature_ = 1.0;
  std::vector<double> prior_;
  std::vector<int64_t> bounds_;
  std::vector<BucketPosterior> buckets_;
  std::vector<double> weights_;  // [num_users x M]
};

}  // namespace tailrec
