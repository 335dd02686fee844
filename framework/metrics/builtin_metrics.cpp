// Every metric of the contract in docs/metrics.md, and register_metrics(). Each class computes
// exactly the formula printed in its registry description (`tailrec list metrics`), so a reader can
// check one against the other. Per-user metrics return one user's value; the evaluator averages.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "framework/config/registries.hpp"
#include "framework/metrics/exposure.hpp"
#include "framework/metrics/metric.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"

namespace tailrec {

namespace {

bool contains(std::span<const int32_t> sorted, int32_t item) {
  return std::binary_search(sorted.begin(), sorted.end(), item);
}

size_t index(int32_t item, const MetricContext& context) {
  const auto i = static_cast<size_t>(item);
  TAILREC_CHECK(item >= 0 && i < context.phi.size() && i < context.tail.is_tail.size(),
                "item {} is outside the metric context ({} items)", item, context.phi.size());
  return i;
}

int32_t phi(int32_t item, const MetricContext& context) { return context.phi[index(item, context)]; }
bool in_tail(int32_t item, const MetricContext& context) { return context.tail.is_tail[index(item, context)] != 0; }

// 1/log2(r+1) for 1-based rank r.
double discount(size_t rank) { return 1.0 / std::log2(static_cast<double>(rank) + 1.0); }

// Sum of discount(1..n): the DCG of a perfect list with n relevant items.
double ideal_dcg(size_t n) {
  double idcg = 0;
  for (size_t r = 1; r <= n; ++r) idcg += discount(r);
  return idcg;
}

// A top-k list metric: its name is "<base>@k".
class ListMetric : public Metric {
 public:
  ListMetric(const char* base, Kind kind, int k) : Metric(k), base_(base), kind_(kind) {
    assert(k > 0 && "the registry schema guarantees k >= 1");
  }
  Kind kind() const final { return kind_; }
  std::string name() const final { return fmt::format("{}@{}", base_, k()); }

 private:
  const char* base_;
  Kind kind_;
};

class PerUserMetric : public ListMetric {
 public:
  PerUserMetric(const char* base, int k) : ListMetric(base, Kind::PerUser, k) {}
};

class AggregateMetric : public ListMetric {
 public:
  AggregateMetric(const char* base, int k) : ListMetric(base, Kind::Aggregate, k) {}
};

size_t hits(std::span<const int32_t> list, std::span<const int32_t> relevant) {
  return static_cast<size_t>(
      std::count_if(list.begin(), list.end(), [&](int32_t item) { return contains(relevant, item); }));
}

// ---- accuracy ----

class PrecisionMetric final : public PerUserMetric {
 public:
  bool judges_relevance() const override { return true; }
  explicit PrecisionMetric(int k) : PerUserMetric("precision", k) {}
  std::optional<double> value_at_rank(int64_t rank) const override { return rank <= k() ? 1.0 / k() : 0.0; }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    return static_cast<double>(hits(top(c), c.relevant)) / k();
  }
};

class RecallMetric final : public PerUserMetric {
 public:
  bool judges_relevance() const override { return true; }
  explicit RecallMetric(int k) : PerUserMetric("recall", k) {}
  std::optional<double> value_at_rank(int64_t rank) const override { return rank <= k() ? 1.0 : 0.0; }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    if (c.relevant.empty()) return std::nullopt;
    return static_cast<double>(hits(top(c), c.relevant)) / static_cast<double>(c.relevant.size());
  }
};

class HitMetric final : public PerUserMetric {
 public:
  bool judges_relevance() const override { return true; }
  explicit HitMetric(int k) : PerUserMetric("hit", k) {}
  std::optional<double> value_at_rank(int64_t rank) const override { return rank <= k() ? 1.0 : 0.0; }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    return hits(top(c), c.relevant) > 0 ? 1.0 : 0.0;
  }
};

// Binary-gain nDCG of `list` against a relevance predicate with `num_relevant` relevant items.
template <typename IsRelevant>
double ndcg(std::span<const int32_t> list, size_t num_relevant, int k, IsRelevant is_relevant) {
  double dcg = 0;
  for (size_t r = 0; r < list.size(); ++r)
    if (is_relevant(list[r])) dcg += discount(r + 1);
  const double idcg = ideal_dcg(std::min(static_cast<size_t>(k), num_relevant));
  return idcg > 0 ? dcg / idcg : 0.0;
}

