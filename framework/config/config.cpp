#include "framework/config/config.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

namespace fs = std::filesystem;

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}
std::string join_path(const std::string& parent, size_t index) { return fmt::format("{}[{}]", parent, index); }

namespace {

std::vector<std::string> map_keys(const YAML::Node& node) {
  std::vector<std::string> out;
  for (const auto& kv : node) out.push_back(kv.first.Scalar());
  return out;
}

// A value as messages quote it: bounded, control bytes escaped.
std::string show(const YAML::Node& node) {
  if (!node || node.IsNull()) return "null";
  if (node.IsScalar()) return shown(node.Scalar(), 200);
  YAML::Emitter out;
  out << YAML::Flow << node;
  return shown(out.c_str(), 200);
}

std::string override_origin(const std::string& text) { return fmt::format("command line override '{}'", shown(text, 200)); }

std::string parent_of(const std::string& path) {
  const auto dot = path.find_last_of(".[");
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string last_key(const std::string& path) {
  const auto dot = path.find_last_of('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool is_leaf(const YAML::Node& node) {
  return !node.IsMap() && !node.IsSequence() ? true : node.size() == 0;
}

// Visits every leaf (scalars, nulls, empty containers) with its dotted path.
void for_each_leaf(const YAML::Node& node, const std::string& path,
                   const std::function<void(const std::string&, const YAML::Node&)>& visit) {
  if (is_leaf(node)) return visit(path, node);
  if (node.IsMap()) {
    for (const auto& kv : node) for_each_leaf(kv.second, join_path(path, kv.first.Scalar()), visit);
  } else {
    for (size_t i = 0; i < node.size(); ++i) for_each_leaf(node[i], join_path(path, i), visit);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
ConfigView::ConfigView(const Config* config, std::string path, YAML::Node node)
    : config_(config), path_(std::move(path)), node_(std::move(node)) {}

bool ConfigView::has(const std::string& key) const {
  return is_map() && node_[key] && !node_[key].IsNull();
}

std::vector<std::string> ConfigView::keys() const {
  std::vector<std::string> out;
  if (is_map())
    for (const auto& kv : node_) out.push_back(kv.first.Scalar());
  return out;
}

size_t ConfigView::size() const { return node_ && (node_.IsMap() || node_.IsSequence()) ? node_.size() : 0; }

ConfigView ConfigView::operator[](const std::string& key) const {
  YAML::Node child;
  if (is_map()) {
    const YAML::Node& self = node_;
    if (const YAML::Node found = self[key]; found) child.reset(found);
  }
  return ConfigView(config_, join_path(path_, key), child);
}

ConfigView ConfigView::operator[](size_t index) const {
  YAML::Node child;
  if (is_sequence() && index < node_.size()) {
    const YAML::Node& self = node_;
    child.reset(self[index]);
  }
  return ConfigView(config_, join_path(path_, index), child);
}

std::string ConfigView::origin() const { return config_ ? config_->origin(path_) : "inline"; }

std::map<std::string, std::string> ConfigView::origins_below() const {
  if (!config_) return {{path_, "inline"}};
  return config_->origins_under(path_);
}

void ConfigView::fail_here(const std::string& message) const {
  throw ConfigError(path_, origin(), message);
}

void ConfigView::mark_read() const {
  if (config_) config_->mark_read(path_);
}

std::string ConfigView::as_string() const {
  mark_read();
  if (is_null()) fail_here("a value is required");
  if (!is_scalar()) fail_here(fmt::format("expected a string, got {}", show(node_)));
  return node_.Scalar();
}

int64_t ConfigView::as_int() const {
  const auto text = as_string();
  const auto value = parse_int(text);
  if (!value) fail_here(fmt::format("'{}' is not an integer", shown(text)));
  return *value;
}

double ConfigView::as_double() const {
  const auto text = as_string();
  const auto value = parse_double(text);
  if (!value) fail_here(fmt::format("'{}' is not a finite number", shown(text)));
  return *value;
}

bool ConfigView::as_bool() const {
  const auto text = to_lower_ascii(as_string());
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail_here(fmt::format("'{}' is not true or false", shown(text)));
}

std::vector<std::string> ConfigView::as_strings() const {
  mark_read();
  if (is_null()) return {};
  if (is_scalar()) return {node_.Scalar()};
  if (!is_sequence()) fail_here(fmt::format("expected a list of strings, got {}", show(node_)));
  std::vector<std::string> out;
  for (size_t i = 0; i < node_.size(); ++i) out.push_back((*this)[i].as_string());
  return out;
}

std::string ConfigView::get_string(const std::string& key, const std::string& fallback) const {
  auto child = (*this)[key];
  child.mark_read();
  return child.is_null() ? fallback : child.as_string();
}
int64_t ConfigView::get_int(const std::string& key, int64_t fallback) const {
  auto child = (*this)[key];
  child.mark_read();
  return child.is_null() ? fallback : child.as_int();
}
double ConfigView::get_double(const std::string& key, double fallback) const {
  auto child = (*this)[key];
  child.mark_read();
  return child.is_null() ? fallback : child.as_double();
}
bool ConfigView::get_bool(const std::string& key, bool fallback) const {
  auto child = (*this)[key];
  child.mark_read();
  return child.is_null() ? fallback : child.as_bool();
}

// ---------------------------------------------------------------------------------------------
Config::Config() : root_(YAML::NodeType::Map) {}
Config::Config(YAML::Node root) : root_(std::move(root)) {}

ConfigView Config::root() const { return ConfigView(this, "", root_); }

ConfigView Config::at(const std::string& dotted_path) const {
  ConfigView view = root();
  for (const auto& part : split(dotted_path, '.')) {
    auto open = part.find('[');  // "components[1]": a key, then list indices
    if (open != 0) view = view[part.substr(0, open)];
    while (open != std::string::npos) {
      const auto close = part.find(']', open);
      const auto index = close == std::string::npos ? std::nullopt : parse_int(part.substr(open + 1, close - open - 1));
      TAILREC_CHECK(index && *index >= 0, "malformed config path '{}'", dotted_path);
      view = view[static_cast<size_t>(*index)];
      open = part.find('[', close);
    }
  }
  return view;
}

void Config::set_origin(const std::string& dotted_path, const std::string& origin) {
  origins_[dotted_path] = origin;
}

std::string Config::origin(const std::string& dotted_path) const {
  for (std::string path = dotted_path;; path = parent_of(path)) {
    if (auto it = origins_.find(path); it != origins_.end()) return it->second;
    if (path.empty()) return "inline";
  }
}

std::map<std::string, std::string> Config::origins_under(const std::string& dotted_path) const {
  std::map<std::string, std::string> out{{dotted_path, origin(dotted_path)}};
  for (auto it = origins_.lower_bound(dotted_path); it != origins_.end(); ++it) {
    const auto& path = it->first;
    if (path.compare(0, dotted_path.size(), dotted_path) != 0) break;
    if (path.size() > dotted_path.size() && path[dotted_path.size()] != '.' && path[dotted_path.size()] != '[') continue;
    out[path] = it->second;
  }
  return out;
}

void Config::mark_read(const std::string& dotted_path) const { read_.insert(dotted_path); }

bool Config::was_read(const std::string& dotted_path) const {
  for (std::string path = dotted_path;; path = parent_of(path)) {
    if (read_.count(path)) return true;
    if (path.empty()) return false;
  }
}

void Config::check_all_read() const {
  // One line, bounded: 600,000 unknown keys name the first few and count the rest.
  constexpr size_t kNamed = 5;
  std::vector<std::string> problems;
  size_t unknown = 0;
  for_each_leaf(root_, "", [&](const std::string& path, const YAML::Node&) {
    if (path.empty() || was_read(path) || ++unknown > kNamed) return;
    // Suggest the keys that were read beside this one.
    const auto parent = parent_of(path);
    std::vector<std::string> siblings;
    for (const auto& r : read_)
      if (parent_of(r) == parent && r != path) siblings.push_back(last_key(r));
    const auto key = last_key(path);
    std::string hint = did_you_mean(key, siblings);
    if (hint.empty() && !siblings.empty()) hint = fmt::format(" (valid keys here: {})", first_few(siblings, 20));
    problems.push_back(fmt::format("unknown config key '{}' ({}): no component reads it{}", shown(path, 200),
                                   shown(origin(path), 200), hint));
  });
  if (problems.empty()) return;
  if (unknown > kNamed) problems.push_back(fmt::format("and {} more unknown keys", unknown - kNamed));
  fail("{}", join(problems, "; "));
}

std::string Config::to_yaml() const {
  YAML::Emitter out;
  out << root_;
  return std::string(out.c_str()) + "\n";
}

// --- Composition -------------------------------------------------------------------------------
namespace {

// An alias may name its own ancestor (`a: &x {b: *x}`): the node graph is then cyclic and every
// recursive walk would overflow the stack. Shared aliases without a cycle may still expand
// exponentially ("billion laughs"), so the walk also stops at a node budget.
constexpr int64_t kMaxYamlNodes = 1000000;

void check_acyclic(const YAML::Node& node, std::vector<YAML::Node>& ancestors, int64_t& visited, const std::string& where) {
  if (++visited > kMaxYamlNodes)
    fail("{}: its aliases expand to more than {} nodes; write the values out instead of nesting aliases", where,
         kMaxYamlNodes);
  if (!node.IsMap() && !node.IsSequence()) return;
  for (const auto& a : ancestors)
    if (a.is(node))
      fail("{}:{}: an alias refers to a node that contains it (a cycle); a config cannot be infinite — remove the alias",
           where, node.Mark().is_null() ? 0 : node.Mark().line + 1);
  ancestors.push_back(node);
  if (node.IsMap())
    for (const auto& kv : node) check_acyclic(kv.second, ancestors, visited, where);
  else
    for (const auto& child : node) check_acyclic(child, ancestors, visited, where);
  ancestors.pop_back();
}

void check_acyclic(const YAML::Node& node, const std::string& where) {
  std::vector<YAML::Node> ancestors;
  int64_t visited = 0;
  check_acyclic(node, ancestors, visited, where);
}

ConfigFile load_yaml_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail("cannot read config file {}", path.string());
  YAML::Node node;
  try {
    node = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    fail("config file {}:{}:{}: {}", path.string(), e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  check_acyclic(node, "config file " + path.string());
  if (node && !node.IsNull() && !node.IsMap())
    fail("config file {}: the top level must be a map of keys (got a {})", path.string(),
         node.IsSequence() ? "list" : "scalar");
  if (!node || node.IsNull()) node = YAML::Node(YAML::NodeType::Map);
  return {node, path.string()};
}

// Every key's origin, containers included: an error about `run.seed: [1, 2]` must name the file
// that wrote the list, not the one that wrote the scalar it replaced.
void record_origins(Config& config, const YAML::Node& node, const std::string& path, const std::string& file,
                    bool with_lines = true) {
  if (!path.empty())
    config.set_origin(path, !with_lines || node.Mark().is_null() ? file : fmt::format("{}:{}", file, node.Mark().line + 1));
  if (node.IsMap())
    for (const auto& kv : node) record_origins(config, kv.second, join_path(path, kv.first.Scalar()), file, with_lines);
  else if (node.IsSequence())
    for (size_t i = 0; i < node.size(); ++i) record_origins(config, node[i], join_path(path, i), file, with_lines);
}

// Deep merge: maps merge key by key; everything else replaces, except that a group of keys (a
// map) cannot become a scalar or a list: `run: 5` is a mistake, not a way to drop run.*.
void merge_into(YAML::Node dst, const YAML::Node& src, const std::string& file, const std::string& path = "") {
  for (const auto& kv : src) {
    const auto key = kv.first.Scalar();
    const auto key_path = join_path(path, key);
    if (kv.second.IsMap() && dst[key] && dst[key].IsMap()) {
      merge_into(dst[key], kv.second, file, key_path);
    } else {
      if (dst[key] && dst[key].IsMap() && dst[key].size() > 0 && !kv.second.IsNull())
        fail("config file {}:{}: '{}' is a group of keys ({}) and cannot be set to {}; set its keys instead, e.g. "
             "{}.{}: ...", file, kv.first.Mark().line + 1, key_path, join(map_keys(dst[key]), ", "), show(kv.second),
             key_path, map_keys(dst[key]).front());
      dst[key] = YAML::Clone(kv.second);
    }
  }
}

// The second occurrence of the first key that a map under `node` repeats (yaml-cpp keeps both
// entries and reads the last, so a duplicate would silently shadow the first), or nullopt.
std::optional<YAML::Node> repeated_key(const YAML::Node& node) {
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!seen.insert(kv.first.Scalar()).second) return kv.first;
      if (auto inner = repeated_key(kv.second)) return inner;
    }
  } else if (node.IsSequence()) {
    for (const auto& e : node)
      if (auto inner = repeated_key(e)) return inner;
  }
  return std::nullopt;
}

void check_duplicate_keys(const YAML::Node& node, const std::string& file) {
  if (const auto key = repeated_key(node))
    fail("config file {}:{}: key '{}' appears twice; keep one", file, key->Mark().line + 1, shown(key->Scalar()));
}

std::optional<fs::path> find_file(const std::vector<fs::path>& search_path, const fs::path& relative) {
  for (const auto& dir : search_path)
    if (fs::is_regular_file(dir / relative)) return dir / relative;
  return std::nullopt;
}

struct DefaultsEntry {
  std::string group;   // empty for _self_
  std::string option;  // empty when null (group disabled)
  std::string origin;
};

std::vector<DefaultsEntry> read_defaults(const YAML::Node& defaults, const std::string& file) {
  std::vector<DefaultsEntry> out;
  if (!defaults) return out;
  if (!defaults.IsSequence()) fail("config file {}: 'defaults' must be a list", file);
  for (const auto& entry : defaults) {
    const auto where = fmt::format("{}:{}", file, entry.Mark().line + 1);
    if (entry.IsScalar()) {
      if (entry.Scalar() != "_self_") fail("config file {}: defaults entry '{}' must be '_self_' or 'group: option'", where, entry.Scalar());
      out.push_back({"", "", where});
      continue;
    }
    if (!entry.IsMap() || entry.size() != 1) fail("config file {}: a defaults entry must be 'group: option'", where);
    const auto kv = *entry.begin();
    std::string group = kv.first.Scalar();
    if (starts_with(group, "override ")) group = std::string(trim(group.substr(9)));
    if (starts_with(group, "/")) group = group.substr(1);
    if (!kv.second.IsNull() && !kv.second.IsScalar())
      fail("config file {}: the option of group '{}' must be a name (or null)", where, group);
    const auto option = kv.second.IsNull() ? std::string() : kv.second.Scalar();
    for (const auto& earlier : out)
      if (earlier.group == group)
        fail("config file {}: group '{}' is chosen twice in this defaults list (first at {}); keep one entry", where,
             group, earlier.origin);
    out.push_back({group, option, where});
  }
  return out;
}

// The value of key=value (`tailrec run --help`, docs/input_rules.md): a plain value is taken
// literally, byte for byte (a newline, ' #' or ': ' in a path stays as typed); null and ~ mean null;
// a value starting with [ or { is a YAML flow list or map, and one starting with a quote a quoted
// YAML scalar (so "5" or 'null' can be a string).
YAML::Node parse_value(const std::string& text, const std::string& override_text) {
  if (text.empty()) return YAML::Node("");
  if (text == "null" || text == "Null" || text == "NULL" || text == "~") return YAML::Node(YAML::NodeType::Null);
  const char first = text.front();
  if (first != '[' && first != '{' && first != '"' && first != '\'') return YAML::Node(text);
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail("override '{}': cannot parse the value '{}' ({}); check brackets and quotes", shown(override_text, 200),
         shown(text, 200), e.msg);
  }
  check_acyclic(node, fmt::format("override '{}'", shown(override_text, 200)));
  if ((first == '"' || first == '\'') && (!node.IsScalar() || text.back() != first))
    fail("override '{}': the value {} is not one quoted string; quote the whole value", shown(override_text, 200),
         shown(text, 200));
  if (const auto key = repeated_key(node))
    fail("override '{}': key '{}' appears twice in the value; give each key once", shown(override_text, 200),
         shown(key->Scalar()));
  return node;
}

// Expands ${tailrec.home}, ${env:NAME} and ${oc.env:NAME,default} inside string values.
void interpolate(YAML::Node node, const std::string& path) {
  if (node.IsMap()) {
    for (auto kv : node) interpolate(kv.second, join_path(path, kv.first.Scalar()));
    return;
  }
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) interpolate(node[i], join_path(path, i));
    return;
  }
  if (!node.IsScalar() || node.Scalar().find("${") == std::string::npos) return;
  std::string text = node.Scalar(), out;
  size_t at = 0;
  while (true) {
    const auto open = text.find("${", at);
    if (open == std::string::npos) break;
    const auto close = text.find('}', open);
    if (close == std::string::npos) fail_config(path, "", "unterminated '${{' in '{}'", text);
    out += text.substr(at, open - at);
    const auto expression = text.substr(open + 2, close - open - 2);
    if (expression == "tailrec.home") {
      out += tailrec_home().string();
    } else if (starts_with(expression, "env:") || starts_with(expression, "oc.env:")) {
      auto spec = expression.substr(expression.find(':') + 1);
      std::optional<std::string> fallback;
      if (const auto comma = spec.find(','); comma != std::string::npos) {
        fallback = std::string(trim(spec.substr(comma + 1)));
        spec = spec.substr(0, comma);
      }
      const char* value = std::getenv(std::string(trim(spec)).c_str());
      if (value) out += value;
      else if (fallback) out += *fallback;
      else fail_config(path, "", "environment variable {} is not set (used in '{}')", spec, text);
    } else {
      fail_config(path, "", "unknown interpolation '${{{}}}'; supported: ${{tailrec.home}}, ${{env:NAME}}, ${{oc.env:NAME,default}}",
                  expression);
    }
    at = close + 1;
  }
  out += text.substr(at);
  node = out;
}

}  // namespace

