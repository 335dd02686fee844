#pragma once
// The nested algorithms of a hybrid. The `components` parameter is read exactly like the
// top-level `algorithms:` list (each entry a registered name or a map {name, label?, <params>})
// and every component is constructed at once, so a bad nested config fails while the plan is
// validated, before any data is loaded. Components are fitted in fit() and scored as blocks
// whose rows are normalised per user, so scores of different models can be combined.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "algorithms/hybrid/score_normalization.hpp"
#include "framework/algorithm.hpp"
#include "framework/registries.hpp"

namespace tailrec {

class Logger;

// The `components` parameter of every hybrid; `fallback` is its default list of names.
ParamSpec components_param(const std::vector<std::string>& fallback, std::string help);

// One nested algorithm entry (a hybrid's component, a re-ranker's base): a registered name or a map
// {name, label?, <params>}, read like an entry of the top-level `algorithms:` list and constructed at
// once. `path` and `origin` name the entry in errors.
struct NestedAlgorithm {
  std::string name;
  std::string label;  // the entry's label, else its name
  std::unique_ptr<Algorithm> algorithm;
};
NestedAlgorithm make_nested_algorithm(const Registries& registries, const YAML::Node& entry, const std::string& path,
                                      const std::string& origin);

class HybridComponents {
 public:
  // Reads params.node("components"); needs between min_count and max_count entries.
  HybridComponents(const Registries& registries, const Params& params, size_t min_count, size_t max_count);

  size_t size() const { return algorithms_.size(); }
  const std::string& label(size_t m) const { return labels_[m]; }
  const std::vector<std::string>& labels() const { return labels_; }
  const Algorithm& algorithm(size_t m) const { return *algorithms_[m]; }

  // Fits every component on the same context (same train, seed and validation; work_dir/<label>).
  void fit(const FitContext& context);
  // Component m's scores of `users` into out [users x num_items], each row normalised.
  void score_normalized(size_t m, std::span<const int32_t> users, std::span<float> out,
                        Normalization normalization) const;

 private:
  std::vector<std::string> labels_;
  std::vector<std::unique_ptr<Algorithm>> algorithms_;
};

// "config key 'algorithms[0].alpha' (origin): message" for a hybrid's own parameter.
[[noreturn]] void fail_param(const Params& params, const std::string& name, const std::string& message);

// The logger of a context (a silent one when the caller gave none).
Logger& context_log(const FitContext& context);

}  // namespace tailrec
