#include <iostream>

#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "experiments/register_all.hpp"
#include "framework/run/settings.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

void print_params(const std::vector<ParamSpec>& params, const std::string& indent) {
  for (const auto& p : params) {
    std::string extra;
    if (!p.choices.empty()) extra = fmt::format(" one of {}", join(p.choices, "|"));
    // An integer without a maximum of its own is bounded by kMaxInt (framework/config/params.hpp).
    const auto max_text = [&]() -> std::string {
      if (p.max && *p.max == kMaxSeed) return "2^63-1";
      if (p.max) return fmt::format("{}", *p.max);
      return p.type == ParamType::Int ? fmt::format("{}", kMaxInt) : "inf";
    };
    if (p.min || p.max)
      extra += fmt::format(" range [{}, {}]", p.min ? fmt::format("{}", *p.min) : "-inf", max_text());
    std::cout << fmt::format("{}{} ({}, default {}{}): {}\n", indent, p.name, to_string(p.type), p.default_text(), extra,
                             p.help);
  }
}

template <typename Product>
void print_registry(const Registry<Product>& registry) {
  for (const auto& entry : registry.entries()) {
    const auto lines = split(entry.description, '\n');
    std::cout << fmt::format("{}\n", entry.name);
    for (const auto& line : lines) std::cout << fmt::format("    {}\n", line);
    if (!entry.params.empty()) {
      std::cout << "    parameters:\n";
      print_params(entry.params, "      ");
    }
    std::cout << "\n";
  }
}

// The run-level settings (framework/run/settings.hpp): each group by its path, then its keys.
void print_settings() {
  for (const auto& group : settings_groups()) {
    std::cout << fmt::format("{}: {}\n", group.path, group.help);
    print_params(group.params, "    ");
    std::cout << "\n";
  }
}

}  // namespace

int list_command(const std::string& what) {
  const auto& r = registries();
  if (what == "algorithms") print_registry(r.algorithms);
  else if (what == "metrics") print_registry(r.metrics);
  else if (what == "splits") print_registry(r.splits);
  else if (what == "protocols") print_registry(r.protocols);
  else if (what == "datasets") print_registry(r.datasets);
  else if (what == "settings") print_settings();
  else {
    const std::vector<std::string> kinds{"algorithms", "metrics", "splits", "protocols", "datasets", "settings"};
    fail("tailrec list: unknown kind '{}'{}; choose one of {}", what, did_you_mean(what, kinds), join(kinds, ", "));
  }
  return 0;
}

}  // namespace tailrec
