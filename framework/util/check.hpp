#pragma once
// Internal invariants. A broken one is a bug in tailrec, not a mistake in the user's input: it
// throws InternalError (a std::logic_error, never a tailrec::Error), which main reports as a bug
// and exits with status 2; user errors (tailrec::Error) exit with 1.
//
//   TAILREC_CHECK(rows == expected, "table {} has {} cells for {} columns", name, rows, expected);
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace tailrec {

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

[[noreturn]] inline void internal_failure(const char* file, int line, const char* condition, const std::string& message) {
  throw InternalError(fmt::format("a bug in tailrec (please report it) at {}:{}: {}{}{}", file, line,
                                  message, message.empty() ? "" : "; ", fmt::format("failed check: {}", condition)));
}

}  // namespace tailrec

#define TAILREC_CHECK(condition, ...)                                                                 \
  do {                                                                                                \
    if (!(condition)) ::tailrec::internal_failure(__FILE__, __LINE__, #condition, fmt::format(__VA_ARGS__)); \
  } while (false)

// A place the code can never reach (the end of a lookup that the schema guarantees succeeds).
#define TAILREC_UNREACHABLE(...) ::tailrec::internal_failure(__FILE__, __LINE__, "unreachable", fmt::format(__VA_ARGS__))
