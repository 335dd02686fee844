#pragma once
// An advisory lock on a folder (a run or sweep folder, a tune or --keep folder) held while a process
// writes into it: <folder>/.tailrec.lock, flock()ed exclusively and holding "pid host started
// command" of its holder. Two processes never write one folder at once; a lock file left by a
// process that died (the kernel dropped its flock) is taken over and said so. flock works across
// NFS clients on Linux, so the hosts of a cluster see each other's locks.
#include <filesystem>
#include <string>
#include <string_view>

namespace tailrec {

class FolderLock {
 public:
  // Locks `folder` (which must exist) for this process: opens or creates <folder>/.tailrec.lock
  // without following a symlink (O_NOFOLLOW, refuse a non-regular file), takes an exclusive
  // non-blocking flock, checks the locked inode is still the one at the path (retry otherwise),
  // and writes "pid host started-ISO8601 command" into it. When another process holds it: throws
  // tailrec::Error "<what> <folder> is in use by pid P on host H since T (<command>); wait for it
  // to finish, or choose another <hint>". When the file names a holder that no longer holds the
  // lock (it died): takes the lock over and stale_note() says so.
  FolderLock(const std::filesystem::path& folder, std::string_view what, std::string_view hint);
  ~FolderLock();  // unlocks and removes the lock file
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  // "a stale lock of pid P on host H since T was taken over: that process no longer holds it", or
  // empty when the lock file was new or empty.
  const std::string& stale_note() const { return stale_note_; }
  const std::filesystem::path& path() const { return path_; }

  static constexpr const char* file_name = ".tailrec.lock";

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::string stale_note_;
};

}  // namespace tailrec
