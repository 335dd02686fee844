#include "framework/util/system_info.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <Eigen/Core>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "framework/util/strings.hpp"

namespace tailrec {

std::filesystem::path user_cache_dir(const char* override_env, const std::string& leaf) {
  const auto env = [](const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
  };
  if (auto dir = env(override_env); !dir.empty()) return dir;
  std::filesystem::path root = std::filesystem::path(".cache") / "tailrec";
  if (auto cache = env("XDG_CACHE_HOME"); !cache.empty()) root = std::filesystem::path(cache) / "tailrec";
  else if (auto home = env("HOME"); !home.empty()) root = std::filesystem::path(home) / ".cache" / "tailrec";
  return leaf.empty() ? root : root / leaf;
}

namespace fs = std::filesystem;

fs::path tailrec_home() {
  if (const char* home = std::getenv("TAILREC_HOME"); home && *home) return fs::path(home);
  return fs::path(TAILREC_SOURCE_HOME);
}

namespace {
std::string read_first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return std::string(trim(line));
}
}  // namespace

std::string git_commit() {
  const auto git = tailrec_home() / ".git";
  auto head = read_first_line(git / "HEAD");
  if (head.empty()) return "unknown";
  if (!starts_with(head, "ref: ")) return head;
  const auto ref = head.substr(5);
  if (auto direct = read_first_line(git / ref); !direct.empty()) return direct;
  std::ifstream packed(git / "packed-refs");
  std::string line;
  while (std::getline(packed, line)) {
    const auto parts = split(line, ' ');
    if (parts.size() == 2 && parts[1] == ref) return parts[0];
  }
  return "unknown";
}

nlohmann::json library_versions() {
  return {
      {"tailrec", TAILREC_VERSION},
      {"compiler", fmt::format("gcc {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__)},
      {"eigen", fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"fmt", FMT_VERSION},
      {"cxx_standard", __cplusplus},
  };
}

double peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (starts_with(line, "VmHWM:")) {
      std::istringstream fields(line.substr(6));
      double kb = 0;
      fields >> kb;
      return kb / 1024.0;
    }
  return 0;
}

void reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

int hardware_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

nlohmann::json hardware_description() {
  std::string cpu = "unknown";
  double memory_gib = 0;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);)
    if (line.rfind("MemTotal:", 0) == 0) {
      memory_gib = std::round(std::stod(line.substr(9)) / (1024.0 * 1024.0) * 10) / 10;  // kB -> GiB, 1 decimal
      break;
    }
  return {{"cpu", cpu}, {"cores", hardware_threads()}, {"memory_gib", memory_gib}};
}

std::string local_time(const char* format) {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char text[64];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

std::string now_iso8601() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &tm);
  return text;
}

}  // namespace tailrec
