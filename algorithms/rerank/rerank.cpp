#include "algorithms/rerank/rerank.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <string>

#include "algorithms/hybrid/hybrid_components.hpp"
#include "algorithms/register_algorithms.hpp"
#include "framework/config/algorithm_entry.hpp"
#include "framework/config/config.hpp"
#include "framework/metrics/long_tail.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

std::vector<double> minmax_normalized(std::span<const float> scores) {
  std::vector<double> out(scores.size(), 0.0);
  if (scores.empty()) return out;
  const auto [lo, hi] = std::minmax_element(scores.begin(), scores.end());
  const double range = static_cast<double>(*hi) - static_cast<double>(*lo);
  if (!(range > 0)) return out;
  for (size_t j = 0; j < scores.size(); ++j) out[j] = (static_cast<double>(scores[j]) - *lo) / range;
  return out;
}

std::vector<size_t> popularity_penalty_order(std::span<const double> rel, std::span<const int32_t> phi, double lambda) {
  std::vector<double> value(rel.size());
  for (size_t j = 0; j < rel.size(); ++j) value[j] = rel[j] - lambda * std::log1p(static_cast<double>(phi[j]));
  std::vector<size_t> order(rel.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return value[a] > value[b]; });
  return order;
}

namespace {

// Greedy selection over all candidates: gain(j, chosen-so-far) is re-evaluated at every step;
// the first best in base order wins ties (strict >).
template <typename Gain, typename Take>
std::vector<size_t> greedy(size_t n, Gain gain, Take take) {
  std::vector<size_t> order;
  std::vector<uint8_t> used(n, 0);
  for (size_t step = 0; step < n; ++step) {
    size_t best = n;
    double best_value = -std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < n; ++j) {
      if (used[j]) continue;
      const double v = gain(j);
      if (best == n || v > best_value) best = j, best_value = v;
    }
    used[best] = 1;
    order.push_back(best);
    take(best);
  }
  return order;
}

}  // namespace

std::vector<size_t> xquad_order(std::span<const double> rel, std::span<const uint8_t> is_tail, double p_tail,
                                double lambda, bool has_profile) {
  // Binary xQuAD: P(v|c) = 1[v in c] and P(i|c, S) = 1[i in c], so the product over S is 1 until the
  // list holds an item of c, then 0: only the first item of each category earns the bonus P(c|u).
  const std::array<double, 2> p_category{has_profile ? 1.0 - p_tail : 0.0, has_profile ? p_tail : 0.0};
  std::array<bool, 2> covered{false, false};
  return greedy(
      rel.size(),
      [&](size_t j) {
        const size_t c = is_tail[j] ? 1 : 0;
        return (1.0 - lambda) * rel[j] + lambda * (covered[c] ? 0.0 : p_category[c]);
      },
      [&](size_t j) { covered[is_tail[j] ? 1 : 0] = true; });
}

double jensen_shannon(const std::array<double, 3>& p, const std::array<double, 3>& q) {
  double js = 0;
  for (size_t c = 0; c < 3; ++c) {
    const double m = 0.5 * (p[c] + q[c]);
    if (p[c] > 0) js += 0.5 * p[c] * std::log2(p[c] / m);
    if (q[c] > 0) js += 0.5 * q[c] * std::log2(q[c] / m);
  }
  return js;
}

std::vector<size_t> calibrated_popularity_order(std::span<const double> rel, std::span<const uint8_t> category,
                                                const std::array<double, 3>& profile, double lambda) {
  std::array<double, 3> counts{0, 0, 0};
  double size = 0;
  return greedy(
      rel.size(),
      [&](size_t j) {
        // Maximising (1-lambda) sum_{S+v} rel - lambda JS(P, Q(S+v)) over v: sum_S rel is common to all v.
        std::array<double, 3> q = counts;
        q[category[j]] += 1;
        for (auto& x : q) x /= size + 1;
        return (1.0 - lambda) * rel[j] - lambda * jensen_shannon(profile, q);
      },
      [&](size_t j) { counts[category[j]] += 1, size += 1; });
}