class NdcgMetric final : public PerUserMetric {
 public:
  bool judges_relevance() const override { return true; }
  explicit NdcgMetric(int k) : PerUserMetric("ndcg", k) {}
  std::optional<double> value_at_rank(int64_t rank) const override {
    return rank <= k() ? discount(static_cast<size_t>(rank)) : 0.0;
  }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    if (c.relevant.empty()) return std::nullopt;
    return ndcg(top(c), c.relevant.size(), k(), [&](int32_t item) { return contains(c.relevant, item); });
  }
};

class MapMetric final : public PerUserMetric {
 public:
  bool judges_relevance() const override { return true; }
  explicit MapMetric(int k) : PerUserMetric("map", k) {}
  std::optional<double> value_at_rank(int64_t rank) const override {
    return rank <= k() ? 1.0 / static_cast<double>(rank) : 0.0;
  }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    if (c.relevant.empty()) return std::nullopt;
    const auto list = top(c);
    double sum = 0;
    size_t found = 0;
    for (size_t r = 0; r < list.size(); ++r) {
      if (!contains(c.relevant, list[r])) continue;
      ++found;
      sum += static_cast<double>(found) / static_cast<double>(r + 1);  // precision@r at a relevant rank
    }
    return sum / static_cast<double>(std::min(static_cast<size_t>(k()), c.relevant.size()));
  }
};

class MrrMetric final : public PerUserMetric {
 public:
  bool judges_relevance() const override { return true; }
  explicit MrrMetric(int k) : PerUserMetric("mrr", k) {}
  std::optional<double> value_at_rank(int64_t rank) const override {
    return rank <= k() ? 1.0 / static_cast<double>(rank) : 0.0;
  }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    const auto list = top(c);
    for (size_t r = 0; r < list.size(); ++r)
      if (contains(c.relevant, list[r])) return 1.0 / static_cast<double>(r + 1);
    return 0.0;
  }
};

// ---- long tail, per user ----

class AcltMetric final : public PerUserMetric {
 public:
  explicit AcltMetric(int k) : PerUserMetric("aclt", k) {}
  std::optional<double> user_value(const RankedCase& c, const MetricContext& context) const override {
    const auto list = top(c);
    return static_cast<double>(
        std::count_if(list.begin(), list.end(), [&](int32_t item) { return in_tail(item, context); }));
  }
};

class ApltMetric final : public PerUserMetric {
 public:
  explicit ApltMetric(int k) : PerUserMetric("aplt", k) {}
  std::optional<double> user_value(const RankedCase& c, const MetricContext& context) const override {
    const auto list = top(c);
    if (list.empty()) return std::nullopt;  // |L_u| = 0: the share is undefined
    const auto tail = std::count_if(list.begin(), list.end(), [&](int32_t item) { return in_tail(item, context); });
    return static_cast<double>(tail) / static_cast<double>(list.size());
  }
};

class ArpMetric final : public PerUserMetric {
 public:
  explicit ArpMetric(int k) : PerUserMetric("arp", k) {}
  std::optional<double> user_value(const RankedCase& c, const MetricContext& context) const override {
    const auto list = top(c);
    if (list.empty()) return std::nullopt;
    double sum = 0;
    for (const auto item : list) sum += phi(item, context);
    return sum / static_cast<double>(list.size());
  }
};

class NoveltyMetric final : public PerUserMetric {
 public:
  explicit NoveltyMetric(int k) : PerUserMetric("novelty", k) {}
  std::optional<double> user_value(const RankedCase& c, const MetricContext& context) const override {
    const auto list = top(c);
    if (list.empty()) return std::nullopt;
    TAILREC_CHECK(context.num_train_users > 0, "novelty needs num_train_users > 0 in the metric context");
    const double users = context.num_train_users;
    double sum = 0;
    for (const auto item : list) sum += -std::log2(std::max(phi(item, context), 1) / users);
    return sum / static_cast<double>(list.size());
  }
};

