#pragma once
// A run folder and its files. Every file is written through an AtomicFile, so a file is either
// absent or whole; metrics.json is written last, only when the run completed, and is the
// one mark of a complete run. Nothing is written through a symlink planted in the folder, and
// nothing outside it (framework/util/owned_folder.hpp).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "framework/util/atomic_file.hpp"  // write_file_atomically, for the callers of this header

namespace tailrec {

class FolderLock;

class RunFolder {
 public:
  // Creates (or reuses) the folder and locks it for this process (.tailrec.lock, FolderLock).
  // Refused: a non-empty folder that is not a tailrec run folder (a config folder, a home folder),
  // a folder another process is running in, and one that holds a complete run unless `overwrite`. With
  // `overwrite`, the old run's files move to .tailrec-previous/ and come back if this run does not
  // complete (the destructor restores them); they are deleted once metrics.json is written.
  RunFolder(std::filesystem::path path, bool overwrite);
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }
  // `name` is relative to the folder ("metrics.csv", "private/anonymization_salt"); its folders are made inside.
  void write(const std::string& name, const std::string& content) const;
  void write_gzip(const std::string& name, const std::string& content) const;
  // Creates a subfolder (mode 0700 when `private_to_owner`, also when it exists) and returns its path.
  std::filesystem::path subfolder(const std::string& relative, bool private_to_owner = false) const;
  // What the constructor found and did that the run log should say (a stale lock, a restored run).
  const std::vector<std::string>& notes() const { return notes_; }

  static bool is_complete(const std::filesystem::path& folder);
  // True when `folder` holds what a tailrec run writes first (metrics.json, overrides.yaml, error.txt,
  // run.log beside a lock) and is not a sweep's or tune's folder.
  static bool is_run_folder(const std::filesystem::path& folder);
  static constexpr const char* kPrevious = ".tailrec-previous";

 private:
  void restore_previous();
  void set_aside_previous();

  std::filesystem::path path_;
  std::unique_ptr<FolderLock> lock_;  // released last, after the destructor has restored or dropped the old run
  bool holds_previous_ = false;
  std::vector<std::string> notes_;
};

}  // namespace tailrec
