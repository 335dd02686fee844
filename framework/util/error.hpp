#pragma once
// User-facing errors. A tailrec::Error carries one clear message (what, where, how to fix) and is
// caught at main, which prints it and exits non-zero. Programmer errors use assert instead.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace tailrec {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// An algorithm or component was asked for a capability it does not have (faiss-style "not supported").
class NotSupported : public Error {
 public:
  using Error::Error;
};

// An error in a config value. It names the dotted key and where the value came from (file:line, a
// command-line override; empty when unknown) once, in front of the message: "config key 'k' (o): m".
// Code that adds context to errors checks this type, never the message text.
class ConfigError : public Error {
 public:
  ConfigError(std::string key, std::string origin, const std::string& message)
      : Error(origin.empty() ? fmt::format("config key '{}': {}", key, message)
                             : fmt::format("config key '{}' ({}): {}", key, origin, message)),
        key_(std::move(key)),
        origin_(std::move(origin)) {}
  const std::string& key() const { return key_; }
  const std::string& origin() const { return origin_; }
  // A missing key: "config key 'k' is missing (at o): help", o being where the key was expected.
  static ConfigError missing(std::string key, std::string origin, const std::string& help) {
    auto text = fmt::format("config key '{}' is missing (at {}): {}", key, origin, help);
    return ConfigError(std::move(key), std::move(origin), text, Worded{});
  }

 private:
  struct Worded {};  // the message is complete as given
  ConfigError(std::string key, std::string origin, const std::string& text, Worded)
      : Error(text), key_(std::move(key)), origin_(std::move(origin)) {}
  std::string key_;
  std::string origin_;
};

template <typename... Args>
[[noreturn]] void fail_config(std::string key, std::string origin, fmt::format_string<Args...> format, Args&&... args) {
  throw ConfigError(std::move(key), std::move(origin), fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tailrec
