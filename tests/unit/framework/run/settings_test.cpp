// The run-level settings schema (framework/run/settings.hpp) is the one source of defaults: every
// config file that sets run-level keys holds exactly the schema's keys with the schema's values
// (compared value by value, not only by key), and the schema checks values as algorithm
// parameters are checked.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "framework/config/params.hpp"
#include "framework/run/settings.hpp"
#include "framework/util/error.hpp"
#include "unit/support/schema_values.hpp"

namespace tailrec {
namespace {

using test::same_value;

const std::string kConfigs = std::string(TAILREC_SOURCE_DIR) + "/configs/";

// Every key of `section` is a key of `group` with the default value, and every key of the group
// is in the file; `skip` keys are the file's own (a group option's name, the metric names).
void expect_section_matches(const YAML::Node& section, const std::string& group, const std::string& where,
                            const std::vector<std::string>& skip = {}) {
  ASSERT_TRUE(section && section.IsMap()) << where;
  const auto& params = settings_group(group).params;
  size_t checked = 0;
  for (const auto& spec : params) {
    if (std::find(skip.begin(), skip.end(), spec.name) != skip.end()) continue;
    EXPECT_TRUE(section[spec.name]) << where << ": " << group << "." << spec.name << " is missing";
    // A nested group (metrics.long_tail) is checked against its own schema.
    EXPECT_TRUE(spec.type == ParamType::Node || same_value(spec, section[spec.name]))
        << where << ": " << group << "." << spec.name << " is not the schema's default " << spec.default_text();
    ++checked;
  }
  for (const auto& kv : section) {
    const auto key = kv.first.Scalar();
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    EXPECT_TRUE(std::any_of(params.begin(), params.end(), [&](const ParamSpec& p) { return p.name == key; }))
        << where << ": " << key << " is not a key of " << group;
  }
  EXPECT_GT(checked, 0u) << where;
}

TEST(Settings, ConfigYamlHoldsTheRunAndSweepDefaults) {
  const auto config = YAML::LoadFile(kConfigs + "config.yaml");
  expect_section_matches(config["run"], "run", "configs/config.yaml");
  expect_section_matches(config["sweep"], "sweep", "configs/config.yaml");
}

TEST(Settings, EveryMetricsOptionHoldsTheSchemaKeys) {
  for (const char* option : {"default", "all", "rating", "mind"}) {
    const auto where = std::string("configs/metrics/") + option + ".yaml";
    const auto file = YAML::LoadFile(kConfigs + "metrics/" + option + ".yaml");
    // names is what each option chooses (required: no default).
    expect_section_matches(file, "metrics", where, {"names"});
    EXPECT_TRUE(file["names"] && !file["names"].IsNull()) << where;
    expect_section_matches(file["long_tail"], "metrics.long_tail", where + " long_tail");
    expect_section_matches(file["strata"], "metrics.strata", where + " strata");
  }
}

TEST(Settings, EveryLauncherOptionHoldsItsSchema) {
  for (const char* option : {"local", "slurm"}) {
    const auto where = std::string("configs/launcher/") + option + ".yaml";
    const auto file = YAML::LoadFile(kConfigs + "launcher/" + option + ".yaml");
    EXPECT_EQ(file["name"].Scalar(), option) << where;
    expect_section_matches(file, std::string("launcher.") + option, where, {"name"});
  }
}

TEST(Settings, EverySplitOptionHoldsTheSplitLevelDefaults) {
  for (const char* option : {"random_holdout", "temporal_global", "temporal_user", "leave_one_out", "kfold", "cold_items", "cold_users", "fixed",
                             "predefined"}) {
    const auto where = std::string("configs/split/") + option + ".yaml";
    const auto file = YAML::LoadFile(kConfigs + "split/" + option + ".yaml");
    for (const auto& spec : settings_group("split").params)
      EXPECT_TRUE(same_value(spec, file[spec.name])) << where << ": split." << spec.name;
  }
}

TEST(Settings, EveryProtocolOptionHoldsTheProtocolLevelDefaults) {
  size_t options = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kConfigs + "protocol")) {
    const auto where = entry.path().string();
    const auto file = YAML::LoadFile(where);
    for (const auto& spec : settings_group("protocol").params) {
      EXPECT_TRUE(file[spec.name]) << where << ": protocol." << spec.name << " is missing";
      EXPECT_TRUE(same_value(spec, file[spec.name])) << where << ": protocol." << spec.name;
    }
    ++options;
  }
  EXPECT_GE(options, 5u);
}

// Run-level keys are checked like algorithm parameters: unknown keys with did-you-mean, types,
// ranges and choices, each error naming the key.
TEST(Settings, ValuesAreCheckedLikeAlgorithmParameters) {
  const auto& run = settings_group("run").params;
  const auto error_of = [&](const std::string& yaml) -> std::string {
    try {
      Params::from_yaml(run, YAML::Load(yaml), "run");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of("{sead: 1}").find("unknown parameter 'sead' (did you mean 'seed'?)"), std::string::npos);
  EXPECT_NE(error_of("{threads: 2000}").find("2000 is above the maximum 1024"), std::string::npos);
  EXPECT_NE(error_of("{device: gpu}").find("'gpu' is not one of cpu, cuda, auto"), std::string::npos);
  EXPECT_NE(error_of("{seed: abc}").find("'abc' is not an integer"), std::string::npos);
  EXPECT_NE(error_of("{explain_reasons: 0}").find("0 is below the minimum 1"), std::string::npos);
  const auto defaults = Params::defaults(run);
  EXPECT_EQ(defaults.integer("seed"), 42);
  EXPECT_EQ(defaults.text("evaluate_on"), "test");
  EXPECT_FALSE(defaults.has("results_root"));
  EXPECT_EQ(results_root(defaults).filename(), "results");
  // An empty text is null: run.dir= means the default folder, as before.
  const auto empty = Params::from_yaml(run, YAML::Load("{dir: '', results_root: ''}"), "run");
  EXPECT_EQ(optional_text(empty, "dir"), "");
  EXPECT_EQ(results_root(empty).filename(), "results");
  EXPECT_THROW(Params::from_yaml(settings_group("split").params, YAML::Load("{seed: -1}"), "split"), Error);
  EXPECT_THROW(Params::from_yaml(settings_group("metrics").params, YAML::Load("{names: null}"), "metrics"), Error);
}

TEST(Settings, EveryGroupIsDocumented) {
  std::vector<std::string> paths;
  for (const auto& group : settings_groups()) {
    paths.push_back(group.path);
    EXPECT_FALSE(group.help.empty()) << group.path;
    for (const auto& p : group.params) EXPECT_FALSE(p.help.empty()) << group.path << "." << p.name;
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"run", "metrics", "metrics.long_tail", "metrics.strata", "split", "protocol",
                                             "sweep", "launcher.local", "launcher.slurm"}));
  EXPECT_EQ(settings_keys("protocol"), (std::vector<std::string>{"cold_users", "candidates", "catalog", "also_full",
                                                                 "correction", "correction_gamma"}));
  EXPECT_EQ(settings_keys("split"), (std::vector<std::string>{"validation", "seed"}));
}

}  // namespace
}  // namespace tailrec