namespace {
// The value a node holds, in flow style and at most 120 characters, for messages.
std::string flow_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  std::string text = out.c_str();
  if (text.size() > 120) text = text.substr(0, 117) + "...";
  return text;
}

bool is_empty_value(const YAML::Node& n) { return !n || n.IsNull() || (n.IsScalar() && n.Scalar().empty()); }

// Equal as values: null and "" alike, numbers by value (0.2 = 0.20), lists element by element and
// maps key by key, whatever their block or flow style.
bool same_value(const YAML::Node& a, const YAML::Node& b) {
  if (is_empty_value(a) || is_empty_value(b)) return is_empty_value(a) && is_empty_value(b);
  if (a.IsScalar() && b.IsScalar()) {
    if (a.Scalar() == b.Scalar()) return true;
    const auto x = parse_double(a.Scalar()), y = parse_double(b.Scalar());
    return x && y && *x == *y;
  }
  if (a.IsSequence() && b.IsSequence()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same_value(a[i], b[i])) return false;
    return true;
  }
  if (a.IsMap() && b.IsMap()) {
    if (a.size() != b.size()) return false;
    for (const auto& kv : a)
      if (!b[kv.first.Scalar()] || !same_value(kv.second, b[kv.first.Scalar()])) return false;
    return true;
  }
  return false;
}
// Config values are UTF-8 text: a broken byte (from a file, an override or ${env:...}) would
// otherwise surface as a JSON error when metrics.json is written, after all the fitting.
void check_utf8(const Config& config) {
  for_each_leaf(config.tree(), "", [&](const std::string& path, const YAML::Node& node) {
    if (const auto bad = invalid_utf8_at(path); bad != std::string::npos)
      fail_config(shown(path, 200), config.origin(path),
                  "the key is not valid UTF-8 (byte 0x{:02X} at offset {}); write config keys in UTF-8",
                  static_cast<unsigned char>(path[bad]), bad);
    if (!node.IsScalar()) return;
    const auto& value = node.Scalar();
    if (const auto bad = invalid_utf8_at(value); bad != std::string::npos)
      fail_config(path, config.origin(path),
                  "the value '{}' is not valid UTF-8 (byte 0x{:02X} at offset {}); config values are UTF-8 text: "
                  "fix the file, the override or the environment variable it reads (e.g. iconv -f latin1 -t utf-8)",
                  shown(value), static_cast<unsigned char>(value[bad]), bad);
  });
}

}  // namespace

