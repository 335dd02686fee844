#pragma once
// A run folder and its files. Every file is written through an AtomicFile, so a file is either
// absent or whole; metrics.json is written last, only when the run completed, and is the
// one mark of a complete run.
#include <filesystem>
#include <string>

#include "framework/util/atomic_file.hpp"  // write_file_atomically, for the callers of this header

namespace tailrec {

class RunFolder {
 public:
  // Creates the folder. A folder that already holds a complete run is refused unless `overwrite`,
  // in which case its metrics.json is removed first (the folder no longer looks complete).
  RunFolder(std::filesystem::path path, bool overwrite);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }
  void write(const std::string& name, const std::string& content) const;
  void write_gzip(const std::string& name, const std::string& content) const;

  static bool is_complete(const std::filesystem::path& folder);

 private:
  std::filesystem::path path_;
};

}  // namespace tailrec
