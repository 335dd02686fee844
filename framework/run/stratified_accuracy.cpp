#include "framework/run/stratified_accuracy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "framework/run/evaluation_loop.hpp"
#include "framework/util/check.hpp"

namespace tailrec {

namespace {

nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json group_values(const Strata& strata, const std::vector<std::string>& metrics,
                            const std::vector<std::vector<double>>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t g = 0; g < strata.groups.size(); ++g) {
    nlohmann::json one = nlohmann::json::object();
    for (size_t m = 0; m < metrics.size(); ++m) one[metrics[m]] = number_or_null(values[g][m]);
    out[strata.groups[g].name] = std::move(one);
  }
  return out;
}

}  // namespace

StratifiedAccuracy::StratifiedAccuracy(const StrataSettings& settings, const MetricContext& context,
                                       const std::vector<EvalCase>& cases, const Interactions& known,
                                       const std::vector<std::unique_ptr<Metric>>& metrics) {
  for (const auto& m : metrics)
    if (m->kind() == Metric::Kind::PerUser && m->judges_relevance()) metrics_.push_back(m->name());
  if (metrics_.empty()) return;
  items_by_ = settings.items;
  items_ = tailrec::item_strata(settings, context.phi, context.tail);
  std::vector<int32_t> users;
  for (const auto& c : cases) users.push_back(c.user);
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  users_ = user_strata(settings, users, known);
  item_relevant_.assign(items_.groups.size(), 0);
  for (const auto& c : cases)
    for (int32_t item : c.relevant)
      if (const int g = items_.group(item); g >= 0) ++item_relevant_[static_cast<size_t>(g)];
}

const Strata* StratifiedAccuracy::item_strata() const { return items_.groups.empty() ? nullptr : &items_; }

nlohmann::json StratifiedAccuracy::definitions() const {
  nlohmann::json out = {{"metrics", metrics_}};
  if (!items_.groups.empty()) {
    nlohmann::json groups = nlohmann::json::array();
    for (size_t g = 0; g < items_.groups.size(); ++g) {
      const auto& s = items_.groups[g];
      groups.push_back({{"name", s.name}, {"description", s.description}, {"items", s.members},
                        {"relevant", item_relevant_[g]}});
    }
    out["items"] = {{"by", items_by_}, {"groups", groups}};
  }
  if (!users_.groups.empty()) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& s : users_.groups)
      groups.push_back({{"name", s.name}, {"description", s.description}, {"users", s.members}});
    out["users"] = {{"by", "quantiles"}, {"groups", groups}};
  }
  return out;
}

std::vector<std::vector<double>> StratifiedAccuracy::item_values(const Evaluation& evaluation) const {
  if (items_.groups.empty()) return {};
  TAILREC_CHECK(evaluation.stratified_names == metrics_ &&
                    evaluation.item_strata_values.size() == items_.groups.size(),
                "the evaluation was not stratified by this run's item groups");
  return evaluation.item_strata_values;
}

std::vector<std::vector<double>> StratifiedAccuracy::user_values(const Evaluation& evaluation) const {
  std::vector<std::vector<double>> values(users_.groups.size(),
                                          std::vector<double>(metrics_.size(), std::numeric_limits<double>::quiet_NaN()));
  for (size_t m = 0; m < metrics_.size(); ++m) {
    const auto at = std::find(evaluation.per_user_names.begin(), evaluation.per_user_names.end(), metrics_[m]);
    TAILREC_CHECK(at != evaluation.per_user_names.end(), "no per-user values of {}", metrics_[m]);
    const auto& per_user = evaluation.per_user[static_cast<size_t>(at - evaluation.per_user_names.begin())];
    std::vector<double> sum(users_.groups.size(), 0.0);
    std::vector<int64_t> counted(users_.groups.size(), 0);
    for (size_t u = 0; u < evaluation.users.size(); ++u) {  // in user order: thread-count independent
      const int g = users_.group(evaluation.users[u]);
      if (g < 0 || std::isnan(per_user[u])) continue;
      sum[static_cast<size_t>(g)] += per_user[u];
      ++counted[static_cast<size_t>(g)];
    }
    for (size_t g = 0; g < users_.groups.size(); ++g)
      if (counted[g] > 0) values[g][m] = sum[g] / static_cast<double>(counted[g]);
  }
  return values;
}

nlohmann::json StratifiedAccuracy::values(const Evaluation& evaluation) const {
  nlohmann::json out = nlohmann::json::object();
  if (!items_.groups.empty()) out["items"] = group_values(items_, metrics_, item_values(evaluation));
  if (!users_.groups.empty()) out["users"] = group_values(users_, metrics_, user_values(evaluation));
  return out;
}

std::vector<std::string> StratifiedAccuracy::csv_columns(const std::string& kind) const {
  const auto marked = kind.empty() ? std::string() : fmt::format("[{}]", kind);
  std::vector<std::string> columns;
  for (const auto& s : items_.groups)
    for (const auto& m : metrics_) columns.push_back(fmt::format("{}{}[items={}]", m, marked, s.name));
  for (const auto& s : users_.groups)
    for (const auto& m : metrics_) columns.push_back(fmt::format("{}{}[users={}]", m, marked, s.name));
  return columns;
}

std::vector<std::string> StratifiedAccuracy::csv_cells(const Evaluation& evaluation) const {
  std::vector<std::string> cells;
  for (const auto& group : item_values(evaluation))
    for (double v : group) cells.push_back(format_exact(v));
  for (const auto& group : user_values(evaluation))
    for (double v : group) cells.push_back(format_exact(v));
  return cells;
}

std::vector<std::string> StratifiedAccuracy::log_lines(const Evaluation& evaluation) const {
  std::vector<std::string> lines;
  const auto line = [&](const char* what, const Strata& strata, const std::vector<std::vector<double>>& values) {
    if (strata.groups.empty()) return;
    // nDCG when it is measured (the usual headline), else the first stratified metric.
    size_t m = 0;
    for (size_t i = 0; i < metrics_.size(); ++i)
      if (metrics_[i].rfind("ndcg@", 0) == 0) { m = i; break; }
    std::string text = fmt::format("{} by {}:", metrics_[m], what);
    for (size_t g = 0; g < strata.groups.size(); ++g)
      text += fmt::format(" {} {}", strata.groups[g].name, format_metric_value(values[g][m]));
    lines.push_back(std::move(text));
  };
  line("item popularity", items_, item_values(evaluation));
  line("user activity", users_, user_values(evaluation));
  return lines;
}

}  // namespace tailrec