// head_recall / tail_recall: recall restricted to the relevant items of one popularity group.
class GroupRecallMetric final : public PerUserMetric {
 public:
  GroupRecallMetric(const char* base, bool tail, int k) : PerUserMetric(base, k), tail_(tail) {}
  std::optional<double> user_value(const RankedCase& c, const MetricContext& context) const override {
    const auto in_group = [&](int32_t item) { return in_tail(item, context) == tail_; };
    const auto relevant = std::count_if(c.relevant.begin(), c.relevant.end(), in_group);
    if (relevant == 0) return std::nullopt;
    const auto list = top(c);
    const auto found = std::count_if(list.begin(), list.end(),
                                     [&](int32_t item) { return in_group(item) && contains(c.relevant, item); });
    return static_cast<double>(found) / static_cast<double>(relevant);
  }

 private:
  bool tail_;
};

class TailNdcgMetric final : public PerUserMetric {
 public:
  explicit TailNdcgMetric(int k) : PerUserMetric("tail_ndcg", k) {}
  std::optional<double> user_value(const RankedCase& c, const MetricContext& context) const override {
    const auto relevant_tail = static_cast<size_t>(
        std::count_if(c.relevant.begin(), c.relevant.end(), [&](int32_t item) { return in_tail(item, context); }));
    if (relevant_tail == 0) return std::nullopt;
    return ndcg(top(c), relevant_tail, k(),
                [&](int32_t item) { return in_tail(item, context) && contains(c.relevant, item); });
  }
};

// ---- aggregate: exposure over all lists ----

class ExposureMetric : public AggregateMetric {
 public:
  using AggregateMetric::AggregateMetric;

 protected:
  // c_i: number of lists (one per user in full ranking) holding catalog item i, zeros included; only
  // the items of the catalog (MetricContext::in_catalog), in index order.
  std::vector<int64_t> counts(std::span<const RankedCase> cases, const MetricContext& context) const {
    std::vector<int64_t> c(static_cast<size_t>(std::max(context.num_items, 0)), 0);
    for (const auto& one : cases)
      for (const auto item : top(one)) {
        const auto i = static_cast<size_t>(item);
        TAILREC_CHECK(item >= 0 && i < c.size() && context.in_catalog_item(item),
                      "recommended item {} is outside the catalog of {} items", item, context.catalog_size());
        ++c[i];
      }
    if (context.in_catalog.empty()) return c;
    std::vector<int64_t> in_catalog;
    for (size_t i = 0; i < c.size(); ++i)
      if (context.in_catalog[i]) in_catalog.push_back(c[i]);
    return in_catalog;
  }
};

class CoverageCountMetric final : public ExposureMetric {
 public:
  explicit CoverageCountMetric(int k) : ExposureMetric("coverage_count", k) {}
  double aggregate(std::span<const RankedCase> cases, const MetricContext& context) const override {
    const auto c = counts(cases, context);
    return static_cast<double>(std::count_if(c.begin(), c.end(), [](int64_t n) { return n > 0; }));
  }
};

class CoverageMetric final : public ExposureMetric {
 public:
  explicit CoverageMetric(int k) : ExposureMetric("coverage", k) {}
  double aggregate(std::span<const RankedCase> cases, const MetricContext& context) const override {
    const auto c = counts(cases, context);
    if (c.empty()) return 0.0;
    return static_cast<double>(std::count_if(c.begin(), c.end(), [](int64_t n) { return n > 0; })) /
           static_cast<double>(c.size());
  }
};

class GiniMetric final : public ExposureMetric {
 public:
  explicit GiniMetric(int k) : ExposureMetric("gini", k) {}
  double aggregate(std::span<const RankedCase> cases, const MetricContext& context) const override {
    return exposure_gini(counts(cases, context));
  }
};

class EntropyMetric final : public ExposureMetric {
 public:
  explicit EntropyMetric(int k) : ExposureMetric("entropy", k) {}
  double aggregate(std::span<const RankedCase> cases, const MetricContext& context) const override {
    const auto c = counts(cases, context);
    double total = 0;
    for (const auto n : c) total += static_cast<double>(n);
    if (total <= 0) return 0.0;  // no recommendation at all: defined as 0
    double entropy = 0;
    for (const auto n : c)
      if (n > 0) {
        const double p = static_cast<double>(n) / total;
        entropy -= p * std::log(p);
      }
    return entropy;
  }
};

// ---- aggregate: popularity bias between head and tail ----

