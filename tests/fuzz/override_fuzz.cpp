// libFuzzer target: the command-line override grammar (key=value, +key=value, ~key, group=option,
// values as YAML scalars or flow collections). Input: one override per line.
#include <string>
#include <vector>

#include "framework/config/config.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> groups = {"dataset", "split", "algorithm", "protocol", "experiment"};
  std::string_view text = tailrec::fuzz::as_text(data, size);
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string line(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    (void)tailrec::override_key(line);
    try {
      const auto o = tailrec::parse_override(line, groups);
      (void)o.value.IsDefined();
    } catch (const tailrec::Error&) {
      // A user error with a message: the expected outcome for bad input.
    }
  }
  return 0;
}
