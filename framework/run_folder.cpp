#include "framework/run_folder.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "framework/error.hpp"

namespace tailrec {

namespace fs = std::filesystem;

RunFolder::RunFolder(fs::path path, bool overwrite) : path_(std::move(path)) {
  if (is_complete(path_)) {
    if (!overwrite)
      fail("run folder {} already holds a complete run; choose another run.dir or pass run.overwrite=true",
           path_.string());
    // The old run's results go too, so a failed re-run never sits beside stale files.
    for (const char* name : {"metrics.json", "metrics.csv", "recommendations.tsv", "per_user_metrics.tsv.gz",
                             "item_exposure.tsv.gz", "user_activity.tsv.gz", "run.log"})
      fs::remove(path_ / name);
  }
  std::error_code ec;
  fs::create_directories(path_, ec);
  if (ec) fail("cannot create run folder {}: {}", path_.string(), ec.message());
}

void RunFolder::write(const std::string& name, const std::string& content) const {
  write_file_atomically(path_ / name, content);
}

void RunFolder::write_gzip(const std::string& name, const std::string& content) const {
  write_gzip_file_atomically(path_ / name, content);
}

bool RunFolder::is_complete(const fs::path& folder) {
  std::ifstream in(folder / "metrics.json");
  if (!in) return false;
  try {
    const auto json = nlohmann::json::parse(in);
    return json.value("status", "") == "complete";
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace tailrec