// Population std / mean of (P_head, P_tail); 0 when the mean is 0.
double relative_spread(double head, double tail) {
  const double mean = (head + tail) / 2;
  if (mean <= 0) return 0.0;
  const double deviation = std::sqrt(((head - mean) * (head - mean) + (tail - mean) * (tail - mean)) / 2);
  return deviation / mean;
}

double ratio_or_zero(double numerator, double denominator) { return denominator > 0 ? numerator / denominator : 0.0; }

class PopReoMetric final : public AggregateMetric {
 public:
  explicit PopReoMetric(int k) : AggregateMetric("pop_reo", k) {}
  double aggregate(std::span<const RankedCase> cases, const MetricContext& context) const override {
    double found[2] = {0, 0}, relevant[2] = {0, 0};  // [0] head, [1] tail
    for (const auto& c : cases) {
      for (const auto item : c.relevant) relevant[in_tail(item, context)] += 1;
      for (const auto item : top(c))
        if (contains(c.relevant, item)) found[in_tail(item, context)] += 1;
    }
    return relative_spread(ratio_or_zero(found[0], relevant[0]), ratio_or_zero(found[1], relevant[1]));
  }
};

class PopRspMetric final : public AggregateMetric {
 public:
  explicit PopRspMetric(int k) : AggregateMetric("pop_rsp", k) {}
  double aggregate(std::span<const RankedCase> cases, const MetricContext& context) const override {
    // |G|: the group's items in the catalog (MetricContext::in_catalog).
    double group_size[2] = {0, 0};
    for (int32_t item = 0; item < static_cast<int32_t>(context.tail.is_tail.size()); ++item)
      if (context.in_catalog_item(item)) group_size[in_tail(item, context)] += 1;
    double recommended[2] = {0, 0}, candidates[2] = {0, 0};  // [0] head, [1] tail
    for (const auto& c : cases) {
      double trained[2] = {0, 0};  // |train_u ∩ G|
      for (const auto item : c.train_items)
        if (context.in_catalog_item(item)) trained[in_tail(item, context)] += 1;
      for (int g = 0; g < 2; ++g) candidates[g] += group_size[g] - trained[g];  // |G \ train_u|
      for (const auto item : top(c)) recommended[in_tail(item, context)] += 1;
    }
    return relative_spread(ratio_or_zero(recommended[0], candidates[0]),
                           ratio_or_zero(recommended[1], candidates[1]));
  }
};

// ---- impressions: the MIND leaderboard's metrics, one value per case averaged over cases ----

// A PerCase metric: its headline is the mean over cases (impressions), not over users.
class CaseMetric : public Metric {
 public:
  CaseMetric(const char* base, int k) : Metric(k), base_(base) {}
  Kind kind() const final { return Kind::PerCase; }
  std::string name() const final { return k() > 0 ? fmt::format("{}@{}", base_, k()) : std::string(base_); }

 protected:
  // The complete ranking of the case's candidates. The single-split loop keeps whole lists for
  // metrics that need them and the plan refuses full ranking, so a shorter list here means a caller skipped that check.
  std::span<const int32_t> whole(const RankedCase& c) const {
    if (c.candidates == 0 || c.list.size() != c.candidates)
      fail("metric {} needs every candidate of a case ranked (protocol impressions, sampled or fixed_negatives), "
           "got {} ranked items of {}",
           name(), c.list.size(), c.candidates == 0 ? std::string("the whole catalog") : std::to_string(c.candidates));
    return c.list;
  }

 private:
  const char* base_;
};

class ImpressionAucMetric final : public CaseMetric {
 public:
  ImpressionAucMetric() : CaseMetric("imp_auc", 0) {}
  bool needs_every_candidate() const override { return true; }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    const auto list = whole(c);
    const auto positives = hits(list, c.relevant);
    const auto negatives = list.size() - positives;
    if (positives == 0 || negatives == 0) return std::nullopt;  // one class only: AUC is undefined
    // Each negative adds the positives ranked above it: the pairs ordered right.
    double right = 0;
    size_t seen = 0;
    for (const auto item : list) {
      if (contains(c.relevant, item)) ++seen;
      else right += static_cast<double>(seen);
    }
    return right / (static_cast<double>(positives) * static_cast<double>(negatives));
  }
};

