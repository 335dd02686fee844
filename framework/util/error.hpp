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

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tailrec
