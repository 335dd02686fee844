#include "datasets/data_dir.hpp"

#include <cstdlib>
#include <string>

namespace tailrec {

namespace {
std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}
}  // namespace

std::filesystem::path default_data_dir() {
  if (auto dir = env("TAILREC_DATA_DIR"); !dir.empty()) return dir;
  if (auto cache = env("XDG_CACHE_HOME"); !cache.empty()) return std::filesystem::path(cache) / "tailrec" / "data";
  if (auto home = env("HOME"); !home.empty()) return std::filesystem::path(home) / ".cache" / "tailrec" / "data";
  return std::filesystem::path(".cache") / "tailrec" / "data";  // no HOME at all: next to the run
}

std::filesystem::path embedded_dataset_dir() {
  if (auto home = env("TAILREC_HOME"); !home.empty())
    return std::filesystem::path(home) / "datasets" / "ml-latest-small";
  return std::filesystem::path(TAILREC_SOURCE_HOME) / "datasets" / "ml-latest-small";
}

}  // namespace tailrec