void check_removed_value(const Override& o, const YAML::Node& current, const std::string& group_choice) {
  if (!o.remove_if_equal) return;
  if (!group_choice.empty()) {  // a group key holds the chosen option's content; compare the option's name
    if (o.value.IsScalar() && o.value.Scalar() == group_choice) return;
    fail("override '{}': group '{}' is {}, not {}; ~{}=OPTION deletes the group only when OPTION is chosen "
         "(write ~{} to delete it whatever is chosen)", o.text, o.key, group_choice, flow_text(o.value), o.key, o.key);
  }
  YAML::Node resolved = YAML::Clone(current);  // as the config will read after ${...} interpolation
  interpolate(resolved, o.key);
  if (!same_value(resolved, o.value))
    fail("override '{}': config key '{}' holds {}, not {}; ~{}=VALUE deletes the key only when it holds VALUE "
         "(write ~{} to delete it whatever it holds)", o.text, o.key, flow_text(resolved), flow_text(o.value), o.key, o.key);
}

std::string override_key(const std::string& text) {
  std::string_view t = text;
  if (!t.empty() && (t.front() == '+' || t.front() == '~')) t.remove_prefix(1);
  return std::string(trim(t.substr(0, t.find('='))));
}

Override parse_override(const std::string& text, const std::vector<std::string>& groups) {
  Override o;
  o.text = text;
  std::string body = text;
  if (starts_with(body, "+")) {
    o.kind = Override::Kind::Add;
    body = body.substr(1);
  } else if (starts_with(body, "~")) {
    o.kind = Override::Kind::Remove;
    body = body.substr(1);
  }
  const auto eq = body.find('=');
  if (eq == std::string::npos && o.kind != Override::Kind::Remove)
    fail("override '{}' has no '=': write key=value, +key=value, ~key or group=option", shown(text, 200));
  o.key = std::string(trim(body.substr(0, eq)));
  if (o.key.empty()) fail("override '{}' has an empty key: write key=value", shown(text, 200));
  for (const auto& part : split(o.key, '.'))
    if (part.empty() || part.find_first_of(" []{},:") != std::string::npos)
      fail("override '{}': '{}' is not a valid dotted key", shown(text, 200), o.key);
  if (eq != std::string::npos) o.value = parse_value(body.substr(eq + 1), text);
  o.remove_if_equal = o.kind == Override::Kind::Remove && eq != std::string::npos;
  if (o.kind == Override::Kind::Set && std::find(groups.begin(), groups.end(), o.key) != groups.end()) {
    o.kind = Override::Kind::Group;
    if (!o.value.IsScalar() && !o.value.IsNull())
      fail("override '{}': a group choice takes one option name", shown(text, 200));
  }
  return o;
}

