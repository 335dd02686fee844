#include <iostream>

#include <fmt/format.h>

#include "datasets/catalog.hpp"
#include "datasets/data_dir.hpp"
#include "datasets/download.hpp"
#include "datasets/synthetic_movielens.hpp"
#include "experiments/commands.hpp"
#include "framework/util/error.hpp"
#include "framework/util/progress.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

int data_command(const std::string& action, const std::string& name, const std::string& dir) {
  const std::filesystem::path data_dir = dir.empty() ? default_data_dir() : std::filesystem::path(dir);
  if (action == "list") {
    std::cout << fmt::format("data directory: {}\n\n", data_dir.string());
    for (const auto& e : dataset_catalog()) {
      std::cout << fmt::format("{}  ({} loader)\n    {}\n", e.name, e.loader, e.description);
      for (const auto& a : e.archives) {
        std::cout << fmt::format("    {}\n", a.url);
        if (!a.sha256.empty()) std::cout << fmt::format("      sha256 {}\n", a.sha256);
        if (!a.md5.empty()) std::cout << fmt::format("      md5 {}\n", a.md5);
        if (a.sha256.empty() && a.md5.empty()) std::cout << "      (no published checksum)\n";
      }
      for (const auto& f : e.files)
        std::cout << fmt::format("    {}  {}\n", f.path, f.sha256.empty() ? "(presence checked)" : f.sha256);
      std::cout << "\n";
    }
    return 0;
  }
  const std::vector<std::string> actions{"list", "fetch", "verify", "synth"};
  if (action != "fetch" && action != "verify")
    fail("tailrec data: unknown action '{}'{}; choose one of {}", action, did_you_mean(action, actions), join(actions, ", "));
  if (name.empty()) fail("tailrec data {} needs a dataset name; see 'tailrec data list'", action);
  const auto& entry = catalog_entry(name);
  if (action == "verify") {
    verify_dataset(entry, data_dir);
    std::cout << fmt::format("{}: every file in {} matches its sha256\n", name, data_dir.string());
    return 0;
  }
  if (!entry.terms.empty()) std::cout << entry.terms << "\n\n";
  ProgressBar bar(fmt::format("{} fetch", name), true);
  const auto notes =
      fetch_dataset(entry, data_dir, [&](std::string_view, int64_t done, int64_t total) { bar.update(done, total); });
  bar.finish();
  for (const auto& note : notes) std::cout << "note: " << note << "\n";
  std::cout << fmt::format("{}: fetched {}in {}\n", name, notes.empty() ? "and verified " : "", data_dir.string());
  return 0;
}

int data_synth_command(const DataSynthCommand& command) {
  const std::vector<std::string> generators{"ml20m_like"};
  if (command.name.empty()) fail("tailrec data synth needs a generator name; choose one of {}", join(generators, ", "));
  if (command.name != "ml20m_like")
    fail("tailrec data synth: unknown generator '{}'{}; choose one of {}", command.name,
         did_you_mean(command.name, generators), join(generators, ", "));
  const std::filesystem::path out =
      !command.out.empty() ? std::filesystem::path(command.out)
                           : (command.dir.empty() ? default_data_dir() : std::filesystem::path(command.dir)) / command.name;
  const auto s = write_ml20m_like(out, {command.seed, command.scale});
  std::cout << fmt::format(
      "{}: {} users, {} items, {} interactions (ratings per user {} to {}; most rated item {} ratings; "
      "top 1% of items hold {:.1f}% of them; item Gini {:.3f})\n"
      "read it with: tailrec run dataset=ml20m dataset.data_dir={}\n",
      out.string(), s.shape.users, s.shape.items, s.shape.interactions, s.shape.min_activity, s.max_user_count,
      s.max_item_count, 100 * s.top1_share, s.item_gini, out.string());
  return 0;
}

}  // namespace tailrec
