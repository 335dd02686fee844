// switching: a content model where collaborative data is thin, a collaborative model elsewhere.
// by: user  -> users with fewer than `threshold` training interactions get the first component;
// by: item  -> items with fewer than `threshold` training users take the first component's score.
// Both components' rows are normalised per user so that, mixed within one list, scales match.
// update() updates both components and recounts; explain() names the one component that scored.
#include <memory>

#include "algorithms/hybrid/hybrid.hpp"
#include "algorithms/hybrid/hybrid_components.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

namespace {

class SwitchingHybrid final : public Algorithm {
 public:
  SwitchingHybrid(const Registries& registries, const Params& params)
      : components_(registries, params, 2, 2),
        normalization_(parse_normalization(params.text("normalization"))),
        threshold_(params.integer("threshold")),
        by_item_(params.text("by") == "item") {}

  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    components_.fit(context);
    count(context);
  }

  // The counts that pick a component are recomputed from the updated train: exact.
  UpdateResult update(const UpdateContext& context) override {
    auto result = components_.update(context);
    count(context.fit);
    result.how += fmt::format("; switching counts ({} per {}) recomputed from the updated train",
                              by_item_ ? "training users" : "training interactions", by_item_ ? "item" : "user");
    return result;
  }

  // The score is one component's normalised score: that component, weight = the score, with its reasons.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    if (max_reasons <= 0 || item < 0 || item >= num_items_) return {};
    const size_t m = by_item_ ? (item_counts_[static_cast<size_t>(item)] >= threshold_ ? 1 : 0)
                              : (uses_first(user) ? 0 : 1);
    return {components_.component_reason(m, user, item, components_.normalized_score(m, user, item, normalization_),
                                         max_reasons)};
  }
  bool explains() const override { return true; }
  // A cold user (no training interaction) is below every threshold > 0: by user she is the first
  // component's; by item both components score her.
  bool ranks_cold_users() const override {
    if (by_item_) return components_.any_ranks_cold_users();
    return components_.algorithm(threshold_ > 0 ? 0 : 1).ranks_cold_users();
  }
  // A cold item has no training user: by item it takes the first component's score (threshold > 0);
  // by user each user's list comes from one component, so both must score it.
  bool scores_cold_items() const override {
    if (by_item_) return components_.algorithm(threshold_ > 0 ? 0 : 1).scores_cold_items();
    return components_.algorithm(0).scores_cold_items() && components_.algorithm(1).scores_cold_items();
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override { switched(users, out, nullptr); }
  // Fold-in: both components fold in; by user, a held-out user's count is that of her history.
  bool folds_in() const override { return components_.all_fold_in(); }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    switched(users, out, &history);
  }

 private:
  void switched(std::span<const int32_t> users, std::span<float> out, const Interactions* history) const {
    const auto n = static_cast<size_t>(num_items_);
    if (by_item_) {
      std::vector<float> cf(out.size());
      components_.score_normalized(0, users, out, normalization_, history);
      components_.score_normalized(1, users, cf, normalization_, history);
      for (size_t u = 0; u < users.size(); ++u)
        for (size_t i = 0; i < n; ++i)
          if (item_counts_[i] >= threshold_) out[u * n + i] = cf[u * n + i];
      return;
    }
    // by user: each component scores only its own users (scores never depend on the block).
    for (size_t m = 0; m < 2; ++m) {
      std::vector<int32_t> mine;
      std::vector<size_t> rows;
      for (size_t u = 0; u < users.size(); ++u)
        if (uses_first(users[u], history) == (m == 0)) mine.push_back(users[u]), rows.push_back(u);
      if (mine.empty()) continue;
      std::vector<float> block(mine.size() * n);
      components_.score_normalized(m, mine, block, normalization_, history);
      for (size_t r = 0; r < rows.size(); ++r)
        std::copy(block.begin() + static_cast<long>(r * n), block.begin() + static_cast<long>((r + 1) * n),
                  out.begin() + static_cast<long>(rows[r] * n));
    }
  }

  // The training counts the switch reads (fit and update).
  void count(const FitContext& context) {
    user_counts_.resize(static_cast<size_t>(context.train.num_users()));
    for (int32_t u = 0; u < context.train.num_users(); ++u) user_counts_[static_cast<size_t>(u)] = context.train.row_size(u);
    item_counts_ = context.train.item_user_counts();
    int64_t first = 0;
    const auto& counts = by_item_ ? item_counts_ : user_counts_;
    for (int32_t c : counts) first += c < threshold_ ? 1 : 0;
    context_log(context).info("switching: {} of {} {} have fewer than {} training {} and use {}; the others use {}",
                              first, counts.size(), by_item_ ? "items" : "users", threshold_,
                              by_item_ ? "users" : "interactions", components_.label(0), components_.label(1));
  }

  // Whether `user` has fewer than `threshold` interactions: in training, or in her fold-in `history`.
  bool uses_first(int32_t user, const Interactions* history = nullptr) const {
    if (history) return (user >= 0 && user < history->num_users() ? history->row_size(user) : 0) < threshold_;
    const int64_t count = user >= 0 && static_cast<size_t>(user) < user_counts_.size()
                              ? user_counts_[static_cast<size_t>(user)] : 0;
    return count < threshold_;
  }

  HybridComponents components_;
  Normalization normalization_;
  int64_t threshold_;
  bool by_item_;
  std::vector<int32_t> user_counts_;
  std::vector<int32_t> item_counts_;
};

}  // namespace

void register_switching(Registries& registries) {
  registries.algorithms.add(
      {"switching",
       "Switching hybrid: the first (content) component where training data is thin, the second (CF) elsewhere.\n"
       "by user: score(u, .) = norm_u(s_1(u, .)) if |train_u| < threshold else norm_u(s_2(u, .));\n"
       "by item: score(u, i) = norm_u(s_1(u, .))(i) if phi(i) < threshold else norm_u(s_2(u, .))(i),\n"
       "phi(i) = distinct training users of item i; norm per user over every catalog item (normalization).",
       {components_param({"tfidf", "user_knn"},
                         "exactly 2 algorithms: first the content model, second the collaborative model"),
        ParamSpec::integer("threshold", 5, "n: fewer than n training interactions (by user) or users (by item) "
                                           "switch to the first component", 0),
        ParamSpec::choice("by", "user", {"user", "item"}, "switch per user (activity) or per item (popularity)"),
        ParamSpec::choice("normalization", "minmax", normalization_names(),
                          "per-user normalisation of both components' scores so their scales match")},
       [&registries](const Params& params) { return std::make_unique<SwitchingHybrid>(registries, params); }});
}

}  // namespace tailrec
