#include "framework/util/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/test_hooks.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBufferSize = size_t{1} << 16;

fs::path folder_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// ".<name>.XXXXXXXX.tmp" (8 random letters) in the target's folder; the name is shortened so the temporary name stays
// within NAME_MAX.
fs::path temporary_name(const fs::path& path, std::mt19937_64& random) {
  static constexpr char kLetters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string name = "." + path.filename().string().substr(0, 200) + ".";
  auto bits = random();
  for (int i = 0; i < 8; ++i, bits >>= 6) name += kLetters[bits % (sizeof kLetters - 1)];
  name += ".tmp";
  return folder_of(path) / name;
}

// fsync of the folder, so the rename itself survives a crash. File systems that cannot sync a
// folder (EINVAL) and folders that cannot be opened for reading are left as they are: the rename
// is done either way.
void sync_folder_fd(int fd, const fs::path& path) {
  if (::fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP && errno != EROFS)
    fail("cannot write {}: syncing its folder {} failed: {}", path.string(), folder_of(path).string(),
         std::strerror(errno));
}

void sync_folder(const fs::path& folder, const fs::path& path) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  try {
    sync_folder_fd(fd, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(fs::path path) : path_(std::move(path)) {
  if (path_.filename().empty() || path_.filename() == "." || path_.filename() == "..")
    fail("cannot write {}: not a file name", path_.string());
  const auto folder = folder_of(path_);
  folder_fd_ = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder_fd_ < 0) fail("cannot write {}: cannot open its folder {}: {}", path_.string(), folder.string(), std::strerror(errno));
  struct stat st {};
  if (::fstatat(folder_fd_, path_.filename().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
      !S_ISLNK(st.st_mode)) {
    ::close(folder_fd_);
    folder_fd_ = -1;
    fail("cannot write {}: it exists and is {}; tailrec replaces only regular files, choose another path",
         path_.string(), S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO" : "not a regular file");
  }
  std::random_device seed;
  std::mt19937_64 random((static_cast<uint64_t>(seed()) << 32) ^ seed() ^ static_cast<uint64_t>(::getpid()));
  for (int attempt = 0; fd_ < 0; ++attempt) {
    temporary_ = temporary_name(path_, random);
    // 0666 less the umask (and a default ACL), as for any new file; O_EXCL never follows a symlink.
    fd_ = ::openat(folder_fd_, temporary_.filename().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0666);
    if (fd_ < 0 && (errno != EEXIST || attempt == 100)) {
      const int error = errno;
      ::close(folder_fd_);
      folder_fd_ = -1;
      fail("cannot write {}: creating the temporary file {} failed: {}", path_.string(), temporary_.string(),
           std::strerror(error));
    }
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
  if (folder_fd_ >= 0) ::close(folder_fd_);
}

void AtomicFile::discard() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlinkat(folder_fd_, temporary_.filename().c_str(), 0);
}

void AtomicFile::write_through(const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      discard();
      fail("cannot write {}: {}", path_.string(), std::strerror(error));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFile::flush_buffer() {
  if (buffer_.empty()) return;
  write_through(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void AtomicFile::write(const void* data, size_t size) {
  TAILREC_CHECK(fd_ >= 0, "AtomicFile::write after commit or a failed write: {}", path_.string());
  const auto* bytes = static_cast<const char*>(data);
  if (buffer_.size() + size <= kBufferSize) {
    if (buffer_.capacity() < kBufferSize) buffer_.reserve(kBufferSize);
    buffer_.append(bytes, size);
    return;
  }
  flush_buffer();
  if (size >= kBufferSize) {
    write_through(bytes, size);
  } else {
    buffer_.append(bytes, size);
  }
}

void AtomicFile::commit() {
  TAILREC_CHECK(fd_ >= 0, "AtomicFile::commit after commit or a failed write: {}", path_.string());
  flush_buffer();
  if (::fsync(fd_) != 0) {
    const int error = errno;
    discard();
    fail("cannot write {}: {}", path_.string(), std::strerror(error));
  }
  const int status = ::close(fd_);
  fd_ = -1;
  if (status != 0) {
    const int error = errno;
    ::unlinkat(folder_fd_, temporary_.filename().c_str(), 0);
    fail("cannot write {}: {}", path_.string(), std::strerror(error));
  }
  test_pause("write", path_.filename().string());  // crash_safety.sh kills here: a .tmp, no rename
  // Within the folder opened above: a folder swapped for a link meanwhile does not redirect the file.
  if (::renameat(folder_fd_, temporary_.filename().c_str(), folder_fd_, path_.filename().c_str()) != 0) {
    const int error = errno;
    ::unlinkat(folder_fd_, temporary_.filename().c_str(), 0);
    fail("cannot rename {} to {}: {}", temporary_.string(), path_.string(), std::strerror(error));
  }
  committed_ = true;
  sync_folder_fd(folder_fd_, path_);
}

void commit_file(const fs::path& written, const fs::path& path) {
  const int fd = ::open(written.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot write {}: cannot open {}: {}", path.string(), written.string(), std::strerror(errno));
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0) fail("cannot write {}: syncing {} failed: {}", path.string(), written.string(), std::strerror(error));
  if (std::rename(written.c_str(), path.c_str()) != 0)
    fail("cannot rename {} to {}: {}", written.string(), path.string(), std::strerror(errno));
  sync_folder(folder_of(path), path);
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  AtomicFile file(path);
  file.write(content);
  file.commit();
}

void write_gzip_file_atomically(const fs::path& path, std::string_view content) {
  AtomicFile file(path);
  // A gzip stream (not raw zlib); fed in chunks, since zlib counts bytes in 32-bit fields.
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail("cannot write {}: zlib could not start gzip compression", path.string());
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&stream, &deflateEnd);
  std::vector<unsigned char> buffer(1 << 20);
  size_t offset = 0;
  int status = Z_OK;
  do {
    const size_t chunk = std::min<size_t>(content.size() - offset, 1u << 30);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data() + offset));
    stream.avail_in = static_cast<uInt>(chunk);
    offset += chunk;
    const int flush = offset == content.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      stream.next_out = buffer.data();
      stream.avail_out = static_cast<uInt>(buffer.size());
      status = deflate(&stream, flush);
      file.write(buffer.data(), buffer.size() - stream.avail_out);
    } while (stream.avail_out == 0);
  } while (offset < content.size());
  if (status != Z_STREAM_END) fail("cannot write {}: gzip compression failed", path.string());
  file.commit();
}

}  // namespace tailrec
