#include "framework/config/params.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "framework/config/config.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

std::string_view to_string(ParamType type) {
  switch (type) {
    case ParamType::Int: return "int";
    case ParamType::Float: return "float";
    case ParamType::Bool: return "bool";
    case ParamType::String: return "string";
    case ParamType::IntList: return "list of int";
    case ParamType::FloatList: return "list of float";
    case ParamType::StringList: return "list of string";
    case ParamType::Node: return "yaml";
    case ParamType::Algorithm: return "algorithm";
    case ParamType::AlgorithmList: return "list of algorithms";
  }
  return "?";
}

ParamSpec ParamSpec::integer(std::string name, int64_t fallback, std::string help, std::optional<double> min,
                             std::optional<double> max) {
  ParamSpec p{std::move(name), ParamType::Int, YAML::Node(fallback), std::move(help), min, max, {}, false};
  return p;
}
ParamSpec ParamSpec::real(std::string name, double fallback, std::string help, std::optional<double> min,
                          std::optional<double> max) {
  // Shortest round-trip text (yaml-cpp would print 0.2 as 0.20000000000000001).
  return ParamSpec{std::move(name), ParamType::Float, YAML::Node(fmt::format("{}", fallback)), std::move(help), min, max, {}, false};
}
ParamSpec ParamSpec::boolean(std::string name, bool fallback, std::string help) {
  return ParamSpec{std::move(name), ParamType::Bool, YAML::Node(fallback), std::move(help), {}, {}, {}, false};
}
ParamSpec ParamSpec::text(std::string name, std::string fallback, std::string help) {
  return ParamSpec{std::move(name), ParamType::String, YAML::Node(fallback), std::move(help), {}, {}, {}, false};
}
ParamSpec ParamSpec::choice(std::string name, std::string fallback, std::vector<std::string> choices,
                            std::string help) {
  return ParamSpec{std::move(name), ParamType::String, YAML::Node(fallback), std::move(help), {}, {}, std::move(choices), false};
}
ParamSpec ParamSpec::optional(std::string name, ParamType type, std::string help) {
  return ParamSpec{std::move(name), type, YAML::Node(), std::move(help), {}, {}, {}, false};
}
ParamSpec ParamSpec::needed(std::string name, ParamType type, std::string help) {
  return ParamSpec{std::move(name), type, YAML::Node(), std::move(help), {}, {}, {}, true};
}
ParamSpec ParamSpec::node(std::string name, std::string help) {
  return ParamSpec{std::move(name), ParamType::Node, YAML::Node(), std::move(help), {}, {}, {}, false};
}

ParamSpec ParamSpec::algorithm(std::string name, std::string fallback, std::string help) {
  return ParamSpec{std::move(name), ParamType::Algorithm, YAML::Node(std::move(fallback)), std::move(help), {}, {}, {}, false};
}
ParamSpec ParamSpec::algorithms(std::string name, const std::vector<std::string>& fallback, std::string help) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const auto& algorithm : fallback) list.push_back(algorithm);
  return ParamSpec{std::move(name), ParamType::AlgorithmList, list, std::move(help), {}, {}, {}, false};
}

std::string ParamSpec::default_text() const {
  if (required) return "(required)";
  if (!default_value || default_value.IsNull()) return "null";
  YAML::Emitter out;
  out << YAML::Flow << default_value;
  return out.c_str();
}

