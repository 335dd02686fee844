#pragma once
// The metric contract of docs (../shared/docs/METRICS.md): every metric is defined once, here and
// in `tailrec list metrics`, and tested against hand-computed fixtures.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "framework/long_tail.hpp"

namespace tailrec {

// One ranked list to judge. In `full` ranking there is one case per evaluated user; in sampled
// protocols one per held-out test item (the user's value is the mean over her cases).
struct RankedCase {
  int32_t user = 0;
  std::span<const int32_t> list;         // L_u: dense item ids, best first, length <= k_max
  std::span<const int32_t> relevant;     // T_u: sorted ascending, never empty
  std::span<const int32_t> train_items;  // train_u: sorted ascending
};

// What list metrics need to know about the catalog and the training data.
struct MetricContext {
  int32_t num_items = 0;        // |I|, the catalog
  int32_t num_train_users = 0;  // |U_train|, users with at least one training interaction
  std::vector<int32_t> phi;     // phi(i): distinct training users of item i
  LongTail tail;                // head/tail membership of every catalog item
};

class Metric {
 public:
  enum class Kind { PerUser, Aggregate, Rating };
  virtual ~Metric() = default;

  virtual Kind kind() const = 0;
  // "ndcg@10", or "rmse" for rating metrics.
  virtual std::string name() const = 0;
  int k() const { return k_; }

  // PerUser: the user's value, or nullopt when the user does not count for this metric
  // (e.g. tail_recall for a user without tail test items). Uses only list[0..k).
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
