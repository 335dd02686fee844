// make_metrics(): metric specs -> metric instances (see metric_names.hpp for the spec grammar).
#include "framework/metrics/metric_names.hpp"

#include <limits>
#include <optional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "framework/config/registries.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

namespace {

using MetricEntry = RegistryEntry<std::unique_ptr<Metric>>;

bool takes_cutoff(const MetricEntry& entry) {
  for (const auto& p : entry.params)
    if (p.name == "k") return true;
  return false;
}

std::unique_ptr<Metric> create(const MetricEntry& entry, int k, const std::string& spec) {
  if (!takes_cutoff(entry)) return entry.create(Params::defaults(entry.params));
  YAML::Node values;
  values["k"] = k;
  return entry.create(Params::from_yaml(entry.params, values, fmt::format("metric '{}'", spec)));
}

int parse_cutoff(const std::string& spec, std::string_view text) {
  const auto k = parse_int(text);
  if (!k || *k <= 0 || *k > std::numeric_limits<int>::max())
    fail("metric '{}': k must be a positive integer (e.g. ndcg@10), got '{}'", shown(spec), shown(text));
  return static_cast<int>(*k);
}

}  // namespace

std::vector<std::unique_ptr<Metric>> make_metrics(const Registries& registries, const std::vector<std::string>& specs,
                                                  const std::vector<int>& default_ks) {
  for (const int k : default_ks)
    if (k <= 0) fail("metric cut-off {} in the default k list must be a positive integer (e.g. [5, 10, 20])", k);

  std::vector<std::unique_ptr<Metric>> out;
  std::set<std::string> seen;
  const auto add = [&](std::unique_ptr<Metric> metric) {
    if (seen.insert(metric->name()).second) out.push_back(std::move(metric));
  };

  for (const auto& raw : specs) {
    const std::string spec(trim(raw));
    if (spec.empty()) fail("empty metric name in the metric list; write e.g. ndcg@10 or all");
    const auto at = spec.find('@');
    const std::string name = spec.substr(0, at);
    std::optional<int> cutoff;
    if (at != std::string::npos) cutoff = parse_cutoff(spec, std::string_view(spec).substr(at + 1));

    const auto ks = cutoff ? std::vector<int>{*cutoff} : default_ks;
    if (name == "all") {
      if (ks.empty()) fail("metric 'all': no cut-off given; write all@10 or set the default k list");
      for (const auto& entry : registries.metrics.entries()) {
        if (!takes_cutoff(entry)) continue;  // rating metrics, imp_auc, imp_mrr
        for (const int k : ks) {
          auto metric = create(entry, k, spec);
          // The contract's per-user and aggregate metrics; the impression metrics are asked for by name.
          if (metric->kind() == Metric::Kind::PerUser || metric->kind() == Metric::Kind::Aggregate)
            add(std::move(metric));
        }
      }
      continue;
    }

    const auto& entry = registries.metrics.at(name);  // unknown name: did-you-mean error
    if (!takes_cutoff(entry)) {
      if (cutoff) fail("metric '{}': {} takes no @k (it has no cut-off); write '{}'", shown(spec), name, name);
      add(create(entry, 0, spec));
      continue;
    }
    if (ks.empty()) fail("metric '{}': no cut-off given; write {}@10 or set the default k list", shown(spec), name);
    for (const int k : ks) add(create(entry, k, spec));
  }
  return out;
}

}  // namespace tailrec
