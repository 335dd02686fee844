#pragma once
// The run-level settings as typed parameter schemas, read through Params::resolve exactly like an
// algorithm's parameters (the same errors for an unknown, mistyped or out-of-range key), printed by
// `tailrec list settings`, and the one source of their defaults: configs/config.yaml, the
// configs/metrics/ and configs/launcher/ options and the split-level keys of configs/split/ are
// checked against them by tests/unit/framework/run/settings_test.cpp, value by value.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "framework/config/params.hpp"

namespace tailrec {

struct SettingsGroup {
  std::string path;  // the config key the group lives under: "run", "metrics", "launcher.slurm", ...
  std::string help;  // one line
  std::vector<ParamSpec> params;
};

// Every group, in the order `tailrec list settings` prints them.
const std::vector<SettingsGroup>& settings_groups();
// One group by its path (an internal error for an unknown path: paths are fixed in code).
const SettingsGroup& settings_group(std::string_view path);
// The keys of `group`: what a config section that also holds a component's own keys (split: the
// splitter's parameters) passes as ignore_keys when it resolves the component's schema.
std::vector<std::string> settings_keys(std::string_view group);

// An optional text setting: "" when null (an empty text means the same as null, e.g. run.dir=).
std::string optional_text(const Params& settings, std::string_view name);

// run.results_root of resolved run settings, or <tailrec home>/results when null or empty.
std::filesystem::path results_root(const Params& run);

}  // namespace tailrec