std::vector<uint8_t> popularity_categories(const std::vector<int32_t>& phi, double head_share, double tail_share) {
  const auto head = pareto_tail(phi, head_share);
  const auto rest = pareto_tail(phi, 1.0 - tail_share);
  std::vector<uint8_t> category(phi.size());
  for (size_t i = 0; i < phi.size(); ++i)
    category[i] = !head.is_tail[i] ? 0 : (rest.is_tail[i] ? 2 : 1);
  return category;
}

namespace {

enum class Method { PopularityPenalty, Xquad, Calibrated };

// The `base` parameter (ParamType::Algorithm): read like an entry of `algorithms:`.
std::unique_ptr<Algorithm> make_base(const Registries& registries, const Params& params, std::string& label) {
  const Config tree = params.subtree("base");
  auto created = create_algorithm(registries.algorithms, tree.root()[join_path(params.where(), "base")]);
  label = created.entry.label;
  return std::move(created.algorithm);
}

Method parse_method(const std::string& text) {
  if (text == "xquad") return Method::Xquad;
  if (text == "calibrated_popularity") return Method::Calibrated;
  return Method::PopularityPenalty;
}

class Rerank final : public Algorithm {
 public:
  Rerank(const Registries& registries, const Params& params)
      : base_(make_base(registries, params, label_)),
        method_(parse_method(params.text("method"))),
        lambda_(params.real("lambda")),
        candidates_(static_cast<size_t>(params.integer("candidates"))),
        head_share_(params.real("head_share")),
        tail_share_(params.real("tail_share")) {
    if (method_ != Method::PopularityPenalty && lambda_ > 1)
      params.fail_at("lambda",
                 fmt::format("{} is above 1; {} mixes (1 - lambda) * relevance with lambda * its tail term, so "
                             "lambda must be in [0, 1]",
                             lambda_, params.text("method")));
    if (!(head_share_ > 0)) params.fail_at("head_share", "must be > 0 (the head holds this share of phi), e.g. 0.2");
    if (head_share_ + tail_share_ > 1)
      params.fail_at("tail_share",
                 fmt::format("head_share {} + tail_share {} exceed 1: head and tail would overlap; e.g. 0.2 and 0.2",
                             head_share_, tail_share_));
  }

  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    FitContext own = context;
    if (!context.work_dir.empty()) own.work_dir = context.work_dir / label_;
    const auto t0 = std::chrono::steady_clock::now();
    base_->fit(own);
    if (base_->num_items() != num_items_)
      fail("rerank: base '{}' reports {} items after fit, the catalog has {}", label_, base_->num_items(), num_items_);
    const auto tail = keep_training_data(context.train);
    context_log(context).info("rerank: base {} fitted in {:.3f} s; xquad tail = {} ({} of {} items)", label_,
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                              tail.definition, tail.tail_count, num_items_);
  }

  // The base updates itself; what rerank keeps from the training data (popularity, categories, the
  // users' items) is recomputed from the updated train, so the update is as exact as the base's.
  UpdateResult update(const UpdateContext& context) override {
    FitContext own = context.fit;
    if (!context.fit.work_dir.empty()) own.work_dir = context.fit.work_dir / label_;
    auto result = base_->update(UpdateContext{own, context.previous, context.added});
    if (base_->num_items() != num_items_)
      fail("rerank: base '{}' reports {} items after update, the catalog has {}", label_, base_->num_items(),
           num_items_);
    keep_training_data(context.fit.train);
    result.how = fmt::format("base {}: {}; popularity and training items recomputed from the updated train", label_,
                             result.how);
    return result;
  }

