#pragma once
// Helpers shared by the unit tests: temporary folders, small files and environment variables.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "framework/util/error.hpp"

namespace tailrec::testing {

// The message of the tailrec::Error `action` throws ("" when it throws none).
template <typename F>
std::string error_of(F&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Writes `content` to path()/relative, creating folders.
  std::filesystem::path write(const std::string& relative, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

// Sets an environment variable for the object's lifetime; then restores it, or unsets it when it
// was not set before.
class ScopedEnv {
 public:
  ScopedEnv(const std::string& name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name.c_str())) old_ = old;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

std::string read_text(const std::filesystem::path& path);
// The shared data folder (../shared), or "" when it is missing.
std::filesystem::path shared_dir();

}  // namespace tailrec::testing
