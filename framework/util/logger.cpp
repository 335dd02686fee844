#include "framework/util/logger.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/util/error.hpp"
#include "framework/util/escape.hpp"

namespace tailrec {

Logger::~Logger() { close_file(); }

void Logger::open_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_) std::fclose(file_);
  file_ = nullptr;
  // Appended to, never followed: a symlink planted at run.log would send the log (and the bytes)
  // into whatever it points at.
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
  if (fd < 0) {
    if (errno == ELOOP)
      fail("cannot write the log {}: it is a symbolic link; tailrec never writes through one, remove it", path);
    fail("cannot write the log {}: {}", path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("cannot write the log {}: it is not a regular file; remove it", path);
  }
  if (st.st_nlink > 1) {  // a hard link: the log would be appended to the other file
    ::close(fd);
    fail("cannot write the log {}: it is a hard link to another file; tailrec never writes through one, remove it", path);
  }
  file_ = ::fdopen(fd, "a");
  if (!file_) {
    ::close(fd);
    fail("cannot write the log {}: {}", path, std::strerror(errno));
  }
}

void Logger::close_file() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_) std::fclose(file_);
  file_ = nullptr;
}

void Logger::write(Level level, const std::string& message) {
  static const char* names[] = {"debug", "info", "warn", "error"};
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  // Messages quote config values, labels and ids: no control byte of theirs reaches the terminal.
  const auto line = fmt::format("[{}] {}: {}\n", stamp, names[static_cast<int>(level)], escape_terminal(message));
  std::lock_guard<std::mutex> lock(mutex_);
  // Errors reach the console through main; here they go to run.log only.
  if (!quiet_ && level != Level::Debug && level != Level::Error) std::fputs(line.c_str(), stderr);
  if (file_) {
    std::fputs(line.c_str(), file_);
    std::fflush(file_);
  }
}

Logger& Logger::null() {
  static Logger logger;
  logger.set_quiet(true);
  return logger;
}

}  // namespace tailrec
