#pragma once
// Facts about the process and the build recorded with every run.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace tailrec {

// The install's home: $TAILREC_HOME, else the source tree this binary was built from.
std::filesystem::path tailrec_home();

// tailrec's per-user cache folders: $<override_env> when set, else $XDG_CACHE_HOME/tailrec/<leaf>,
// else ~/.cache/tailrec/<leaf>, else .cache/tailrec/<leaf> (no HOME at all: next to the run).
// Datasets (TAILREC_DATA_DIR, "data"), models (TAILREC_MODEL_DIR, "models") and the run cache
// (TAILREC_CACHE_DIR, "") all follow it.
std::filesystem::path user_cache_dir(const char* override_env, const std::string& leaf);
// The commit of the source tree (read from .git without running git), or "unknown".
std::string git_commit();
nlohmann::json library_versions();
// Peak resident memory since the last reset, in MiB (Linux VmHWM).
double peak_rss_mb();
// Resets the peak to the current resident size, so each algorithm's peak can be measured.
void reset_peak_rss();
int hardware_threads();
// The machine a run ran on: {"cpu": model name, "cores": logical CPUs, "memory_gib": total}.
nlohmann::json hardware_description();
std::string now_iso8601();
// The local time in strftime `format` (folder names: "%Y-%m-%d", "%H-%M-%S").
std::string local_time(const char* format);

}  // namespace tailrec
