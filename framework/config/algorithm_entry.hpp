#pragma once
// The one reader of an algorithm entry: an item of the top-level `algorithms:` list, of a hybrid's
// `components` or a re-ranker's `base` (every ParamType::Algorithm or AlgorithmList parameter).
// An entry is a registered name or a map {name, label?, <params>}. Defaults have one source at
// every depth, in two steps:
//  - expand_algorithm_list (when the plan is built, with the config search path) turns each entry,
//    nested ones included, into {name, label, <configs/algorithm/<name>.yaml>, <its own values>},
//    so a --config-dir copy of configs/algorithm/<name>.yaml changes every entry of that algorithm;
//  - read_algorithm_entry checks name, label and parameters against the algorithm's schema, whose
//    ParamSpec defaults (equal to the shipped configs/algorithm files: a contract test compares
//    the values) fill what the entry leaves out.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "framework/config/config.hpp"
#include "framework/config/params.hpp"
#include "framework/config/registry.hpp"
#include "framework/model/algorithm.hpp"

namespace tailrec {

using AlgorithmRegistry = Registry<std::unique_ptr<Algorithm>>;

struct AlgorithmEntry {
  std::string name;
  std::string label;  // the entry's label, else its name
  Params params;
};

// Expands, in place, the list of entries under the top-level key `path` of `config` (a single name
// is a list of one),
// each entry and the entries nested in its Algorithm/AlgorithmList parameters (their schema
// defaults when the entry does not set them), with origins (file:line) for every key added.
// Refuses an empty list, an unregistered name and a malformed entry, naming the key.
void expand_algorithm_list(Config& config, const std::string& path, const AlgorithmRegistry& algorithms,
                           const std::vector<std::filesystem::path>& search_path);

// Reads one entry (expanded or not): its name must be registered, its label a string, its
// parameters valid for the algorithm's schema (unknown keys, types and ranges fail at their key).
AlgorithmEntry read_algorithm_entry(const AlgorithmRegistry& algorithms, const ConfigView& entry);

// read_algorithm_entry, then the algorithm constructed from it; a construction error that does
// not name its key is reported at the entry.
struct CreatedAlgorithm {
  AlgorithmEntry entry;
  std::unique_ptr<Algorithm> algorithm;
};
CreatedAlgorithm create_algorithm(const AlgorithmRegistry& algorithms, const ConfigView& entry);

}  // namespace tailrec