std::vector<std::string> config_groups(const std::vector<fs::path>& search_path) {
  std::set<std::string> groups;
  for (const auto& dir : search_path) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      // configs/algorithm/ holds each algorithm's default parameters; it is not a group to choose.
      if (entry.is_directory() && name != "algorithm") groups.insert(name);
    }
  }
  return {groups.begin(), groups.end()};
}

std::vector<std::string> group_options(const std::vector<fs::path>& search_path, const std::string& group) {
  std::set<std::string> options;
  for (const auto& dir : search_path) {
    if (!fs::is_directory(dir / group)) continue;
    for (const auto& entry : fs::directory_iterator(dir / group))
      if (entry.path().extension() == ".yaml") options.insert(entry.path().stem().string());
  }
  return {options.begin(), options.end()};
}

namespace {
// `algorithms.<label>.<param>=value` sets a parameter of one entry of the `algorithms:` list, found
// by its label (or, without one, its name); a plain name entry becomes {name: ...}. Parameters are
// checked against the algorithm's definition when the plan is built, so setting one that the
// entry does not spell out yet is allowed without '+'. Returns false for any other override.
bool override_algorithm_entry(YAML::Node& root, const Override& o, Config& config) {
  const auto parts = split(o.key, '.');
  if (parts.size() < 3 || parts[0] != "algorithms") return false;
  YAML::Node list = root["algorithms"];
  if (!list || !list.IsSequence()) return false;
  std::vector<std::string> labels;
  for (size_t i = 0; i < list.size(); ++i) {
    YAML::Node entry = list[i];
    const auto label = entry_label(entry);
    labels.push_back(label);
    if (label != parts[1]) continue;
    if (entry.IsScalar()) {
      YAML::Node map(YAML::NodeType::Map);
      map["name"] = label;
      list[i] = map;
      entry.reset(list[i]);
    }
    if (parts.size() != 3)
      fail("override '{}': write algorithms.<label>.<parameter>=value (one level below the label)", shown(o.text, 200));
    const auto path = join_path(join_path("algorithms", i), parts[2]);
    if (parts[2] == "name" || parts[2] == "label")
      fail("override '{}': the {} of an entry is not overridden this way; write algorithms=[...]", o.text, parts[2]);
    if (o.kind == Override::Kind::Remove) {
      if (!entry[parts[2]]) fail("override '{}': algorithm entry '{}' does not set '{}'", shown(o.text, 200), label, parts[2]);
      check_removed_value(o, entry[parts[2]], "");
      entry.remove(parts[2]);
    } else {
      entry[parts[2]] = o.value;
    }
    config.set_origin(path, override_origin(o.text));
    return true;
  }
  fail("override '{}': no entry of algorithms has the label '{}'{}; labels: {}", o.text, parts[1],
       did_you_mean(parts[1], labels), join(labels, ", "));
}
}  // namespace

