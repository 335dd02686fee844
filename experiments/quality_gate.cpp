#include "experiments/quality_gate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "framework/evaluation/statistics.hpp"
#include "framework/run/run_folder.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// YAML text. Values are written so that reading them back gives the same JSON (the protocol hash is
// computed over the JSON): numbers in nlohmann's shortest round-trip form, strings plain when that
// cannot be read as anything else, else as JSON strings (a JSON string is a YAML double-quoted one).

bool plain_safe(const std::string& text) {
  if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_')) return false;
  for (const char c : text)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_@.-/()=").find(c) != std::string_view::npos))
      return false;
  static const std::set<std::string> special = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"};
  return !special.count(to_lower_ascii(text));
}

std::string yaml_string(const std::string& text) { return plain_safe(text) ? text : nlohmann::json(text).dump(); }

std::string yaml_flow(const nlohmann::json& value) {
  if (value.is_object()) {
    std::vector<std::string> parts;
    for (const auto& [key, v] : value.items()) parts.push_back(yaml_string(key) + ": " + yaml_flow(v));
    return "{" + join(parts, ", ") + "}";
  }
  if (value.is_array()) {
    std::vector<std::string> parts;
    for (const auto& v : value) parts.push_back(yaml_flow(v));
    return "[" + join(parts, ", ") + "]";
  }
  if (value.is_string()) return yaml_string(value.get<std::string>());
  return value.dump();  // null, bool, number (NaN and infinities: null)
}

nlohmann::json number_json(double value) { return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value); }

// A plain scalar as YAML 1.2's core schema reads it; quoted scalars (tag "!") are strings.
nlohmann::json scalar_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  const auto lower = to_lower_ascii(text);
  if (text.empty() || lower == "null" || text == "~") return nullptr;
  if (lower == "true") return true;
  if (lower == "false") return false;
  if (lower == ".nan") return kNaN;
  if (lower == ".inf" || lower == "+.inf") return std::numeric_limits<double>::infinity();
  if (lower == "-.inf") return -std::numeric_limits<double>::infinity();
  if (std::string_view("0123456789+-.").find(text[0]) != std::string_view::npos) {
    if (const auto i = parse_int(text)) return *i >= 0 ? nlohmann::json(static_cast<uint64_t>(*i)) : nlohmann::json(*i);
    if (const auto d = parse_double(text)) return *d;
  }
  return text;
}

nlohmann::json yaml_json(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& kv : node) out[kv.first.Scalar()] = yaml_json(kv.second);
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : node) out.push_back(yaml_json(v));
    return out;
  }
  if (node.IsScalar()) return scalar_json(node);
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// JSON leaves by dotted path (an empty object or array is a leaf, so it survives a round trip).

void flatten_into(const nlohmann::json& value, const std::string& prefix, std::map<std::string, nlohmann::json>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, v] : value.items()) flatten_into(v, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out[prefix] = value;
  }
}
std::map<std::string, nlohmann::json> flatten(const nlohmann::json& value) {
  std::map<std::string, nlohmann::json> out;
  flatten_into(value, "", out);
  return out;
}
void set_path(nlohmann::json& root, const std::string& path, const nlohmann::json& value) {
  nlohmann::json* node = &root;
  for (const auto& key : split(path, '.')) node = &(*node)[key];
  *node = value;
}

// Strings under the install's home are stored relative to it, so checkouts in different places agree.
nlohmann::json relative_to_home(const nlohmann::json& value, const std::string& home) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!home.empty() && starts_with(text, home + "/")) return "${tailrec.home}" + text.substr(home.size());
    return value;
  }
  if (value.is_structured()) {
    nlohmann::json out = value;
    for (auto& v : out) v = relative_to_home(v, home);
    return out;
  }
  return value;
}

