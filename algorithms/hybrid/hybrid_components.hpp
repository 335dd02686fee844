#pragma once
// The nested algorithms of a hybrid. The `components` parameter (ParamType::AlgorithmList) is read
// exactly like the top-level `algorithms:` list, by read_algorithm_entry, and every component is
// constructed at once, so a bad nested config fails while the plan is
// validated, before any data is loaded. Components are fitted in fit() (updated in update()) and
// scored as blocks whose rows are normalised per user, so scores of different models can be
// combined; explain_blend() decomposes a weighted sum of those normalised scores per component.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "algorithms/hybrid/score_normalization.hpp"
#include "framework/config/registries.hpp"
#include "framework/model/algorithm.hpp"

namespace tailrec {

class Logger;

// The `components` parameter of every hybrid (an AlgorithmList); `fallback` is its default list of names.
ParamSpec components_param(const std::vector<std::string>& fallback, std::string help);

class HybridComponents {
 public:
  // Reads params.node("components"); needs between min_count and max_count entries.
  HybridComponents(const Registries& registries, const Params& params, size_t min_count, size_t max_count);

  size_t size() const { return algorithms_.size(); }
  const std::string& label(size_t m) const { return labels_[m]; }
  const std::vector<std::string>& labels() const { return labels_; }
  const Algorithm& algorithm(size_t m) const { return *algorithms_[m]; }
  // Whether some component ranks cold users (Algorithm::ranks_cold_users): a blend of components
  // then ranks them by that component. With `weights`, only components of positive weight count
  // (a blend skips the others).
  bool any_ranks_cold_users(std::span<const double> weights = {}) const;
  // Whether some component (of positive weight) scores cold items (Algorithm::scores_cold_items).
  bool any_scores_cold_items(std::span<const double> weights = {}) const;

  // Whether every component (of positive weight) folds in (Algorithm::folds_in): a blend of them then
  // scores a user from her history as it blends their scores of a training user.
  bool all_fold_in(std::span<const double> weights = {}) const;

  // Fits every component on the same context (same train, seed and validation; work_dir/<label>).
  void fit(const FitContext& context);
  // Updates every component (protocol=replay) with the same context but work_dir/<label>, as fit
  // does. incremental = every component's update was; how = "components: <label>: <how>; ...".
  UpdateResult update(const UpdateContext& context);
  // Component m's scores of `users` into out [users x num_items], each row normalised; with a
  // `history`, its fold-in scores of their rows there (Algorithm::score_history).
  void score_normalized(size_t m, std::span<const int32_t> users, std::span<float> out, Normalization normalization,
                        const Interactions* history = nullptr) const;
  // norm_u(s_m(u, .))(item): the user's whole row is scored and normalised (the statistics need it),
  // once per user, component and fit/update on each thread (explanations ask item by item).
  double normalized_score(size_t m, int32_t user, int32_t item, Normalization normalization) const;

  // Component m as a reason: Kind::Component, text = its label, the given weight, and detail = the
  // component's own explain(user, item, max_reasons) (empty when it cannot explain).
  Reason component_reason(size_t m, int32_t user, int32_t item, double weight, int max_reasons) const;
  // The terms of score(u, i) = sum_m weights[m] * norm_u(s_m(u, .))(i): one component reason per
  // nonzero term (weight = its term), largest first, ties by component order, at most max_reasons.
  // With every term kept, the weights sum to the blended score.
  std::vector<Reason> explain_blend(int32_t user, int32_t item, int max_reasons, std::span<const double> weights,
                                    Normalization normalization) const;

 private:
  std::vector<std::string> labels_;
  std::vector<std::unique_ptr<Algorithm>> algorithms_;
  uint64_t version_ = 0;  // new on every fit() and update(): keys normalized_score()'s row cache
};


// The logger of a context (a silent one when the caller gave none).
Logger& context_log(const FitContext& context);

}  // namespace tailrec