std::string entry_label(const YAML::Node& entry) {
  if (entry.IsScalar()) return entry.Scalar();
  if (!entry.IsMap()) return "";
  if (entry["label"] && entry["label"].IsScalar()) return entry["label"].Scalar();
  if (entry["name"] && entry["name"].IsScalar()) return entry["name"].Scalar();
  return "";
}

std::optional<ConfigFile> find_config_file(const std::vector<fs::path>& search_path, const fs::path& relative) {
  const auto path = find_file(search_path, relative);
  if (!path) return std::nullopt;
  auto source = load_yaml_file(*path);
  check_duplicate_keys(source.node, source.file);
  return ConfigFile{source.node, source.file};
}

Config compose(const ComposeOptions& options) {
  const auto& search = options.search_path;
  const auto groups = config_groups(search);
  std::vector<Override> overrides;
  for (const auto& text : options.overrides) overrides.push_back(parse_override(text, groups));

  const auto primary_path = find_file(search, options.config_name + ".yaml");
  if (!primary_path) fail("no {}.yaml in the config search path ({})", options.config_name, [&] {
      std::vector<std::string> dirs;
      for (const auto& d : search) dirs.push_back(d.string());
      return join(dirs, ", ");
    }());
  auto primary = load_yaml_file(*primary_path);
  check_duplicate_keys(primary.node, primary.file);
  auto defaults = read_defaults(primary.node["defaults"], primary.file);
  if (std::none_of(defaults.begin(), defaults.end(), [](const auto& d) { return d.group.empty(); }))
    defaults.push_back({"", "", primary.file});

  auto load_option = [&](const std::string& group, const std::string& option, const std::string& why) {
    if (option.empty() || option.find('/') != std::string::npos || option.find("..") != std::string::npos)
      fail("option '{}' for config group '{}' ({}) must be a plain name, not a path; use --config-dir DIR for "
           "configs elsewhere", option, group, why);
    const auto path = find_file(search, fs::path(group) / (option + ".yaml"));
    if (!path) {
      const auto valid = group_options(search, group);
      fail("unknown option '{}' for config group '{}' ({}){}; available: {}", option, group, why,
           did_you_mean(option, valid), join(valid, ", "));
    }
    auto source = load_yaml_file(*path);
    check_duplicate_keys(source.node, source.file);
    // Only the primary config and the experiment choose options; a group file choosing others
    // (possibly itself, in a cycle) would be composed in no defined order.
    if (group != "experiment" && source.node["defaults"])
      fail("config file {}:{}: a '{}' option cannot have its own defaults list (only config.yaml and "
           "configs/experiment/*.yaml choose group options); move these choices to an experiment file",
           source.file, source.node["defaults"].Mark().line + 1, group);
    return source;
  };

  // 1. Choices: the primary defaults, then the experiment's, then the command line.
  Config config;
  std::string experiment = "default";
  std::string experiment_origin;
  for (const auto& o : overrides)
    if (o.kind == Override::Kind::Group && o.key == "experiment") {
      experiment = o.value.Scalar();
      experiment_origin = override_origin(o.text);
    }
  std::optional<ConfigFile> experiment_file;
  if (experiment != "default" || find_file(search, "experiment/default.yaml")) {
    experiment_file = load_option("experiment", experiment, experiment_origin.empty() ? "default" : experiment_origin);
    for (const auto& d : read_defaults(experiment_file->node["defaults"], experiment_file->file)) {
      if (d.group.empty()) continue;
      auto it = std::find_if(defaults.begin(), defaults.end(), [&](const auto& x) { return x.group == d.group; });
      if (it == defaults.end())
        fail("config file {}: the experiment overrides group '{}', which config.yaml does not list", d.origin, d.group);
      it->option = d.option;
      it->origin = d.origin;
    }
  }
  for (const auto& o : overrides) {
    if (o.kind != Override::Kind::Group || o.key == "experiment") continue;
    auto it = std::find_if(defaults.begin(), defaults.end(), [&](const auto& x) { return x.group == o.key; });
    const auto option = o.value.IsNull() ? std::string() : o.value.Scalar();
    if (it == defaults.end()) defaults.push_back({o.key, option, "command line"});
    else {
      it->option = option;
      it->origin = override_origin(o.text);
    }
  }

  // 2. Merge the chosen group files and the primary config in defaults order.
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& d : defaults) {
    if (d.group.empty()) {
      YAML::Node self = YAML::Clone(primary.node);
      self.remove("defaults");
      merge_into(root, self, primary.file);
      record_origins(config, primary.node, "", primary.file);
      continue;
    }
    if (d.option.empty()) continue;
    auto source = load_option(d.group, d.option, d.origin);
    YAML::Node wrapped(YAML::NodeType::Map);
    wrapped[d.group] = source.node.IsNull() ? YAML::Node(YAML::NodeType::Map) : source.node;
    merge_into(root, wrapped, source.file);
    record_origins(config, source.node, d.group, source.file);
    config.choices[d.group] = d.option;
  }
  if (experiment_file) {
    YAML::Node body = YAML::Clone(experiment_file->node);
    if (body.IsMap()) {
      body.remove("defaults");
      merge_into(root, body, experiment_file->file);
      record_origins(config, experiment_file->node, "", experiment_file->file);
    }
  }
  root["experiment"] = experiment;
  config.set_origin("experiment", experiment_origin.empty() ? "default" : experiment_origin);
  config.choices["experiment"] = experiment;

  // 3. Key overrides, in command-line order.
  for (const auto& o : overrides) {
    if (o.kind == Override::Kind::Group) continue;
    if (override_algorithm_entry(root, o, config)) continue;
    const auto parts = split(o.key, '.');
    YAML::Node node = root;
    std::string walked;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      walked = join_path(walked, parts[i]);
      YAML::Node child = node[parts[i]];
      if (!child || child.IsNull()) {
        if (o.kind != Override::Kind::Add) {
          std::vector<std::string> keys;
          if (node.IsMap()) for (const auto& kv : node) keys.push_back(kv.first.Scalar());
          fail("override '{}': config key '{}' does not exist{}; use +{}=... to add a new key", o.text, walked,
               did_you_mean(parts[i], keys), o.key);
        }
        node[parts[i]] = YAML::Node(YAML::NodeType::Map);
        child.reset(node[parts[i]]);
      }
      if (!child.IsMap()) fail("override '{}': config key '{}' is not a map", shown(o.text, 200), walked);
      node.reset(child);
    }
    const auto& leaf = parts.back();
    const bool exists = node.IsMap() && node[leaf];
    std::vector<std::string> siblings;
    if (node.IsMap()) for (const auto& kv : node) siblings.push_back(kv.first.Scalar());
    switch (o.kind) {
      case Override::Kind::Set:
        if (!exists)
          fail("override '{}': config key '{}' does not exist{}; use +{} to add a new key", o.text, o.key,
               did_you_mean(leaf, siblings), o.text);
        node[leaf] = o.value;
        break;
      case Override::Kind::Add:
        if (exists) fail("override '{}': config key '{}' already exists; drop the '+' to change it", o.text, o.key);
        node[leaf] = o.value;
        break;
      case Override::Kind::Remove:
        if (!exists)
          fail("override '{}': config key '{}' does not exist{}", shown(o.text, 200), o.key, did_you_mean(leaf, siblings));
        check_removed_value(o, node[leaf], config.choices.count(o.key) ? config.choices.at(o.key) : std::string());
        node.remove(leaf);
        break;
      case Override::Kind::Group: break;
    }
    for (auto it = config.origins_.begin(); it != config.origins_.end();)
      it = (starts_with(it->first, o.key + ".") || starts_with(it->first, o.key + "[")) ? config.origins_.erase(it)
                                                                                         : std::next(it);
    record_origins(config, o.value, o.key, override_origin(o.text), false);
    config.set_origin(o.key, override_origin(o.text));
  }
  interpolate(root, "");
  Config composed(root);
  for (const auto& [path, origin] : config.origins_) composed.set_origin(path, origin);
  check_utf8(composed);
  composed.choices = config.choices;
  composed.overrides = options.overrides;
  return composed;
}

}  // namespace tailrec
