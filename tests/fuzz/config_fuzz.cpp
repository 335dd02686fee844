// libFuzzer target: config composition (defaults list, group options, experiment files, overrides,
// ${...} interpolation, then the unread-key check). Input: parts separated by lines holding only "%%":
// config.yaml, dataset/a.yaml, experiment/default.yaml, then one command-line override per line.
// Groups `dataset` (options a, b) and `experiment` exist; dataset/b.yaml is fixed.
#include <string>
#include <vector>

#include "framework/config/config.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = tailrec::fuzz::split_parts(tailrec::fuzz::as_text(data, size), 4);
  const auto dir = tailrec::fuzz::scratch_dir() / "configs";
  tailrec::fuzz::put_file(dir / "config.yaml", parts[0], true);
  tailrec::fuzz::put_file(dir / "dataset" / "a.yaml", parts.size() > 1 ? parts[1] : "", parts.size() > 1);
  tailrec::fuzz::put_file(dir / "dataset" / "b.yaml", "loader: b\nparams: {x: 1}\n", true);
  tailrec::fuzz::put_file(dir / "experiment" / "default.yaml", parts.size() > 2 ? parts[2] : "", parts.size() > 2);
  tailrec::ComposeOptions options;
  options.search_path = {dir};
  if (parts.size() > 3) {
    std::string_view rest = parts[3];
    while (!rest.empty()) {
      const auto end = rest.find('\n');
      options.overrides.emplace_back(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    }
  }
  try {
    const auto config = tailrec::compose(options);
    (void)config.to_yaml();
    (void)config.root().get_string("name", "");
    config.check_all_read();
  } catch (const tailrec::Error&) {
    // A user error with a message: the expected outcome for bad input.
  }
  return 0;
}
