#pragma once
// The composed experiment config: a YAML tree plus, for every leaf, where it came from (file:line or
// the command line) and whether any component read it. Components read typed values through
// ConfigView; after every component is built, Config::check_all_read() turns any key nobody read
// into an error naming the dotted path, its origin and the closest valid keys (a typo never
// passes silently).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace tailrec {

class Config;

// A node of the config at a dotted path ("dataset.columns", "algorithms[1]").
class ConfigView {
 public:
  ConfigView(const Config* config, std::string path, YAML::Node node);
  ConfigView(const ConfigView&) = default;
  // yaml-cpp's Node::operator= writes through to the referenced node; rebind instead.
  ConfigView& operator=(const ConfigView& other) {
    config_ = other.config_;
    path_ = other.path_;
    node_.reset(other.node_);
    return *this;
  }

  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  bool is_null() const { return !node_ || node_.IsNull(); }
  bool is_map() const { return node_ && node_.IsMap(); }
  bool is_sequence() const { return node_ && node_.IsSequence(); }
  bool is_scalar() const { return node_ && node_.IsScalar(); }
  bool has(const std::string& key) const;  // present and not null
  std::vector<std::string> keys() const;
  size_t size() const;

  ConfigView operator[](const std::string& key) const;
  ConfigView operator[](size_t index) const;

  // Typed reads mark the key read. Wrong types raise an error naming path, value, origin and type.
  std::string as_string() const;
  int64_t as_int() const;
  double as_double() const;
  bool as_bool() const;
  std::vector<std::string> as_strings() const;  // a scalar or a list of scalars

  std::string get_string(const std::string& key, const std::string& fallback) const;
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;

  // Marks this node and everything under it read (for consumers that validate a subtree themselves).
  void mark_read() const;
  std::string origin() const;  // of this node: "configs/split/holdout.yaml:2", "command line", ...
  std::map<std::string, std::string> origins_below() const;  // Config::origins_under(path())
  [[noreturn]] void fail_here(const std::string& message) const;  // "config key 'x' (origin): message"

 private:
  const Config* config_;
  std::string path_;
  YAML::Node node_;
};

class Config {
 public:
  Config();
  explicit Config(YAML::Node root);  // for tests: origins read "inline"

  ConfigView root() const;
  ConfigView operator[](const std::string& key) const { return root()[key]; }
  ConfigView at(const std::string& dotted_path) const;  // "a.b", "algorithms[2].k"
  const YAML::Node& tree() const { return root_; }

  // Records where the leaves under `dotted_path` came from.
  void set_origin(const std::string& dotted_path, const std::string& origin);
  std::string origin(const std::string& dotted_path) const;
  // The origin of `dotted_path` and of every key beneath it that has its own, by full path.
  std::map<std::string, std::string> origins_under(const std::string& dotted_path) const;
  void mark_read(const std::string& dotted_path) const;
  bool was_read(const std::string& dotted_path) const;
  // Throws when some leaf was never read, listing each with origin and suggestions.
  void check_all_read() const;
  std::string to_yaml() const;

  // Group choices made during composition (dataset -> ml100k, ...), for records.
  std::map<std::string, std::string> choices;
  std::vector<std::string> overrides;  // the command-line overrides, as typed

 private:
  friend Config compose(const struct ComposeOptions& options);
  YAML::Node root_;
  std::map<std::string, std::string> origins_;
  mutable std::set<std::string> read_;
};

// Dotted path helpers: "a.b[2].c" <-> components.
std::string join_path(const std::string& parent, const std::string& key);
std::string join_path(const std::string& parent, size_t index);

// The label of an algorithm entry as written (framework/config/algorithm_entry.hpp reads entries):
// its label, else its name; "" when it has neither.
std::string entry_label(const YAML::Node& entry);

// --- Composition (Hydra-like) ------------------------------------------------------------------

struct Override {
  enum class Kind { Set, Add, Remove, Group };
  Kind kind = Kind::Set;
  std::string key;      // dotted path, or group name for Kind::Group
  YAML::Node value;     // parsed as a YAML scalar or flow collection
  std::string text;     // as typed
  // ~key=value (Hydra): delete the key only if it holds this value; an error otherwise.
  bool remove_if_equal = false;
};
// The dotted key of an override as typed: "a.b" of "a.b=1", "+a.b=1" and "~a.b" (no checks).
std::string override_key(const std::string& text);
// For ~key=value: throws unless `current` (the key's value, after ${...} interpolation) equals the
// override's value as a value (null = "", 0.2 = 0.20, any list or map style); for a group key,
// unless `group_choice` (the chosen option) is the value.
void check_removed_value(const Override& o, const YAML::Node& current, const std::string& group_choice);
// Parses one command-line override; throws with the offending text on bad syntax.
Override parse_override(const std::string& text, const std::vector<std::string>& groups);

struct ComposeOptions {
  std::vector<std::filesystem::path> search_path;  // earlier wins; the built-in configs/ last
  std::vector<std::string> overrides;              // as typed on the command line
  std::string config_name = "config";
};
// Groups are the sub-folders of the search path that hold option files (dataset, split, ...).
std::vector<std::string> config_groups(const std::vector<std::filesystem::path>& search_path);
std::vector<std::string> group_options(const std::vector<std::filesystem::path>& search_path,
                                       const std::string& group);
Config compose(const ComposeOptions& options);

// A file of the search path (the first that has `relative`), checked as compose checks every
// config file: YAML syntax, a map at the top, no duplicate keys, no alias cycles.
struct ConfigFile {
  YAML::Node node;
  std::string file;  // its path, for origins ("file:line")
};
std::optional<ConfigFile> find_config_file(const std::vector<std::filesystem::path>& search_path,
                                           const std::filesystem::path& relative);

}  // namespace tailrec
