#pragma once
// Run logging: every line goes to stderr and, during a run, to the run folder's run.log.
#include <cstdio>
#include <mutex>
#include <string>

#include <fmt/format.h>

namespace tailrec {

class Logger {
 public:
  enum class Level { Debug, Info, Warn, Error };
  Logger() = default;
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Also append every following line to `path` (run.log).
  void open_file(const std::string& path);
  void close_file();
  void set_quiet(bool quiet) { quiet_ = quiet; }

  void write(Level level, const std::string& message);
  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) { write(Level::Info, fmt::format(f, std::forward<Args>(args)...)); }
  template <typename... Args>
  void warn(fmt::format_string<Args...> f, Args&&... args) { write(Level::Warn, fmt::format(f, std::forward<Args>(args)...)); }
  template <typename... Args>
  void debug(fmt::format_string<Args...> f, Args&&... args) { write(Level::Debug, fmt::format(f, std::forward<Args>(args)...)); }

  // A logger that discards everything (tests).
  static Logger& null();

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
  bool quiet_ = false;
};

}  // namespace tailrec
