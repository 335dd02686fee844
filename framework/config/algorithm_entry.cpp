#include "framework/config/algorithm_entry.hpp"

#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

const char* const kEntryShape =
    "an algorithm entry is a registered name or a map with 'name:', e.g. {name: user_knn, k: 100}";

bool is_algorithm_type(ParamType type) { return type == ParamType::Algorithm || type == ParamType::AlgorithmList; }

// The registered algorithm `name`, or an error at `path` with did-you-mean and every registered name.
const AlgorithmRegistry::Entry& registered(const AlgorithmRegistry& algorithms, const std::string& name,
                                           const std::string& path, const std::string& origin) {
  if (!algorithms.contains(name)) {
    try {
      algorithms.at(name);
    } catch (const Error& e) {
      fail_config(path, origin, "{}", e.what());
    }
  }
  return algorithms.at(name);
}

class Expander {
 public:
  Expander(Config& config, const AlgorithmRegistry& algorithms, const std::vector<fs::path>& search_path)
      : config_(config), algorithms_(algorithms), search_path_(search_path) {}

  // {name, <configs/algorithm/<name>.yaml>, <the entry's own values>, label}, nested entries expanded.
  YAML::Node entry(const YAML::Node& written, const std::string& path) {
    std::string name;
    if (written.IsScalar()) name = written.Scalar();
    else if (written.IsMap() && written["name"] && written["name"].IsScalar()) name = written["name"].Scalar();
    else fail_config(path, config_.origin(path), "{}", kEntryShape);
    const auto name_path = written.IsMap() ? join_path(path, "name") : path;
    const auto& spec = registered(algorithms_, name, name_path, config_.origin(name_path));

    const auto sets = [&](const std::string& key) { return written.IsMap() && written[key] && !written[key].IsNull(); };
    YAML::Node merged(YAML::NodeType::Map);
    merged["name"] = name;
    std::set<std::string> from_file;  // a null in the entry keeps the file's value: null means "the default"
    if (const auto& file = defaults_file(name))
      for (const auto& kv : file->node) {
        const auto key = kv.first.Scalar();
        if (sets(key)) continue;
        merged[key] = YAML::Clone(kv.second);
        from_file.insert(key);
        config_.set_origin(join_path(path, key), fmt::format("{}:{}", file->file, kv.second.Mark().line + 1));
      }
    bool has_label = false;
    if (written.IsMap())
      for (const auto& kv : written) {
        const auto key = kv.first.Scalar();
        has_label = has_label || key == "label";
        if (key != "name" && !from_file.count(key)) merged[key] = kv.second;
      }
    if (!has_label) merged["label"] = name;

    for (const auto& param : spec.params) {
      if (!is_algorithm_type(param.type)) continue;
      const auto param_path = join_path(path, param.name);
      YAML::Node value = merged[param.name];
      if (!value || value.IsNull()) {
        value = YAML::Clone(param.default_value);
        config_.set_origin(param_path, fmt::format("the default of {}.{} (tailrec list algorithms)", name, param.name));
      }
      if (param.type == ParamType::Algorithm) {
        merged[param.name] = entry(value, param_path);
      } else if (value.IsSequence()) {
        YAML::Node list(YAML::NodeType::Sequence);
        for (size_t j = 0; j < value.size(); ++j) list.push_back(entry(value[j], join_path(param_path, j)));
        merged[param.name] = list;
      }  // else: not a list; the algorithm's schema check reports it at its key
    }
    return merged;
  }

 private:
  // configs/algorithm/<name>.yaml, the first of the search path (a --config-dir copy first).
  const std::optional<ConfigFile>& defaults_file(const std::string& name) {
    auto it = files_.find(name);
    if (it == files_.end())
      it = files_.emplace(name, find_config_file(search_path_, fs::path("algorithm") / (name + ".yaml"))).first;
    return it->second;
  }

  Config& config_;
  const AlgorithmRegistry& algorithms_;
  const std::vector<fs::path>& search_path_;
  std::map<std::string, std::optional<ConfigFile>> files_;
};

}  // namespace

void expand_algorithm_list(Config& config, const std::string& path, const AlgorithmRegistry& algorithms,
                           const std::vector<fs::path>& search_path) {
  YAML::Node root = config.tree();
  const YAML::Node written = root[path];
  if (!written || written.IsNull() || (written.IsSequence() && written.size() == 0))
    fail_config(path, config.origin(path),
                "list at least one algorithm, e.g. {}=[most_popular,random]; registered: {}", path,
                join(algorithms.names(), ", "));
  if (!written.IsScalar() && !written.IsSequence())
    fail_config(path, config.origin(path), "expected a list of algorithm names or maps, e.g. [most_popular, {{name: user_knn, k: 100}}]");
  YAML::Node list(YAML::NodeType::Sequence);
  Expander expander(config, algorithms, search_path);
  if (written.IsScalar()) {
    config.set_origin(join_path(path, 0), config.origin(path));  // errors name the file that wrote the name
    list.push_back(expander.entry(written, join_path(path, 0)));
  } else {
    for (size_t i = 0; i < written.size(); ++i) list.push_back(expander.entry(written[i], join_path(path, i)));
  }
  root[path] = list;
}

AlgorithmEntry read_algorithm_entry(const AlgorithmRegistry& algorithms, const ConfigView& entry) {
  AlgorithmEntry read;
  if (entry.is_scalar()) {
    read.name = entry.as_string();
    read.label = read.name;
    const auto& spec = registered(algorithms, read.name, entry.path(), entry.origin());
    read.params = Params::from_yaml(spec.params, YAML::Node(), entry.path());
    return read;
  }
  if (!entry.is_map() || !entry.node()["name"] || !entry.node()["name"].IsScalar()) entry.fail_here(kEntryShape);
  read.name = entry["name"].as_string();
  const auto& spec = registered(algorithms, read.name, entry["name"].path(), entry["name"].origin());
  read.label = entry.has("label") ? entry["label"].as_string() : read.name;
  if (entry.node()["label"]) entry["label"].mark_read();
  read.params = Params::resolve(spec.params, entry, {"name", "label"});
  return read;
}

CreatedAlgorithm create_algorithm(const AlgorithmRegistry& algorithms, const ConfigView& entry) {
  CreatedAlgorithm created{read_algorithm_entry(algorithms, entry), nullptr};
  try {
    created.algorithm = algorithms.at(created.entry.name).create(created.entry.params);
  } catch (const ConfigError&) {
    throw;  // it names its key already
  } catch (const Error& e) {
    entry.fail_here(e.what());
  }
  return created;
}

}  // namespace tailrec
