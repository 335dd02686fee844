#pragma once
// Helpers shared by the unit tests: temporary folders and small files.
#include <filesystem>
#include <string>

namespace tailrec::testing {

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

std::string read_text(const std::filesystem::path& path);
// The shared data folder (../shared), or "" when it is missing.
std::filesystem::path shared_dir();

}  // namespace tailrec::testing
