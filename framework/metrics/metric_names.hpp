#pragma once
// Turns the metric names of a config or command line ("ndcg", "ndcg@5", "all") into metric
// instances, so every entry point parses metric lists the same way and with the same errors.
#include <memory>
#include <string>
#include <vector>

#include "framework/metrics/metric.hpp"

namespace tailrec {

struct Registries;

// Each spec is "name" (one instance per k in default_ks), "name@k" (k a positive integer), "all"
// (every registered per-user and aggregate ranking metric at every default k; rating and impression
// metrics excluded) or "all@k". Metrics without a cut-off (rmse, mae, imp_auc, imp_mrr) give one
// instance, and "rmse@5" is an error. Unknown
// names throw the registry's did-you-mean error; duplicates are dropped, first occurrence kept.
std::vector<std::unique_ptr<Metric>> make_metrics(const Registries& registries, const std::vector<std::string>& specs,
                                                  const std::vector<int>& default_ks);

}  // namespace tailrec
