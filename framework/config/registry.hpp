#pragma once
// Registry<Product>: name -> factory + one-line description + typed parameter schema.
// Unknown names throw with every valid name and a did-you-mean; registering a name twice throws.
// Registration is explicit (see experiments/register_all.cpp), never static-init magic.
#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/config/params.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

template <typename Product>
struct RegistryEntry {
  std::string name;
  std::string description;  // first line: one-line summary; further lines: exact definition
  std::vector<ParamSpec> params;
  std::function<Product(const Params&)> create;
};

template <typename Product>
class Registry {
 public:
  using Entry = RegistryEntry<Product>;
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  void add(Entry entry) {
    if (contains(entry.name)) fail("{} '{}' is registered twice", kind_, entry.name);
    if (!entry.create) fail("{} '{}' is registered without a factory", kind_, entry.name);
    entries_.push_back(std::move(entry));
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
  }
  bool contains(std::string_view name) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
  }
  const Entry& at(std::string_view name) const {
    for (const auto& e : entries_)
      if (e.name == name) return e;
    fail("unknown {} '{}'{}; valid names: {}", kind_, shown(name), did_you_mean(name, names()), join(names(), ", "));
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
  }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::vector<Entry> entries_;
};

}  // namespace tailrec