  // The re-ranking changes the order, not the reasons: the base's explanation of the item.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    return base_->explain(user, item, max_reasons);
  }
  bool explains() const override { return base_->explains(); }
  bool ranks_cold_users() const override { return base_->ranks_cold_users(); }
  // scores_cold_items() stays false: the re-ranked candidates are the base's top-N over the whole
  // catalog, and every other item gets a constant low score, whatever the base knows of cold items.

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    base_->score(users, out);
    const auto n = static_cast<size_t>(num_items_);
    std::vector<uint8_t> seen(n, 0);
    std::vector<int32_t> pool;
    for (size_t u = 0; u < users.size(); ++u) rerank_row(train_items(users[u]), out.subspan(u * n, n), seen, pool);
  }

  // Fold-in: the base's fold-in scores re-ranked with her history as the profile (popularity stays
  // that of training).
  bool folds_in() const override { return base_->folds_in(); }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    base_->score_history(users, history, out);
    const auto n = static_cast<size_t>(num_items_);
    std::vector<uint8_t> seen(n, 0);
    std::vector<int32_t> pool;
    for (size_t u = 0; u < users.size(); ++u) {
      const int32_t user = users[u];
      const auto profile = user >= 0 && user < history.num_users() ? history.items_of(user) : std::span<const int32_t>();
      rerank_row(profile, out.subspan(u * n, n), seen, pool);
    }
  }

 private:
  // Popularity, its categories and tail, and a copy of the users' training items (score() excludes
  // them from the candidates); returns the xquad tail for the log.
  LongTail keep_training_data(const Interactions& train) {
    phi_ = train.item_user_counts();
    category_ = popularity_categories(phi_, head_share_, tail_share_);
    auto tail = pareto_tail(phi_, 0.8);
    is_tail_ = tail.is_tail;
    indptr_.assign(1, 0);
    items_.clear();
    for (int32_t u = 0; u < train.num_users(); ++u) {
      const auto row = train.items_of(u);
      items_.insert(items_.end(), row.begin(), row.end());
      indptr_.push_back(static_cast<int64_t>(items_.size()));
    }
    return tail;
  }

  std::span<const int32_t> train_items(int32_t user) const {
    if (user < 0 || static_cast<size_t>(user) + 1 >= indptr_.size()) return {};
    const auto b = static_cast<size_t>(indptr_[static_cast<size_t>(user)]);
    const auto e = static_cast<size_t>(indptr_[static_cast<size_t>(user) + 1]);
    return std::span<const int32_t>(items_).subspan(b, e - b);
  }

  // Re-ranks one user's base scores; `profile_items` are her known items (training or fold-in).
  void rerank_row(std::span<const int32_t> profile_items, std::span<float> row, std::vector<uint8_t>& seen,
                  std::vector<int32_t>& pool) const {
    for (int32_t i : profile_items) seen[static_cast<size_t>(i)] = 1;
    // Candidates: unseen items with a finite base score, the top-N by score (ties: lower index first).
    pool.clear();
    for (size_t i = 0; i < row.size(); ++i)
      if (!seen[i] && std::isfinite(row[i])) pool.push_back(static_cast<int32_t>(i));
    for (int32_t i : profile_items) seen[static_cast<size_t>(i)] = 0;
    const auto better = [&](int32_t a, int32_t b) {
      const float sa = row[static_cast<size_t>(a)], sb = row[static_cast<size_t>(b)];
      return sa > sb || (sa == sb && a < b);
    };
    const size_t count = std::min(candidates_, pool.size());
    std::partial_sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(count), pool.end(), better);
    pool.resize(count);

    std::vector<float> base_scores(count);
    for (size_t j = 0; j < count; ++j) base_scores[j] = row[static_cast<size_t>(pool[j])];
    const auto rel = minmax_normalized(base_scores);
    std::vector<size_t> order;
    if (method_ == Method::PopularityPenalty) {
      std::vector<int32_t> phi(count);
      for (size_t j = 0; j < count; ++j) phi[j] = phi_[static_cast<size_t>(pool[j])];
      order = popularity_penalty_order(rel, phi, lambda_);
    } else if (method_ == Method::Xquad) {
      std::vector<uint8_t> tail(count);
      for (size_t j = 0; j < count; ++j) tail[j] = is_tail_[static_cast<size_t>(pool[j])];
      // P(c|u) = share of u's training items in c; with no profile both are 0 and the base order stays.
      double p_tail = 0;
      for (int32_t i : profile_items) p_tail += is_tail_[static_cast<size_t>(i)];
      if (!profile_items.empty()) p_tail /= static_cast<double>(profile_items.size());
      order = xquad_order(rel, tail, p_tail, lambda_, !profile_items.empty());
    } else {
      std::array<double, 3> profile{0, 0, 0};
      for (int32_t i : profile_items) profile[category_[static_cast<size_t>(i)]] += 1;
      if (profile_items.empty()) {
        order = identity(count);  // no profile to calibrate to: the base order
      } else {
        for (auto& p : profile) p /= static_cast<double>(profile_items.size());
        std::vector<uint8_t> category(count);
        for (size_t j = 0; j < count; ++j) category[j] = category_[static_cast<size_t>(pool[j])];
        order = calibrated_popularity_order(rel, category, profile, lambda_);
      }
    }
    // Position p of the new list scores count - p (>= 1); every other item scores 0.
    std::fill(row.begin(), row.end(), 0.0f);
    for (size_t p = 0; p < order.size(); ++p)
      row[static_cast<size_t>(pool[order[p]])] = static_cast<float>(count - p);
  }

  static std::vector<size_t> identity(size_t n) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    return order;
  }

  std::string label_;
  std::unique_ptr<Algorithm> base_;
  Method method_;
  double lambda_;
  size_t candidates_;
  double head_share_;
  double tail_share_;
  std::vector<int32_t> phi_;
  std::vector<uint8_t> category_;
  std::vector<uint8_t> is_tail_;
  std::vector<int64_t> indptr_;
  std::vector<int32_t> items_;
};

}  // namespace

