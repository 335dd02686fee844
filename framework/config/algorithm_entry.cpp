#include "framework/config/algorithm_entry.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

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

// Nested entries end somewhere: a configs/algorithm file whose nested parameter names its own
// algorithm (directly or through another file) would expand forever, and a small YAML alias can
// stand for an exponential number of entries. Both limits are far above any real experiment.
constexpr int kMaxDepth = 8;          // entries within entries
constexpr int64_t kMaxEntries = 1000;  // entries in one list, nested ones included

// Every key under `node` (from `file`) gets its own file:line.
void record_file_origins(Config& config, const YAML::Node& node, const std::string& path, const std::string& file) {
  config.set_origin(path, fmt::format("{}:{}", file, node.Mark().is_null() ? 0 : node.Mark().line + 1));
  if (node.IsMap())
    for (const auto& kv : node) record_file_origins(config, kv.second, join_path(path, kv.first.Scalar()), file);
  else if (node.IsSequence())
    for (size_t i = 0; i < node.size(); ++i) record_file_origins(config, node[i], join_path(path, i), file);
}

// A label names a column value in every result table and a folder (<run>/work/<label>): an
// identifier, so it can neither leave the run folder nor break a table.
void check_label(const std::string& label, const ConfigView& key) {
  const auto allowed = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; };
  const bool ok = !label.empty() && label.size() <= 100 && (std::isalnum(static_cast<unsigned char>(label[0])) || label[0] == '_') &&
                  std::all_of(label.begin(), label.end(), allowed);
  if (!ok)
    key.fail_here(fmt::format("label '{}' is not an identifier: use 1 to 100 ASCII letters, digits, '_', '.' or '-', "
                              "starting with a letter, digit or '_' (e.g. uknn_k50)",
                              label));
}

class Expander {
 public:
  Expander(Config& config, const AlgorithmRegistry& algorithms, const std::vector<fs::path>& search_path)
      : config_(config), algorithms_(algorithms), search_path_(search_path) {}

  // {name, <configs/algorithm/<name>.yaml>, <the entry's own values>, label}, nested entries expanded.
  // The entry's own values win, an explicit null included (null keeps its schema meaning: the
  // default, or "none" for an optional parameter).
  YAML::Node entry(const YAML::Node& written, const std::string& path, int depth = 0) {
    if (depth > kMaxDepth)
      fail_config(path, config_.origin(path),
                  "algorithm entries nest more than {} levels deep; does a configs/algorithm file name its own "
                  "algorithm in a nested parameter (directly or through another file)?",
                  kMaxDepth);
    if (++entries_ > kMaxEntries)
      fail_config(path, config_.origin(path), "more than {} algorithm entries (nested ones included); list fewer",
                  kMaxEntries);
    std::string name;
    if (written.IsScalar()) name = written.Scalar();
    else if (written.IsMap() && written["name"] && written["name"].IsScalar()) name = written["name"].Scalar();
    else fail_config(path, config_.origin(path), "{}", kEntryShape);
    const auto name_path = written.IsMap() ? join_path(path, "name") : path;
    const auto& spec = registered(algorithms_, name, name_path, config_.origin(name_path));

    const auto writes = [&](const std::string& key) { return written.IsMap() && written[key]; };
    YAML::Node merged(YAML::NodeType::Map);
    merged["name"] = name;
    if (const auto& file = defaults_file(name))
      for (const auto& kv : file->node) {
        const auto key = kv.first.Scalar();
        if (writes(key)) continue;
        merged[key] = YAML::Clone(kv.second);
        record_file_origins(config_, kv.second, join_path(path, key), file->file);
      }
    if (written.IsMap())
      for (const auto& kv : written) {
        const auto key = kv.first.Scalar();
        if (key != "name") merged[key] = YAML::Clone(kv.second);  // a copy: no alias shared between entries
      }
    if (!merged["label"] || merged["label"].IsNull()) merged["label"] = name;

    for (const auto& param : spec.params) {
      if (!is_algorithm_type(param.type)) continue;
      const auto param_path = join_path(path, param.name);
      YAML::Node value = merged[param.name];
      if (!value || value.IsNull()) {
        value = YAML::Clone(param.default_value);
        config_.set_origin(param_path, fmt::format("the default of {}.{} (tailrec list algorithms)", name, param.name));
      }
      if (param.type == ParamType::Algorithm) {
        merged[param.name] = entry(value, param_path, depth + 1);
      } else if (value.IsSequence()) {
        YAML::Node list(YAML::NodeType::Sequence);
        for (size_t j = 0; j < value.size(); ++j) list.push_back(entry(value[j], join_path(param_path, j), depth + 1));
        merged[param.name] = list;
      }  // else: not a list; the algorithm's schema check reports it at its key
    }
    return merged;
  }

 private:
  // configs/algorithm/<name>.yaml, the first of the search path (a --config-dir copy first).
  const std::optional<ConfigFile>& defaults_file(const std::string& name) {
    auto it = files_.find(name);
    if (it != files_.end()) return it->second;
    auto file = find_config_file(search_path_, fs::path("algorithm") / (name + ".yaml"));
    if (file)
      for (const auto& kv : file->node) {
        const auto line = kv.first.Mark().line + 1;
        if (!kv.first.IsScalar() || kv.first.Scalar().empty())
          fail("config file {}:{}: every key is a parameter of {} (`tailrec list algorithms`)", file->file, line, name);
        const auto key = kv.first.Scalar();
        if (key == "name" || key == "label")
          fail("config file {}:{}: '{}' cannot be set here: this file holds the default parameters of {} only; write "
               "the {} in the entry, e.g. {{name: {}, label: mine}}",
               file->file, line, key, name, key, name);
      }
    return files_.emplace(name, std::move(file)).first->second;
  }

  Config& config_;
  const AlgorithmRegistry& algorithms_;
  const std::vector<fs::path>& search_path_;
  std::map<std::string, std::optional<ConfigFile>> files_;
  int64_t entries_ = 0;
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
  check_label(read.label, entry.has("label") ? entry["label"] : entry["name"]);
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
