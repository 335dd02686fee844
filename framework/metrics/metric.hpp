#pragma once
// The metric contract (docs/metrics.md): every metric is defined once, here and
// in `tailrec list metrics`, and tested against hand-computed fixtures.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "framework/metrics/long_tail.hpp"

namespace tailrec {

// One ranked list to judge. In `full` ranking there is one case per evaluated user; in sampled
// protocols one per held-out test item, in `impressions` one per impression (the user's value is
// the mean over her cases).
struct RankedCase {
  int32_t user = 0;
  std::span<const int32_t> list;         // L_u: dense item ids, best first, length <= k_max
  std::span<const int32_t> relevant;     // T_u: sorted ascending, never empty
  std::span<const int32_t> train_items;  // train_u: sorted ascending
  // How many candidates were ranked: the protocol's candidate list, or 0 for full ranking (the
  // catalog minus train_u). list holds all of them when it is this long.
  size_t candidates = 0;
};

// What list metrics need to know about the catalog and the training data.
struct MetricContext {
  int32_t num_items = 0;        // |I|, the catalog
  int32_t num_train_users = 0;  // |U_train|, users with at least one training interaction
  std::vector<int32_t> phi;     // phi(i): distinct training users of item i
  LongTail tail;                // head/tail membership of every catalog item
  // Per item: 1 = a candidate (protocol.catalog, protocol.candidates); empty = every item. Exposure
  // metrics (coverage, gini, entropy, pop_rsp) count only these items.
  std::vector<uint8_t> in_catalog;
  bool in_catalog_item(int32_t item) const {
    return in_catalog.empty() || in_catalog[static_cast<size_t>(item)] != 0;
  }
  // |I| of the exposure metrics: the candidate items.
  int32_t catalog_size() const;
};

class Metric {
 public:
  // PerUser: one value per case, averaged per user, then over users. PerCase: one value per case,
  // averaged over cases (the MIND leaderboard's mean over impressions); per-user values are still
  // the user's mean, for significance tests.
  enum class Kind { PerUser, PerCase, Aggregate, Rating };
  virtual ~Metric() = default;

  virtual Kind kind() const = 0;
  // "ndcg@10", or "rmse" for rating metrics.
  virtual std::string name() const = 0;
  int k() const { return k_; }
  // Whether the metric needs every candidate of a case ranked (AUC), not only the top k: the plan
  // then asks the loop to keep whole candidate lists, and refuses protocols without candidate lists.
  virtual bool needs_every_candidate() const { return false; }
  // Whether the value judges the list against the relevant items alone (precision, recall, ndcg ...),
  // so that it can be stratified by item group: the same list judged with only the group's relevant
  // items counting (docs/metrics.md, "Stratified accuracy"). False for metrics of the list's items
  // (aplt, novelty), of groups already (tail_recall) and of every candidate (imp_auc).
  virtual bool judges_relevance() const { return false; }
  // The case's value when it has exactly one relevant item and that item is at rank `rank` (1-based)
  // of a list long enough: M(R) of Krichene & Rendle (2020), which the sampled-metric correction
  // needs. nullopt for metrics that are not a function of that rank alone (coverage, aplt, gini,
  // tail_recall, ...): their sampled values describe the sampled lists and get no correction.
  virtual std::optional<double> value_at_rank(int64_t rank) const;

  // PerUser and PerCase: the case's value, or nullopt when the case does not count for this metric
  // (e.g. tail_recall for a user without tail test items). Uses only list[0..k), or the whole list
  // when needs_every_candidate().
  virtual std::optional<double> user_value(const RankedCase& c, const MetricContext& context) const;
  // Aggregate: one value from every case at once (coverage, gini, pop_reo, ...).
  virtual double aggregate(std::span<const RankedCase> cases, const MetricContext& context) const;
  // Rating: from predicted and true ratings of the test pairs.
  virtual double rating_value(std::span<const float> predicted, std::span<const float> actual) const;

 protected:
  explicit Metric(int k) : k_(k) {}
  // The first min(k, |list|) items of a case.
  std::span<const int32_t> top(const RankedCase& c) const;

 private:
  int k_;
};

}  // namespace tailrec
