// Defaults of the Metric base class: each metric implements only the entry point of its kind; the
// others throw, because calling them means the evaluator dispatched on the wrong kind (a bug).
#include "framework/metrics/metric.hpp"

#include "framework/util/check.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace tailrec {

namespace {

[[noreturn]] void wrong_kind(const Metric& metric, const char* entry_point) {
  TAILREC_UNREACHABLE("metric '{}' has no {}(); the evaluator called the wrong kind", metric.name(), entry_point);
}

}  // namespace

std::optional<double> Metric::user_value(const RankedCase&, const MetricContext&) const {
  wrong_kind(*this, "user_value");
}

double Metric::aggregate(std::span<const RankedCase>, const MetricContext&) const { wrong_kind(*this, "aggregate"); }

double Metric::rating_value(std::span<const float>, std::span<const float>) const {
  wrong_kind(*this, "rating_value");
}

int32_t MetricContext::catalog_size() const {
  if (in_catalog.empty()) return num_items;
  return static_cast<int32_t>(std::count(in_catalog.begin(), in_catalog.end(), uint8_t{1}));
}
std::optional<double> Metric::value_at_rank(int64_t) const { return std::nullopt; }

std::span<const int32_t> Metric::top(const RankedCase& c) const {
  const auto n = std::min(static_cast<size_t>(std::max(k_, 0)), c.list.size());
  return c.list.first(n);
}

}  // namespace tailrec