std::string display(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

const char* part_of(const std::string& path) {
  const auto head = path.substr(0, path.find('.'));
  if (head == "dataset") return "dataset";
  if (head == "split" || head == "split_hash" || head == "train" || head == "test") return "split";
  if (head == "protocol") return "protocol";
  if (head == "evaluate_on") return "evaluation set";
  return "metric settings";  // metric_settings.*, evaluated_cases, head_items, tail_items
}

bool same_number(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::fabs(a - b) <= 1e-12 * std::max(1.0, std::fabs(a));
}

MetricRecord summarize_values(std::vector<double> values) {
  MetricRecord r;
  r.values = std::move(values);
  if (std::any_of(r.values.begin(), r.values.end(), [](double v) { return !std::isnan(v); })) {
    const auto s = summarize(r.values);
    r.mean = s.mean;
    r.std = s.std;
  } else {
    r.mean = kNaN;
    r.std = kNaN;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Strict reading: every error names the file, the line and the key.

class FileReader {
 public:
  explicit FileReader(fs::path path) : path_(std::move(path)) {}

  [[noreturn]] void error(const YAML::Node& node, const std::string& key, const std::string& message) const {
    int line = -1;
    try {
      line = node.Mark().line;
    } catch (const YAML::Exception&) {
      // A key that is absent has no position; the message still names it.
    }
    // The measured part can be regenerated; the settings (name, overrides, seeds, tolerance) are the user's.
    static const std::set<std::string> measured = {"protocol_hash", "setup", "per_seed", "algorithms", "recorded"};
    const auto hint = measured.count(key.substr(0, key.find('.')))
                          ? fmt::format("regenerate the measured part with: tailrec check --baseline {} --update", path_.string())
                          : std::string("fix the file (format: docs/check.md)");
    fail("{}{}: key '{}': {}; {}", path_.string(), line >= 0 ? fmt::format(":{}", line + 1) : "", key, message, hint);
  }

  // Checks that `map` (at `where`) is a map with no key outside `known` and every key of `required`.
  void keys(const YAML::Node& map, const std::string& where, const std::vector<std::string>& known,
            const std::vector<std::string>& required) const {
    if (!map.IsMap()) error(map, where, "expected a map (key: value lines)");
    for (const auto& kv : map) {
      const auto key = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end())
        error(kv.first, join_key(where, key),
              fmt::format("unknown key{}; known keys: {}", did_you_mean(key, known), join(known, ", ")));
    }
    for (const auto& key : required)
      if (!map[key]) error(map, join_key(where, key), "missing");
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) error(node, key, "expected a text value");
    return node.Scalar();
  }
  // A finite number; with null_is_nan, null (an undefined metric) reads as NaN. .inf and .nan are
  // refused: a baseline with an infinite std or tolerance could never fail.
  double number(const YAML::Node& node, const std::string& key, bool null_is_nan = false) const {
    if (null_is_nan && node.IsNull()) return kNaN;  // yaml-cpp reads a plain null as a null node, not a scalar
    if (node.IsScalar()) {
      const auto value = scalar_json(node);
      if (value.is_number()) {
        const auto number = value.get<double>();
        if (!std::isfinite(number))
          error(node, key, fmt::format("'{}' is not a finite number{}", node.Scalar(),
                                       null_is_nan ? " (write null for an undefined metric)" : ""));
        return number;
      }
      if (null_is_nan && value.is_null()) return kNaN;
    }
    error(node, key, fmt::format("expected a number{}, got '{}'", null_is_nan ? " or null" : "",
                                 node.IsScalar() ? node.Scalar() : "a list or map"));
  }
  uint64_t seed(const YAML::Node& node, const std::string& key) const {
    const auto value = node.IsScalar() ? scalar_json(node) : nlohmann::json();
    if (!value.is_number_unsigned()) error(node, key, "expected a seed (an integer >= 0)");
    return value.get<uint64_t>();
  }
  const fs::path& path() const { return path_; }

  static std::string join_key(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  }

 private:
  fs::path path_;
};

ToleranceOverride read_tolerance_rule(const FileReader& r, const YAML::Node& node, const std::string& where) {
  r.keys(node, where, {"z", "abs_floor"}, {});
  ToleranceOverride rule;
  if (node["z"]) rule.z = r.number(node["z"], where + ".z");
  if (node["abs_floor"]) rule.abs_floor = r.number(node["abs_floor"], where + ".abs_floor");
  if (rule.z && !(*rule.z >= 0)) r.error(node["z"], where + ".z", "must be >= 0, e.g. 3");
  if (rule.abs_floor && !(*rule.abs_floor >= 0)) r.error(node["abs_floor"], where + ".abs_floor", "must be >= 0, e.g. 0.005");
  return rule;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Tolerance ToleranceSettings::for_metric(const std::string& label, const std::string& metric) const {
  Tolerance t = base;
  // The metric-wide rule first, then the algorithm's own: the more specific one wins.
  for (const auto& key : {metric, label + "/" + metric}) {
    const auto it = metrics.find(key);
    if (it == metrics.end()) continue;
    if (it->second.z) t.z = *it->second.z;
    if (it->second.abs_floor) t.abs_floor = *it->second.abs_floor;
  }
  return t;
}

double allowed_difference(const Tolerance& tolerance, double baseline_std) {
  return std::max(tolerance.abs_floor, tolerance.z * (std::isnan(baseline_std) ? 0.0 : baseline_std));
}

bool is_baseline_name(const std::string& name) {
  const auto allowed = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; };
  return !name.empty() && name.size() <= 100 && (std::isalnum(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
         std::all_of(name.begin(), name.end(), allowed);
}

std::string setup_hash(const nlohmann::json& setup) { return Hasher().text(setup.dump()).hex(); }

Baseline read_baseline(const fs::path& path, bool settings_only) {
  if (!fs::is_regular_file(path))
    fail("baseline {} does not exist; list the baselines with ls results/baselines/, or create one with "
         "tailrec check --init {} --seeds 3 OVERRIDES...",
         path.string(), path.string());
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    fail("{}:{}: not valid YAML: {}; fix the file or regenerate it (docs/check.md)", path.string(), e.mark.line + 1, e.msg);
  }
  const FileReader r(path);
  r.keys(root, "",
         {"name", "description", "overrides", "seeds", "tolerance", "protocol_hash", "setup", "per_seed", "algorithms",
          "recorded"},
         settings_only ? std::vector<std::string>{"name", "overrides", "seeds"}
                       : std::vector<std::string>{"name", "overrides", "seeds", "protocol_hash", "setup", "per_seed",
                                                  "algorithms"});
  Baseline b;
  b.name = r.text(root["name"], "name");
  if (!is_baseline_name(b.name))
    r.error(root["name"], "name",
            fmt::format("'{}' is not an identifier: use 1 to 100 ASCII letters, digits, '_', '.' or '-', starting with a "
                        "letter, digit or '_' (e.g. ml100k_knn)",
                        b.name));
  if (root["description"]) b.description = r.text(root["description"], "description");

  if (!root["overrides"].IsSequence()) r.error(root["overrides"], "overrides", "expected a list of tailrec run overrides, e.g. [run.threads=2]");
  for (size_t i = 0; i < root["overrides"].size(); ++i)
    b.overrides.push_back(r.text(root["overrides"][i], fmt::format("overrides[{}]", i)));

  if (!root["seeds"].IsSequence() || root["seeds"].size() == 0)
    r.error(root["seeds"], "seeds", "expected a non-empty list of seeds, e.g. [42, 43, 44]");
  for (size_t i = 0; i < root["seeds"].size(); ++i) {
    const auto seed = r.seed(root["seeds"][i], fmt::format("seeds[{}]", i));
    if (std::find(b.seeds.begin(), b.seeds.end(), seed) != b.seeds.end())
      r.error(root["seeds"][i], fmt::format("seeds[{}]", i), fmt::format("seed {} is listed twice", seed));
    b.seeds.push_back(seed);
  }

  if (const auto tol = root["tolerance"]) {
    r.keys(tol, "tolerance", {"z", "abs_floor", "metrics"}, {});
    if (tol["z"]) b.tolerance.base.z = r.number(tol["z"], "tolerance.z");
    if (tol["abs_floor"]) b.tolerance.base.abs_floor = r.number(tol["abs_floor"], "tolerance.abs_floor");
    if (!(b.tolerance.base.z >= 0)) r.error(tol["z"], "tolerance.z", "must be >= 0, e.g. 3");
    if (!(b.tolerance.base.abs_floor >= 0)) r.error(tol["abs_floor"], "tolerance.abs_floor", "must be >= 0, e.g. 0.005");
    if (const auto m = tol["metrics"]) {
      if (!m.IsMap()) r.error(m, "tolerance.metrics", "expected a map: metric or label/metric -> {z: ..., abs_floor: ...}");
      for (const auto& kv : m)
        b.tolerance.metrics[kv.first.Scalar()] =
            read_tolerance_rule(r, kv.second, "tolerance.metrics." + kv.first.Scalar());
    }
  }

  if (settings_only) return b;

  b.protocol_hash = r.text(root["protocol_hash"], "protocol_hash");
  r.keys(root["setup"], "setup", {"dataset", "split", "protocol", "metric_settings", "evaluate_on"},
         {"dataset", "split", "protocol", "metric_settings", "evaluate_on"});
  b.setup = yaml_json(root["setup"]);
  if (setup_hash(b.setup) != b.protocol_hash)
    r.error(root["protocol_hash"], "protocol_hash",
            fmt::format("{} is not the hash of the file's setup ({}): the setup was edited by hand", b.protocol_hash,
                        setup_hash(b.setup)));

  const auto per_seed = root["per_seed"];
  if (!per_seed.IsMap()) r.error(per_seed, "per_seed", "expected a map: seed -> {split_hash: ..., ...}");
  for (const auto& kv : per_seed) {
    const auto seed = r.seed(kv.first, "per_seed");
    if (std::find(b.seeds.begin(), b.seeds.end(), seed) == b.seeds.end())
      r.error(kv.first, fmt::format("per_seed.{}", seed), "this seed is not in seeds");
    if (!kv.second.IsMap() || !kv.second["split_hash"])
      r.error(kv.second, fmt::format("per_seed.{}.split_hash", seed), "missing");
    b.per_seed[seed] = yaml_json(kv.second);
  }
  for (const auto seed : b.seeds)
    if (!b.per_seed.count(seed)) r.error(per_seed, fmt::format("per_seed.{}", seed), "missing (every seed has an entry)");

  const auto algorithms = root["algorithms"];
  if (!algorithms.IsMap() || algorithms.size() == 0)
    r.error(algorithms, "algorithms", "expected a map: label -> {name, params, metrics}");
  for (const auto& kv : algorithms) {
    const auto label = kv.first.Scalar();
    const auto where = "algorithms." + label;
    r.keys(kv.second, where, {"name", "params", "metrics"}, {"name", "metrics"});
    AlgorithmRecord a;
    a.name = r.text(kv.second["name"], where + ".name");
    a.params = kv.second["params"] ? yaml_json(kv.second["params"]) : nlohmann::json::object();
    const auto metrics = kv.second["metrics"];
    if (!metrics.IsMap() || metrics.size() == 0)
      r.error(metrics, where + ".metrics", "expected a map: metric -> {mean, std, values}");
    for (const auto& m : metrics) {
      const auto metric = m.first.Scalar();
      const auto mwhere = where + ".metrics." + metric;
      r.keys(m.second, mwhere, {"mean", "std", "values"}, {"mean", "std", "values"});
      const auto values = m.second["values"];
      if (!values.IsSequence() || values.size() != b.seeds.size())
        r.error(values, mwhere + ".values", fmt::format("expected a list of {} values, one per seed", b.seeds.size()));
      std::vector<double> v;
      for (size_t i = 0; i < values.size(); ++i) v.push_back(r.number(values[i], fmt::format("{}.values[{}]", mwhere, i), true));
      auto record = summarize_values(v);
      const double mean = r.number(m.second["mean"], mwhere + ".mean", true);
      const double std = r.number(m.second["std"], mwhere + ".std", true);
      if (std < 0) r.error(m.second["std"], mwhere + ".std", fmt::format("{} is negative; a standard deviation is >= 0", std));
      if (!same_number(mean, record.mean))
        r.error(m.second["mean"], mwhere + ".mean",
                fmt::format("{} is not the mean of its values ({}): edited by hand? Change tolerance instead", mean, record.mean));
      if (!same_number(std, record.std))
        r.error(m.second["std"], mwhere + ".std",
                fmt::format("{} is not the sample standard deviation of its values ({})", std, record.std));
      record.mean = mean;  // as written (equal to the recomputed ones up to rounding)
      record.std = std;
      a.metrics[metric] = std::move(record);
    }
    b.algorithms[label] = std::move(a);
  }
  if (root["recorded"]) b.recorded = yaml_json(root["recorded"]);
  return b;
}

std::string baseline_to_yaml(const Baseline& b) {
  std::string out;
  out += "# A tailrec check baseline: golden metrics of one experiment over seeds (docs/check.md).\n";
  out += "# `tailrec check` reruns `overrides` for each seed and fails when a metric's mean moves by more than\n";
  out += "# max(abs_floor, z * std) from the mean below, or when the protocol (protocol_hash) or a split changed.\n";
  out += "# Regenerate after an intended change:\n";
  out += "#   tailrec check --baseline <this file> --update\n";
  out += "# name, description, overrides, seeds and tolerance are yours to edit (then --update); the rest is measured.\n";
  out += "name: " + yaml_string(b.name) + "\n";
  if (!b.description.empty()) out += "description: " + nlohmann::json(b.description).dump() + "\n";
  out += "overrides:\n";
  for (const auto& o : b.overrides) out += "  - " + nlohmann::json(o).dump() + "\n";
  out += "seeds: " + yaml_flow(b.seeds) + "\n";
  out += "tolerance:\n";
  out += "  z: " + nlohmann::json(b.tolerance.base.z).dump() + "\n";
  out += "  abs_floor: " + nlohmann::json(b.tolerance.base.abs_floor).dump() + "\n";
  if (!b.tolerance.metrics.empty()) {
    out += "  metrics:\n";
    for (const auto& [key, rule] : b.tolerance.metrics) {
      nlohmann::json r = nlohmann::json::object();
      if (rule.z) r["z"] = *rule.z;
      if (rule.abs_floor) r["abs_floor"] = *rule.abs_floor;
      out += "    " + yaml_string(key) + ": " + yaml_flow(r) + "\n";
    }
  }
  out += "# The protocol the metrics belong to (a change fails the check): its hash, then the parts.\n";
  out += "protocol_hash: " + nlohmann::json(b.protocol_hash).dump() + "\n";
  out += "setup:\n";
  // The parts in the order a run uses them (nlohmann would sort them); any other key after them.
  const std::vector<std::string> order = {"dataset", "split", "protocol", "metric_settings", "evaluate_on"};
  for (const auto& key : order)
    if (b.setup.contains(key)) out += "  " + key + ": " + yaml_flow(b.setup.at(key)) + "\n";
  for (const auto& [key, value] : b.setup.items())
    if (std::find(order.begin(), order.end(), key) == order.end()) out += "  " + yaml_string(key) + ": " + yaml_flow(value) + "\n";
  out += "per_seed:\n";
  for (const auto& [seed, facts] : b.per_seed) out += fmt::format("  {}: {}\n", seed, yaml_flow(facts));
  out += "algorithms:\n";
  for (const auto& [label, a] : b.algorithms) {
    out += "  " + yaml_string(label) + ":\n";
    out += "    name: " + yaml_string(a.name) + "\n";
    out += "    params: " + yaml_flow(a.params) + "\n";
    out += "    metrics:\n";
    for (const auto& [metric, m] : a.metrics) {
      nlohmann::json values = nlohmann::json::array();
      for (const double v : m.values) values.push_back(number_json(v));
      out += fmt::format("      {}: {{mean: {}, std: {}, values: {}}}\n", yaml_string(metric), number_json(m.mean).dump(),
                         number_json(m.std).dump(), yaml_flow(values));
    }
  }
  if (!b.recorded.empty()) {
    out += "recorded:\n";
    for (const auto& [key, value] : b.recorded.items()) out += "  " + yaml_string(key) + ": " + yaml_flow(value) + "\n";
  }
  return out;
}

void write_baseline(const fs::path& path, const Baseline& baseline) {
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
  write_file_atomically(path, baseline_to_yaml(baseline));
}

void measure_baseline(Baseline& b, const std::vector<nlohmann::json>& runs, const fs::path& home) {
  if (runs.size() != b.seeds.size()) fail("measure_baseline: {} runs for {} seeds", runs.size(), b.seeds.size());
  const auto home_text = home.empty() ? std::string() : fs::weakly_canonical(home).string();
  std::vector<std::map<std::string, nlohmann::json>> setups;
  b.per_seed.clear();
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    try {
      const auto& dataset = run.at("dataset");
      const auto& split = run.at("split");
      const auto& ms = run.at("metric_settings");
      const nlohmann::json setup = {
          {"dataset",
           {{"name", dataset.at("name")},
            {"hash", dataset.at("hash")},
            {"users", dataset.at("users")},
            {"items", dataset.at("items")},
            {"interactions", dataset.at("interactions")}}},
          {"split", {{"name", split.at("name")}, {"params", split.at("params")}, {"validation", split.at("validation")}}},
          {"protocol", run.at("protocol")},
          {"metric_settings",
           {{"k", ms.at("k")}, {"relevance_threshold", ms.at("relevance_threshold")}, {"long_tail", ms.at("long_tail")}}},
          {"evaluate_on", run.at("evaluate_on")}};
      setups.push_back(flatten(relative_to_home(setup, home_text)));
      b.per_seed[b.seeds[i]] = {{"split_hash", split.at("hash")},
                                {"train", split.at("train")},
                                {"test", split.at("test")},
                                {"evaluated_cases", ms.at("evaluated_cases")},
                                {"head_items", ms.at("head_items")},
                                {"tail_items", ms.at("tail_items")}};
    } catch (const nlohmann::json::exception& e) {
      fail("the run of seed {} has an incomplete metrics.json ({}); was it written by another tailrec version?",
           b.seeds[i], e.what());
    }
  }
  // The setup is what every seed shares; a leaf that differs between seeds (a protocol counter that
  // depends on the split) goes to each seed's facts instead.
  b.setup = nlohmann::json::object();
  std::set<std::string> paths;
  for (const auto& s : setups)
    for (const auto& [path, value] : s) paths.insert(path);
  for (const auto& path : paths) {
    bool common = true;
    for (const auto& s : setups) common = common && s.count(path) && s.at(path) == setups.front().at(path);
    if (common) {
      set_path(b.setup, path, setups.front().at(path));
    } else {
      for (size_t i = 0; i < setups.size(); ++i)
        b.per_seed[b.seeds[i]][path] = setups[i].count(path) ? setups[i].at(path) : nlohmann::json(nullptr);
    }
  }
  b.protocol_hash = setup_hash(b.setup);

  b.algorithms.clear();
  for (size_t i = 0; i < runs.size(); ++i)
    for (const auto& [label, a] : runs[i].at("algorithms").items()) {
      auto& record = b.algorithms[label];
      if (record.name.empty()) {
        record.name = a.at("name").get<std::string>();
        record.params = relative_to_home(a.value("params", nlohmann::json::object()), home_text);
      }
      for (const auto& [metric, value] : a.at("metrics").items()) {
        auto& m = record.metrics[metric];
        m.values.resize(runs.size(), kNaN);
        m.values[i] = value.is_number() ? value.get<double>() : kNaN;
      }
    }
  for (auto& [label, a] : b.algorithms)
    for (auto& [metric, m] : a.metrics) {
      m.values.resize(runs.size(), kNaN);  // an algorithm absent from some run: undefined there
      m = summarize_values(m.values);
    }
}

bool Comparison::passed() const {
  return !protocol_changed() && seed_changes.empty() &&
         std::all_of(metrics.begin(), metrics.end(), [](const MetricComparison& m) { return m.passed; });
}

Comparison compare_baseline(const Baseline& base, const Baseline& now) {
  Comparison c;
  c.baseline_hash = base.protocol_hash;
  c.now_hash = now.protocol_hash;

  const auto leaf_changes = [](const nlohmann::json& before, const nlohmann::json& after, const std::string& prefix,
                               std::vector<SetupChange>& out) {
    const auto a = flatten(before);
    const auto b = flatten(after);
    std::set<std::string> paths;
    for (const auto& [p, v] : a) paths.insert(p);
    for (const auto& [p, v] : b) paths.insert(p);
    for (const auto& p : paths) {
      const bool in_a = a.count(p), in_b = b.count(p);
      if (in_a && in_b && a.at(p) == b.at(p)) continue;
      out.push_back({part_of(p), prefix + p, in_a ? display(a.at(p)) : "(absent)", in_b ? display(b.at(p)) : "(absent)"});
    }
  };
  leaf_changes(base.setup, now.setup, "", c.setup_changes);
  for (const auto seed : base.seeds) {
    const auto a = base.per_seed.count(seed) ? base.per_seed.at(seed) : nlohmann::json::object();
    const auto b = now.per_seed.count(seed) ? now.per_seed.at(seed) : nlohmann::json::object();
    std::vector<SetupChange> changes;
    leaf_changes(a, b, "", changes);
    for (auto& change : changes) {
      change.path = fmt::format("seed {}: {}", seed, change.path);
      c.seed_changes.push_back(std::move(change));
    }
  }

  std::set<std::string> labels;
  for (const auto& [label, a] : base.algorithms) labels.insert(label);
  for (const auto& [label, a] : now.algorithms) labels.insert(label);
  for (const auto& label : labels) {
    const auto* before = base.algorithms.count(label) ? &base.algorithms.at(label) : nullptr;
    const auto* after = now.algorithms.count(label) ? &now.algorithms.at(label) : nullptr;
    if (before && after) {
      if (before->name != after->name) c.notes.push_back(fmt::format("{}: algorithm {} -> {}", label, before->name, after->name));
      std::vector<SetupChange> params;
      leaf_changes(before->params, after->params, "", params);
      for (const auto& p : params) c.notes.push_back(fmt::format("{}: parameter {} {} -> {}", label, p.path, p.before, p.after));
    }
    std::set<std::string> metrics;
    if (before)
      for (const auto& [m, r] : before->metrics) metrics.insert(m);
    if (after)
      for (const auto& [m, r] : after->metrics) metrics.insert(m);
    for (const auto& metric : metrics) {
      MetricComparison row;
      row.label = label;
      row.metric = metric;
      if (before && before->metrics.count(metric)) row.baseline = before->metrics.at(metric);
      if (after && after->metrics.count(metric)) row.now = after->metrics.at(metric);
      if (!row.baseline) {
        row.reason = before ? "new metric (not in the baseline)" : "new algorithm (not in the baseline)";
      } else if (!row.now) {
        row.reason = after ? "metric missing now" : "algorithm missing now";
      } else {
        const auto& b = *row.baseline;
        const auto& n = *row.now;
        row.allowed = allowed_difference(base.tolerance.for_metric(label, metric), b.std);
        row.identical = b.values.size() == n.values.size();
        for (size_t i = 0; row.identical && i < b.values.size(); ++i)
          row.identical = (std::isnan(b.values[i]) && std::isnan(n.values[i])) || b.values[i] == n.values[i];
        if (std::isnan(b.mean) || std::isnan(n.mean)) {
          row.difference = kNaN;
          row.passed = std::isnan(b.mean) && std::isnan(n.mean);
          if (!row.passed) row.reason = std::isnan(b.mean) ? "defined now, undefined in the baseline" : "undefined now";
        } else {
          row.difference = n.mean - b.mean;
          row.passed = std::fabs(row.difference) <= row.allowed;
          if (!row.passed) row.reason = "difference beyond tolerance";
        }
      }
      c.metrics.push_back(std::move(row));
    }
  }
  return c;
}

}  // namespace tailrec
