#pragma once
// Files that are either absent or whole. Every result, cache and download is written through an
// AtomicFile: a uniquely named temporary file in the target's folder (".<name>.XXXXXXXX.tmp"),
// written, fsynced, renamed over the target, and the folder fsynced. A file that is never
// committed (an error, an exception) is removed; a crash leaves at most a ".tmp" beside the old
// target. Every failure is a tailrec::Error naming the file and the system's reason.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tailrec {

class AtomicFile {
 public:
  // Creates the temporary file beside `path` (the folder must exist), with mode 0666 less the
  // umask, like any new file. Never follows a symlink at the temporary name (O_EXCL | O_NOFOLLOW);
  // refuses a target that exists and is neither a regular file nor a symlink (a folder, a FIFO,
  // a device): an output replaces only a file.
  explicit AtomicFile(std::filesystem::path path);
  // Removes the temporary file unless commit() succeeded. Never throws.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends bytes (buffered: streaming many small writes is cheap). After a failed write the
  // temporary file is gone and the object only waits for its destructor.
  void write(const void* data, size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }

  // Writes out the buffer, fsyncs and closes the file, renames it over the target (a symlink or
  // file there is replaced, never written through) and fsyncs the folder. Calls
  // test_pause("write", <file name>) between the fsync and the rename (tests/integration/crash_safety.sh).
  void commit();

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temporary_path() const { return temporary_; }

 private:
  void flush_buffer();
  void write_through(const char* data, size_t size);
  void discard() noexcept;

  std::filesystem::path path_;
  std::filesystem::path temporary_;
  int folder_fd_ = -1;  // the target's folder, held open so the rename lands where the file was made
  int fd_ = -1;
  bool committed_ = false;
  std::string buffer_;
};

// Renames the finished file `written` over `path` after an fsync of it, then fsyncs the folder:
// the commit step of AtomicFile, for a file written another way (a resumable download's .part).
// Throws tailrec::Error naming both paths; `written` is left in place when the rename fails.
void commit_file(const std::filesystem::path& written, const std::filesystem::path& path);

// Writes `content` to `path` through an AtomicFile.
// Throws tailrec::Error with the path and the system's reason (disk full, permissions...).
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Writes `content` gzip-compressed (a gzip stream, so `zcat` and pandas read it) to `path`
// through an AtomicFile, compressing as it goes.
void write_gzip_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace tailrec
