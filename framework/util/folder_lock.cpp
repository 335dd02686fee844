#include "framework/util/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "framework/util/error.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown";
  std::string host(name);
  for (auto& c : host)
    if (c == ' ' || static_cast<unsigned char>(c) < 0x20) c = '_';
  return host;
}

// The program and its words without '=': overrides are left out, they may hold a secret
// (run.anonymize_salt=...) and the lock file is readable by others.
std::string command_words() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  bool left_out = false;
  size_t start = 0;
  for (bool first = true; start < all.size(); first = false) {
    auto end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    auto word = all.substr(start, end - start);
    start = end + 1;
    if (first) word = fs::path(word).filename().string();
    if (word.find('=') != std::string::npos || out.size() + word.size() > 300) {
      left_out = true;
      continue;
    }
    for (auto& c : word)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    if (!out.empty()) out += ' ';
    out += word;
  }
  if (left_out) out += " ...";
  return out.empty() ? "unknown command" : out;
}

std::string read_fd(int fd) {
  std::string text;
  char buffer[1024];
  off_t offset = 0;
  for (;;) {
    const auto n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n <= 0 || text.size() > 4096) break;
    text.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text;
}

struct Holder {
  std::string pid, host, since, command;
};

// "pid host since command"; nullopt-like (empty pid) when the text is not one.
Holder parse_holder(const std::string& text) {
  Holder h;
  std::istringstream in(text.substr(0, text.find('\n')));
  in >> h.pid >> h.host >> h.since;
  std::getline(in >> std::ws, h.command);
  if (h.pid.empty() || h.pid.find_first_not_of("0123456789") != std::string::npos || h.since.empty()) return {};
  return h;
}

std::string describe(const Holder& h) { return fmt::format("pid {} on host {} since {}", h.pid, h.host, h.since); }

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

}  // namespace

FolderLock::FolderLock(const fs::path& folder, std::string_view what, std::string_view hint)
    : path_(folder / file_name) {
  for (int attempt = 0;; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int e = errno;
      if (e == ELOOP)
        fail("{} is a symbolic link; tailrec never follows one there (it could point anywhere): remove it", path_.string());
      if (e == EISDIR) fail("{} is a folder, not a lock file; remove it (tailrec keeps its lock there)", path_.string());
      if (e == ENOENT) fail("cannot lock {} {}: the folder does not exist", what, folder.string());
      if (e == ENOTDIR) fail("cannot lock {} {}: it is not a folder (a file stands in its way)", what, folder.string());
      fail("cannot create the lock file {}: {}", path_.string(), std::strerror(e));
    }
    struct stat locked {};
    if (::fstat(fd, &locked) != 0 || !S_ISREG(locked.st_mode)) {
      ::close(fd);
      fail("{} is not a regular file; remove it (tailrec keeps its lock there)", path_.string());
    }
    if (locked.st_nlink > 1) {  // a hard link to another file: writing the holder would overwrite it
      ::close(fd);
      fail("{} is a hard link to another file ({} names); tailrec never writes through one: remove it", path_.string(),
           locked.st_nlink);
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int e = errno;
      if (e != EWOULDBLOCK) {
        ::close(fd);
        fail("cannot lock {}: {}", path_.string(), std::strerror(e));
      }
      // The holder writes its name right after locking: give it a moment to do so.
      auto holder = parse_holder(read_fd(fd));
      for (int i = 0; i < 20 && holder.pid.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        holder = parse_holder(read_fd(fd));
      }
      ::close(fd);
      const auto who = holder.pid.empty() ? std::string("another process (it has not written its name into ") +
                                                path_.string() + ")"
                                          : describe(holder) + " (" + holder.command + ")";
      fail("{} {} is in use by {}; wait for it to finish, or choose another {}", what, folder.string(), who, hint);
    }
    // The holder before us may have removed the file between our open and our flock: then we hold
    // a lock on a file no one else will ever open. Lock the one at the path instead.
    struct stat at_path {};
    if (::lstat(path_.c_str(), &at_path) != 0 || !same_file(locked, at_path)) {
      ::close(fd);
      if (attempt >= 100) fail("cannot lock {}: its lock file keeps being replaced", path_.string());
      continue;
    }
    const auto previous = parse_holder(read_fd(fd));
    if (!previous.pid.empty())
      stale_note_ = fmt::format("a stale lock of {} was taken over: that process no longer holds it", describe(previous));
    const auto line = fmt::format("{} {} {} {}\n", ::getpid(), host_name(), now_iso8601(), command_words());
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
      const int e = errno;
      ::close(fd);
      fail("cannot write the lock file {}: {}", path_.string(), std::strerror(e));
    }
    fd_ = fd;
    return;
  }
}

FolderLock::~FolderLock() {
  // Removed while still locked, so no one locks the file we are about to let go of and keeps it.
  struct stat locked {}, at_path {};
  if (::fstat(fd_, &locked) == 0 && ::lstat(path_.c_str(), &at_path) == 0 && same_file(locked, at_path))
    ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace tailrec