class ImpressionMrrMetric final : public CaseMetric {
 public:
  ImpressionMrrMetric() : CaseMetric("imp_mrr", 0) {}
  bool needs_every_candidate() const override { return true; }
  std::optional<double> value_at_rank(int64_t rank) const override { return 1.0 / static_cast<double>(rank); }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    const auto list = whole(c);
    if (c.relevant.empty()) return std::nullopt;
    double sum = 0;
    for (size_t r = 0; r < list.size(); ++r)
      if (contains(c.relevant, list[r])) sum += 1.0 / static_cast<double>(r + 1);
    return sum / static_cast<double>(c.relevant.size());
  }
};

class ImpressionNdcgMetric final : public CaseMetric {
 public:
  explicit ImpressionNdcgMetric(int k) : CaseMetric("imp_ndcg", k) {
    assert(k > 0 && "the registry schema guarantees k >= 1");
  }
  std::optional<double> value_at_rank(int64_t rank) const override {
    return rank <= k() ? discount(static_cast<size_t>(rank)) : 0.0;
  }
  std::optional<double> user_value(const RankedCase& c, const MetricContext&) const override {
    if (c.relevant.empty()) return std::nullopt;
    // Gains 2^rel - 1 with rel in {0, 1} are the binary gains of ndcg().
    return ndcg(top(c), c.relevant.size(), k(), [&](int32_t item) { return contains(c.relevant, item); });
  }
};

// ---- rating prediction ----

class RatingMetric : public Metric {
 public:
  explicit RatingMetric(const char* name) : Metric(0), name_(name) {}
  Kind kind() const final { return Kind::Rating; }
  std::string name() const final { return name_; }

 protected:
  void check(std::span<const float> predicted, std::span<const float> actual) const {
    TAILREC_CHECK(predicted.size() == actual.size(),
                  "{} got {} predictions for {} ratings", name_, predicted.size(), actual.size());
    if (actual.empty())
      fail("metric '{}': the test split holds no ratings to score; drop '{}' from the metrics or use a split "
           "with test ratings",
           name_, name_);
  }

 private:
  const char* name_;
};

class RmseMetric final : public RatingMetric {
 public:
  RmseMetric() : RatingMetric("rmse") {}
  double rating_value(std::span<const float> predicted, std::span<const float> actual) const override {
    check(predicted, actual);
    double sum = 0;
    for (size_t i = 0; i < actual.size(); ++i) {
      const double e = static_cast<double>(predicted[i]) - static_cast<double>(actual[i]);
      sum += e * e;
    }
    return std::sqrt(sum / static_cast<double>(actual.size()));
  }
};

class MaeMetric final : public RatingMetric {
 public:
  MaeMetric() : RatingMetric("mae") {}
  double rating_value(std::span<const float> predicted, std::span<const float> actual) const override {
    check(predicted, actual);
    double sum = 0;
    for (size_t i = 0; i < actual.size(); ++i)
      sum += std::abs(static_cast<double>(predicted[i]) - static_cast<double>(actual[i]));
    return sum / static_cast<double>(actual.size());
  }
};

// ---- registration ----

template <typename M, typename... Extra>
void add_list_metric(Registries& r, std::string name, std::string description, Extra... extra) {
  r.metrics.add({std::move(name), std::move(description), {ParamSpec::integer("k", 10, "cut-off", 1)},
                 [=](const Params& p) -> std::unique_ptr<Metric> {
                   return std::make_unique<M>(extra..., static_cast<int>(p.integer("k")));
                 }});
}

template <typename M>
void add_case_metric(Registries& r, std::string name, std::string description) {
  r.metrics.add({std::move(name), std::move(description), {},
                 [](const Params&) -> std::unique_ptr<Metric> { return std::make_unique<M>(); }});
}

template <typename M>
void add_rating_metric(Registries& r, std::string name, std::string description) {
  r.metrics.add({std::move(name), std::move(description), {},
                 [](const Params&) -> std::unique_ptr<Metric> { return std::make_unique<M>(); }});
}

}  // namespace