void register_rerank(Registries& registries) {
  auto base = ParamSpec::algorithm("base", "user_knn", "the re-ranked algorithm: a registered name or a map {name, label?, <params>}");
  registries.algorithms.add(
      {"rerank",
       "Long-tail re-ranking of any algorithm's top-N candidates; lambda trades accuracy for tail exposure.\n"
       "Candidates C_u = the base's top `candidates` items by score, training items of u excluded (ties: lower\n"
       "index). rel(i) = min-max of the base scores over C_u (0 if all equal). phi(i) = training users of i.\n"
       "popularity_penalty: order C_u by rel(i) - lambda * ln(1 + phi(i)) desc.\n"
       "xquad (Abdollahpouri et al. 2019, binary): greedy, next = argmax (1-lambda) rel(v) + lambda * sum_c\n"
       "P(c|u) 1[v in c] prod_{i in S} (1 - 1[i in c]), c in {head, tail} of pareto(0.8) on phi, P(c|u) = share\n"
       "of u's training items in c.\n"
       "calibrated_popularity (Abdollahpouri et al. 2021): greedy, next = argmax (1-lambda) rel(v) - lambda *\n"
       "JS(P_u, Q(S+v)) over head/mid/tail shares (log2); head = most popular items making head_share of phi,\n"
       "tail = least popular making tail_share. Ties: base order. Position p (0-based) scores |C_u| - p, others 0.",
       {base,
        ParamSpec::choice("method", "popularity_penalty", {"popularity_penalty", "xquad", "calibrated_popularity"},
                          "the re-ranking rule"),
        ParamSpec::real("lambda", 0.1, "weight of the long-tail term (0 = the base ranking; xquad and "
                                       "calibrated_popularity need <= 1)",
                        0.0),
        ParamSpec::integer("candidates", 100, "the base's top-N unseen items that are re-ranked (keep N > k plus the "
                                              "user's validation items)",
                           1),
        ParamSpec::real("head_share", 0.2, "calibrated_popularity: head = most popular items making this share of phi",
                        0.0, 1.0),
        ParamSpec::real("tail_share", 0.2, "calibrated_popularity: tail = least popular items making this share of phi",
                        0.0, 1.0)},
       [&registries](const Params& params) { return std::make_unique<Rerank>(registries, params); }});
}

}  // namespace tailrec