namespace {

// A value as messages quote it: bounded, control bytes escaped.
std::string show(const YAML::Node& node) {
  if (!node || node.IsNull()) return "null";
  if (node.IsScalar()) return shown(node.Scalar(), 200);
  YAML::Emitter out;
  out << YAML::Flow << node;
  return shown(out.c_str(), 200);
}

bool is_bool_text(const std::string& s, bool& value) {
  const auto t = to_lower_ascii(s);
  if (t == "true" || t == "yes" || t == "on") return value = true, true;
  if (t == "false" || t == "no" || t == "off") return value = false, true;
  return false;
}

// Checks one scalar against a number/bool/string type; returns an error text or "".
std::string check_scalar(const YAML::Node& node, ParamType type, const ParamSpec& spec) {
  if (!node.IsScalar()) return fmt::format("expected {}, got {}", to_string(type), show(node));
  const std::string& s = node.Scalar();
  double number = 0;
  switch (type) {
    case ParamType::Int: {
      const auto v = parse_int(s);
      if (!v) return fmt::format("'{}' is not an integer", shown(s));
      number = static_cast<double>(*v);
      break;
    }
    case ParamType::Float: {
      const auto v = parse_double(s);
      if (!v) return fmt::format("'{}' is not a finite number", shown(s));
      number = *v;
      break;
    }
    case ParamType::Bool: {
      bool b;
      if (!is_bool_text(s, b)) return fmt::format("'{}' is not true or false", shown(s));
      return {};
    }
    default: {
      if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
        return fmt::format("'{}' is not one of {}{}", shown(s), join(spec.choices, ", "), did_you_mean(s, spec.choices));
      return {};
    }
  }
  if (spec.min && number < *spec.min) return fmt::format("{} is below the minimum {}", shown(s), *spec.min);
  if (spec.max && number > *spec.max) return fmt::format("{} is above the maximum {}", shown(s), *spec.max);
  if (!spec.max && type == ParamType::Int && number > kMaxInt)
    return fmt::format("{} is above the maximum {} (2^31 - 1) of an integer parameter", shown(s), kMaxInt);
  return {};
}

// The shape of a nested algorithm entry; its name and parameters are checked when it is read.
std::string check_algorithm_entry(const YAML::Node& node) {
  if (node.IsScalar() || (node.IsMap() && node["name"] && node["name"].IsScalar())) return {};
  return fmt::format("expected an algorithm: a registered name or a map {{name: ..., <params>}}, got {}", show(node));
}

std::string check(const YAML::Node& node, const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::Node: return {};
    case ParamType::Algorithm: return check_algorithm_entry(node);
    case ParamType::AlgorithmList: {
      if (!node.IsSequence())
        return fmt::format("expected a list of algorithms (registered names or maps {{name: ..., <params>}}), got {}",
                           show(node));
      for (const auto& e : node)
        if (auto err = check_algorithm_entry(e); !err.empty()) return err;
      return {};
    }
    case ParamType::IntList:
    case ParamType::FloatList:
    case ParamType::StringList: {
      const auto element = spec.type == ParamType::IntList     ? ParamType::Int
                           : spec.type == ParamType::FloatList ? ParamType::Float
                                                                : ParamType::String;
      if (node.IsScalar()) return check_scalar(node, element, spec);  // a single value is a list of one
      if (!node.IsSequence()) return fmt::format("expected {}, got {}", to_string(spec.type), show(node));
      for (const auto& e : node)
        if (auto err = check_scalar(e, element, spec); !err.empty()) return err;
      return {};
    }
    default: return check_scalar(node, spec.type, spec);
  }
}

bool is_algorithm_type(ParamType type) { return type == ParamType::Algorithm || type == ParamType::AlgorithmList; }

std::vector<std::string> schema_names(const std::vector<ParamSpec>& schema) {
  std::vector<std::string> names;
  for (const auto& p : schema) names.push_back(p.name);
  return names;
}

}  // namespace

Params Params::resolve(const std::vector<ParamSpec>& schema, const ConfigView& view,
                       const std::vector<std::string>& ignore_keys) {
  Params params;
  params.where_ = view.path();
  if (!view.is_null() && !view.is_map())
    view.fail_here(fmt::format("expected a map of parameters, got {}", show(view.node())));
  const auto names = schema_names(schema);
  if (view.size() == 0) view.mark_read();  // `{}` or null: nothing to check, but it was read
  for (const auto& key : view.keys()) {
    if (std::find(ignore_keys.begin(), ignore_keys.end(), key) != ignore_keys.end()) continue;
    if (std::find(names.begin(), names.end(), key) == names.end())
      view[key].fail_here(fmt::format("unknown parameter '{}'{}; valid parameters: {}", shown(key),
                                      did_you_mean(key, names), join(names, ", ")));
  }
  for (const auto& spec : schema) {
    Item item{spec.name, spec.type, YAML::Clone(spec.default_value), "default", {}};
    if (view.is_map() && view.node()[spec.name] && !view.node()[spec.name].IsNull()) {
      const auto child = view[spec.name];
      item.value.reset(child.node());
      item.origin = child.origin();
      if (auto err = check(item.value, spec); !err.empty()) child.fail_here(err);
      if (is_algorithm_type(spec.type)) item.nested_origins = child.origins_below();
      child.mark_read();
    } else if (view.is_map() && view.node()[spec.name]) {
      view[spec.name].mark_read();  // explicit null: keep the default
      if (spec.required) view[spec.name].fail_here("a value is required");
    } else if (spec.required) {
      throw ConfigError::missing(join_path(view.path(), spec.name), view.origin(), spec.help);
    }
    params.items_.push_back(std::move(item));
  }
  return params;
}

Params Params::from_yaml(const std::vector<ParamSpec>& schema, const YAML::Node& values, const std::string& where) {
  YAML::Node root;
  root[where] = values ? values : YAML::Node();
  Config config(root);
  return resolve(schema, config.root()[where]);
}

Params Params::defaults(const std::vector<ParamSpec>& schema) { return from_yaml(schema, YAML::Node(), "defaults"); }

bool Params::has(std::string_view name) const {
  for (const auto& item : items_)
    if (item.name == name) return item.value && !item.value.IsNull();
  return false;
}