void register_metrics(Registries& r) {
  // Accuracy (per user, averaged over users with at least one relevant test item).
  add_list_metric<PrecisionMetric>(r, "precision",
                                   "Relevant share of the top-k list, always divided by k.\n"
                                   "precision@k = |L_u ∩ T_u| / k (a list shorter than k still divides by k)"
                                   "\nrange: [0, 1]");
  add_list_metric<RecallMetric>(r, "recall",
                                "Share of the user's relevant test items found in the top-k list.\n"
                                "recall@k = |L_u ∩ T_u| / |T_u|"
                                "\nrange: [0, 1]");
  add_list_metric<HitMetric>(r, "hit",
                             "1 if the top-k list holds any relevant item, else 0 (HR@k).\n"
                             "hit@k = 1 if |L_u ∩ T_u| > 0 else 0"
                             "\nrange: [0, 1]");
  add_list_metric<NdcgMetric>(r, "ndcg",
                              "Normalised discounted cumulative gain with binary relevance.\n"
                              "DCG = Σ_{r=1..k} rel_r / log2(r+1); IDCG = Σ_{r=1..min(k,|T_u|)} 1 / log2(r+1);\n"
                              "ndcg@k = DCG / IDCG"
                              "\nrange: [0, 1]");
  add_list_metric<MapMetric>(r, "map",
                             "Mean average precision, normalised by min(k, |T_u|).\n"
                             "map@k = (1 / min(k,|T_u|)) · Σ_{r=1..k} precision@r · rel_r"
                             "\nrange: [0, 1]");
  add_list_metric<MrrMetric>(r, "mrr",
                             "Reciprocal rank of the first relevant item (only the first hit counts).\n"
                             "mrr@k = 1/r for the first relevant rank r in L_u, else 0"
                             "\nrange: [0, 1]");

  // Long tail (per user).
  add_list_metric<ApltMetric>(r, "aplt",
                              "Average percentage of long-tail items in the list (Abdollahpouri et al. 2019).\n"
                              "aplt@k = mean over users of |L_u ∩ Tail| / |L_u| (users with an empty list are "
                              "not counted)"
                              "\nrange: [0, 1]");
  add_list_metric<AcltMetric>(r, "aclt",
                              "Average number of long-tail items in the list.\n"
                              "aclt@k = mean over users of |L_u ∩ Tail|"
                              "\nrange: [0, k]");
  add_list_metric<ArpMetric>(r, "arp",
                             "Average training popularity of the recommended items.\n"
                             "arp@k = mean over users of (1/|L_u|) Σ_{i∈L_u} phi(i), phi(i) = distinct "
                             "training users of i (users with an empty list are not counted)"
                             "\nrange: [0, inf)");
  add_list_metric<GroupRecallMetric>(r, "head_recall",
                                     "Recall restricted to the user's relevant head items.\n"
                                     "head_recall@k = |L_u ∩ T_u ∩ Head| / |T_u ∩ Head|, averaged over users "
                                     "with |T_u ∩ Head| > 0"
                                     "\nrange: [0, 1]",
                                     "head_recall", false);
  add_list_metric<GroupRecallMetric>(r, "tail_recall",
                                     "Recall restricted to the user's relevant long-tail items.\n"
                                     "tail_recall@k = |L_u ∩ T_u ∩ Tail| / |T_u ∩ Tail|, averaged over users "
                                     "with |T_u ∩ Tail| > 0"
                                     "\nrange: [0, 1]",
                                     "tail_recall", true);
  add_list_metric<TailNdcgMetric>(r, "tail_ndcg",
                                  "nDCG with relevance restricted to the user's relevant long-tail items.\n"
                                  "rel_r = 1 if the item at rank r is in T_u ∩ Tail; DCG = Σ_{r=1..k} rel_r / "
                                  "log2(r+1);\nIDCG = Σ_{r=1..min(k,|T_u ∩ Tail|)} 1 / log2(r+1); averaged over "
                                  "users with |T_u ∩ Tail| > 0"
                                  "\nrange: [0, 1]");
  add_list_metric<NoveltyMetric>(r, "novelty",
                                 "Mean self-information of the recommended items, in bits.\n"
                                 "novelty@k = mean over users of (1/|L_u|) Σ_{i∈L_u} -log2(max(phi(i),1) / "
                                 "|U_train|) (users with an empty list are not counted)"
                                 "\nrange: [0, inf)");

  // Beyond accuracy (one value over all lists; c_i = number of lists holding item i, zeros included).
  add_list_metric<CoverageMetric>(r, "coverage",
                                  "Share of the catalog recommended to at least one user.\n"
                                  "coverage@k = |∪_u L_u| / |I|"
                                  "\nrange: [0, 1]");
  add_list_metric<CoverageCountMetric>(r, "coverage_count",
                                       "Number of catalog items recommended to at least one user.\n"
                                       "coverage_count@k = |∪_u L_u|"
                                       "\nrange: [0, inf)");
  add_list_metric<GiniMetric>(r, "gini",
                              "Gini index of item exposure (0 = equal exposure, (n-1)/n = one item gets all).\n"
                              "gini@k = Σ_{j=1..n} (2j − n − 1) c_(j) / (n Σ c), c sorted ascending over all n = "
                              "|I| catalog items;\n0 when no item is recommended (Σ c = 0)"
                              "\nrange: [0, 1]");
  add_list_metric<EntropyMetric>(r, "entropy",
                                 "Shannon entropy of item exposure, in nats.\n"
                                 "entropy@k = −Σ_i p_i ln p_i, p_i = c_i / Σ c (0 ln 0 = 0); 0 when no item is "
                                 "recommended (Σ c = 0)"
                                 "\nrange: [0, inf)");
  add_list_metric<PopReoMetric>(r, "pop_reo",
                                "Popularity ranking-based equal opportunity (Zhu et al. 2020, as in Elliot).\n"
                                "P_G = Σ_u |L_u ∩ T_u ∩ G| / Σ_u |T_u ∩ G| for G in {Head, Tail} (0 when the "
                                "denominator is 0);\npop_reo@k = population std / mean of (P_head, P_tail); 0 "
                                "when the mean is 0"
                                "\nrange: [0, 1]");
  add_list_metric<PopRspMetric>(r, "pop_rsp",
                                "Popularity ranking-based statistical parity (Zhu et al. 2020, as in Elliot).\n"
                                "P_G = Σ_u |L_u ∩ G| / Σ_u |G \\ train_u| for G in {Head, Tail} (0 when the "
                                "denominator is 0);\npop_rsp@k = population std / mean of (P_head, P_tail); 0 "
                                "when the mean is 0"
                                "\nrange: [0, 1]");

  // Impressions (the MIND leaderboard): one value per case (impression), averaged over cases that
  // count; a user's per-user value is the mean over her cases. Computed on the protocol's strict
  // ranking (ties already broken), as the leaderboard scores submitted ranks.
  add_case_metric<ImpressionAucMetric>(
      r, "imp_auc",
      "Area under the ROC curve of each case's complete ranking, averaged over cases (MIND's AUC).\n"
      "imp_auc = (1/(P·N)) · #{(p, n) : rank(p) < rank(n)} over the P relevant (clicked) and N other "
      "candidates of a case, every candidate ranked;\ncases with P = 0 or N = 0 are not counted; value = mean over "
      "cases. Needs a protocol with candidate lists (impressions, sampled, fixed_negatives)"
      "\nrange: [0, 1]");
  add_case_metric<ImpressionMrrMetric>(
      r, "imp_mrr",
      "Mean reciprocal rank of every relevant candidate, averaged over cases (MIND's MRR).\n"
      "imp_mrr = (1/|T|) · Σ_{i∈T} 1/rank(i) over the complete ranking of a case's candidates; value = mean over "
      "cases. Needs a protocol with candidate lists (impressions, sampled, fixed_negatives)"
      "\nrange: [0, 1]");
  add_list_metric<ImpressionNdcgMetric>(
      r, "imp_ndcg",
      "nDCG of each case's list, averaged over cases rather than users (MIND's nDCG@k).\n"
      "DCG = Σ_{r=1..k} (2^rel_r − 1) / log2(r+1), rel_r ∈ {0,1}; IDCG = Σ_{r=1..min(k,|T|)} 1 / log2(r+1);\n"
      "imp_ndcg@k = mean over cases of DCG / IDCG (per case the same value as ndcg@k)"
      "\nrange: [0, 1]");

  // Rating prediction.
  add_rating_metric<RmseMetric>(r, "rmse",
                                "Root mean squared error of predicted test ratings.\n"
                                "rmse = sqrt((1/N) Σ (r̂_ui − r_ui)²) over the N test ratings"
                                "\nrange: [0, inf)");
  add_rating_metric<MaeMetric>(r, "mae",
                               "Mean absolute error of predicted test ratings.\n"
                               "mae = (1/N) Σ |r̂_ui − r_ui| over the N test ratings"
                               "\nrange: [0, inf)");
}

}  // namespace tailrec
