#include <iostream>

#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "experiments/register_all.hpp"
#include "framework/strings.hpp"

namespace tailrec {

namespace {

template <typename Product>
void print_registry(const Registry<Product>& registry) {
  for (const auto& entry : registry.entries()) {
    const auto lines = split(entry.description, '\n');
    std::cout << fmt::format("{}\n", entry.name);
    for (const auto& line : lines) std::cout << fmt::format("    {}\n", line);
    if (!entry.params.empty()) {
      std::cout << "    parameters:\n";
      for (const auto& p : entry.params) {
        std::string extra;
        if (!p.choices.empty()) extra = fmt::format(" one of {}", join(p.choices, "|"));
        if (p.min || p.max)
          extra += fmt::format(" range [{}, {}]", p.min ? fmt::format("{}", *p.min) : "-inf",
                               p.max ? fmt::format("{}", *p.max) : "inf");
        std::cout << fmt::format("      {} ({}, default {}{}): {}\n", p.name, to_string(p.type), p.default_text(), extra,
                                 p.help);
      }
    }
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
  else {
    const std::vector<std::string> kinds{"algorithms", "metrics", "splits", "protocols", "datasets"};
    fail("tailrec list: unknown kind '{}'{}; choose one of {}", what, did_you_mean(what, kinds), join(kinds, ", "));
  }
  return 0;
}

}  // namespace tailrec
