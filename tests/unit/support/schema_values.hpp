#pragma once
// Whether a value written in a config file equals a schema default (ParamSpec::default_value),
// compared as values (0.10 = 0.1, a scalar = a list of one), for the tests that hold the shipped
// YAML files to the C++ schemas, the one source of defaults.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "framework/config/params.hpp"

namespace tailrec::test {

// The scalars of a scalar or a flat list, as written.
inline std::vector<std::string> scalars(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsScalar()) out.push_back(node.Scalar());
  else for (const auto& e : node) out.push_back(e.IsScalar() ? e.Scalar() : YAML::Dump(e));
  return out;
}

// Any YAML as one line of flow text (for Node parameters: a value the component reads itself).
inline std::string flow(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

inline bool same_value(const ParamSpec& spec, const YAML::Node& value) {
  const YAML::Node& fallback = spec.default_value;
  if (!fallback || fallback.IsNull()) return !value || value.IsNull();
  if (!value || value.IsNull()) return false;
  switch (spec.type) {
    case ParamType::Int: return value.as<int64_t>() == fallback.as<int64_t>();
    case ParamType::Float: return std::abs(value.as<double>() - fallback.as<double>()) == 0.0;
    case ParamType::Bool: return value.as<bool>() == fallback.as<bool>();
    case ParamType::String:
    case ParamType::Algorithm: return value.IsScalar() && value.Scalar() == fallback.Scalar();
    case ParamType::IntList:
    case ParamType::FloatList:
    case ParamType::StringList:
    case ParamType::AlgorithmList: return scalars(value) == scalars(fallback);
    case ParamType::Node: return flow(value) == flow(fallback);
  }
  return false;
}

}  // namespace tailrec::test
