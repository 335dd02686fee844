#include <iostream>

#include <fmt/format.h>

#include "datasets/catalog.hpp"
#include "datasets/data_dir.hpp"
#include "datasets/download.hpp"
#include "experiments/commands.hpp"
#include "framework/error.hpp"
#include "framework/progress.hpp"
#include "framework/strings.hpp"

namespace tailrec {

int data_command(const std::string& action, const std::string& name, const std::string& dir) {
  const std::filesystem::path data_dir = dir.empty() ? default_data_dir() : std::filesystem::path(dir);
  if (action == "list") {
    std::cout << fmt::format("data directory: {}\n\n", data_dir.string());
    for (const auto& e : dataset_catalog()) {
      std::cout << fmt::format("{}  ({} loader)\n    {}\n    {}\n", e.name, e.loader, e.description, e.url);
      if (!e.archive_sha256.empty()) std::cout << fmt::format("    archive sha256 {}\n", e.archive_sha256);
      for (const auto& f : e.files)
        std::cout << fmt::format("    {}  {}\n", f.path, f.sha256.empty() ? "(presence checked)" : f.sha256);
      std::cout << "\n";
    }
    return 0;
  }
  const std::vector<std::string> actions{"list", "fetch", "verify"};
  if (action != "fetch" && action != "verify")
    fail("tailrec data: unknown action '{}'{}; choose one of {}", action, did_you_mean(action, actions), join(actions, ", "));
  if (name.empty()) fail("tailrec data {} needs a dataset name; see 'tailrec data list'", action);
  const auto& entry = catalog_entry(name);
  if (action == "verify") {
    verify_dataset(entry, data_dir);
    std::cout << fmt::format("{}: every file in {} matches its sha256\n", name, data_dir.string());
    return 0;
  }
  ProgressBar bar(fmt::format("{} fetch", name), true);
  fetch_dataset(entry, data_dir, [&](std::string_view, int64_t done, int64_t total) { bar.update(done, total); });
  bar.finish();
  std::cout << fmt::format("{}: fetched and verified in {}\n", name, data_dir.string());
  return 0;
}

}  // namespace tailrec