const YAML::Node& Params::value(std::string_view name, ParamType expected) const {
  for (const auto& item : items_) {
    if (item.name != name) continue;
    TAILREC_CHECK(item.type == expected || expected == ParamType::Node,
                  "parameter '{}' is a {}, read as {}", name, to_string(item.type), to_string(expected));
    if (!item.value || item.value.IsNull())
      fail("parameter '{}' of {} has no value; set it in the config", name, where_);
    return item.value;
  }
  TAILREC_UNREACHABLE("parameter '{}' is not in the schema of {}", name, where_);
}

int64_t Params::integer(std::string_view name) const { return *parse_int(value(name, ParamType::Int).Scalar()); }
double Params::real(std::string_view name) const { return *parse_double(value(name, ParamType::Float).Scalar()); }
bool Params::boolean(std::string_view name) const {
  bool b = false;
  is_bool_text(value(name, ParamType::Bool).Scalar(), b);
  return b;
}
std::string Params::text(std::string_view name) const { return value(name, ParamType::String).Scalar(); }

template <typename T, typename Parse>
static std::vector<T> list_of(const YAML::Node& node, Parse parse) {
  std::vector<T> out;
  if (node.IsScalar()) return {parse(node.Scalar())};
  for (const auto& e : node) out.push_back(parse(e.Scalar()));
  return out;
}

std::vector<int64_t> Params::integers(std::string_view name) const {
  return list_of<int64_t>(value(name, ParamType::IntList), [](const std::string& s) { return *parse_int(s); });
}
std::vector<double> Params::reals(std::string_view name) const {
  return list_of<double>(value(name, ParamType::FloatList), [](const std::string& s) { return *parse_double(s); });
}
std::vector<std::string> Params::texts(std::string_view name) const {
  return list_of<std::string>(value(name, ParamType::StringList), [](const std::string& s) { return s; });
}
YAML::Node Params::node(std::string_view name) const {
  for (const auto& item : items_)
    if (item.name == name) return item.value;
  TAILREC_UNREACHABLE("parameter '{}' is not in the schema of {}", name, where_);
}

std::string Params::origin(std::string_view name) const {
  for (const auto& item : items_)
    if (item.name == name) return item.origin;
  return "unknown";
}

Config Params::subtree(std::string_view name) const {
  for (const auto& item : items_) {
    if (item.name != name) continue;
    TAILREC_CHECK(is_algorithm_type(item.type), "parameter '{}' of {} is a {}, not an algorithm", name, where_,
                  to_string(item.type));
    const auto path = join_path(where_, item.name);
    YAML::Node root(YAML::NodeType::Map);
    root[path] = YAML::Clone(item.value);
    Config config(root);
    config.set_origin(path, item.origin);
    for (const auto& [below, origin] : item.nested_origins) config.set_origin(below, origin);
    return config;
  }
  TAILREC_UNREACHABLE("parameter '{}' is not in the schema of {}", name, where_);
}

void Params::fail_at(std::string_view name, const std::string& message) const {
  throw ConfigError(join_path(where_, std::string(name)), origin(name), message);
}

void Params::set(std::string_view name, const YAML::Node& value) {
  for (auto& item : items_) {
    if (item.name != name) continue;
    ParamSpec spec{item.name, item.type, {}, {}, {}, {}, {}, false};
    if (auto err = check(value, spec); !err.empty()) fail("parameter '{}' of {}: {}", name, where_, err);
    item.value.reset(YAML::Clone(value));
    item.origin = "set";
    item.nested_origins.clear();
    return;
  }
  TAILREC_UNREACHABLE("parameter '{}' is not in the schema of {}", name, where_);
}

static nlohmann::json yaml_to_json(const YAML::Node& node, ParamType type) {
  if (!node || node.IsNull()) return nullptr;
  if (node.IsScalar()) {
    const auto& s = node.Scalar();
    bool b;
    if (type == ParamType::Int || type == ParamType::IntList) return *parse_int(s);
    if (type == ParamType::Float || type == ParamType::FloatList) return *parse_double(s);
    if (type == ParamType::Bool && is_bool_text(s, b)) return b;
    return s;
  }
  if (node.IsSequence()) {
    auto arr = nlohmann::json::array();
    for (const auto& e : node) arr.push_back(yaml_to_json(e, type));
    return arr;
  }
  auto obj = nlohmann::json::object();
  for (const auto& kv : node) obj[kv.first.Scalar()] = yaml_to_json(kv.second, ParamType::Node);
  return obj;
}

nlohmann::json Params::to_json() const {
  auto out = nlohmann::json::object();
  for (const auto& item : items_) out[item.name] = yaml_to_json(item.value, item.type);
  return out;
}

}  // namespace tailrec
