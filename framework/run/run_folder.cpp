#include "framework/run/run_folder.hpp"

#include <fstream>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/util/error.hpp"

namespace tailrec {

namespace fs = std::filesystem;

RunFolder::RunFolder(fs::path path, bool overwrite) : path_(std::move(path)) {
  if (is_complete(path_)) {
    if (!overwrite)
      fail("run folder {} already holds a complete run; choose another run.dir or pass run.overwrite=true",
           path_.string());
    // The old run's results go too, so a failed re-run never sits beside stale files: metrics.json
    // first (the folder stops looking complete), then every result table and the log, whichever
    // evaluation loop wrote them (*.tsv, *.tsv.gz, *.csv, run.log).
    fs::remove(path_ / "metrics.json");
    std::vector<fs::path> stale;
    for (const auto& entry : fs::directory_iterator(path_)) {
      const auto name = entry.path().filename().string();
      const auto ends_with = [&](std::string_view tail) {
        return name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
      };
      if (entry.is_regular_file() && !entry.is_symlink() &&
          (ends_with(".tsv") || ends_with(".tsv.gz") || ends_with(".csv") || name == "run.log"))
        stale.push_back(entry.path());
    }
    for (const auto& file : stale) fs::remove(file);
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
