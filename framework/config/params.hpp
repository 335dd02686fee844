#pragma once
// Typed, self-documenting parameters (after dmlc parameter.h): each component declares a schema of
// ParamSpecs; Params::resolve checks a YAML map against it (unknown keys with did-you-mean, types,
// ranges, choices) and fills defaults. The same schema prints `tailrec list ...`.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <yaml-cpp/yaml.h>

namespace tailrec {

class Config;
class ConfigView;

// Algorithm and AlgorithmList hold nested algorithm entries (a hybrid's components, a re-ranker's
// base): each a registered name or a map {name, label?, <params>}, read by read_algorithm_entry
// (framework/config/algorithm_entry.hpp) exactly like an entry of the top-level `algorithms:` list.
enum class ParamType { Int, Float, Bool, String, IntList, FloatList, StringList, Node, Algorithm, AlgorithmList };
std::string_view to_string(ParamType type);

// Seeds are non-negative 64-bit integers (0 .. 2^63 - 1); see kMaxInt for other integers.
inline constexpr double kMaxSeed = 9223372036854775807.0;
// An integer parameter without its own maximum is a count or size kept in 32 bits: larger values
// are refused rather than wrapped around.
inline constexpr double kMaxInt = 2147483647.0;

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::String;
  YAML::Node default_value;  // Null means "no default": the key is optional and may stay null
  std::string help;
  std::optional<double> min;  // inclusive bounds for numbers (each element of number lists)
  std::optional<double> max;
  std::vector<std::string> choices;  // for String: allowed values
  bool required = false;

  static ParamSpec integer(std::string name, int64_t fallback, std::string help,
                           std::optional<double> min = {}, std::optional<double> max = {});
  static ParamSpec real(std::string name, double fallback, std::string help,
                        std::optional<double> min = {}, std::optional<double> max = {});
  static ParamSpec boolean(std::string name, bool fallback, std::string help);
  static ParamSpec text(std::string name, std::string fallback, std::string help);
  static ParamSpec choice(std::string name, std::string fallback, std::vector<std::string> choices,
                          std::string help);
  // Optional value without a default (null unless given).
  static ParamSpec optional(std::string name, ParamType type, std::string help);
  static ParamSpec needed(std::string name, ParamType type, std::string help);
  // Any YAML (validated by the component itself, e.g. a list of fields or a weight list).
  static ParamSpec node(std::string name, std::string help);
  // One nested algorithm entry, by default the algorithm `fallback` with its defaults.
  static ParamSpec algorithm(std::string name, std::string fallback, std::string help);
  // A list of nested algorithm entries, by default the algorithms `fallback` with their defaults.
  static ParamSpec algorithms(std::string name, const std::vector<std::string>& fallback, std::string help);

  std::string default_text() const;  // for docs and listings
};

class Params {
 public:
  Params() = default;
  // Validates `view` (a map, possibly null) against `schema` and marks every key read.
  static Params resolve(const std::vector<ParamSpec>& schema, const ConfigView& view,
                        const std::vector<std::string>& ignore_keys = {});
  // Same checks on a plain YAML map (tests, programmatic use); `where` names it in errors.
  static Params from_yaml(const std::vector<ParamSpec>& schema, const YAML::Node& values,
                          const std::string& where = "parameters");
  // Builds from defaults only (tests, listings).
  static Params defaults(const std::vector<ParamSpec>& schema);

  bool has(std::string_view name) const;  // present and not null
  int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool boolean(std::string_view name) const;
  std::string text(std::string_view name) const;
  std::vector<int64_t> integers(std::string_view name) const;
  std::vector<double> reals(std::string_view name) const;
  std::vector<std::string> texts(std::string_view name) const;
  YAML::Node node(std::string_view name) const;
  // Where a value came from ("configs/x.yaml:3", "command line"), for error messages.
  std::string origin(std::string_view name) const;
  // An Algorithm or AlgorithmList parameter as a config of its own whose one root key is its full
  // dotted path (where() + "." + name), with the origins of every key beneath it: nested entries are
  // read, and fail, like top-level ones.
  Config subtree(std::string_view name) const;
  // A ConfigError at this parameter: "config key '<where>.<name>' (<origin>): message".
  [[noreturn]] void fail_at(std::string_view name, const std::string& message) const;

  // Overrides a value programmatically (tests, tuning). The type is checked against the schema.
  void set(std::string_view name, const YAML::Node& value);
  nlohmann::json to_json() const;
  const std::string& where() const { return where_; }

 private:
  const YAML::Node& value(std::string_view name, ParamType expected) const;
  struct Item {
    std::string name;
    ParamType type;
    YAML::Node value;
    std::string origin;
    std::map<std::string, std::string> nested_origins;  // Algorithm(List): dotted path -> origin
  };
  std::vector<Item> items_;
  std::string where_;
};

}  // namespace tailrec
