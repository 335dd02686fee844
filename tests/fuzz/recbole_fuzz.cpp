// libFuzzer target: the `recbole` loader (RecBole atomic files with typed headers).
// Input: <name>.inter, then optionally a line holding only "%%" and <name>.item.
#include <yaml-cpp/yaml.h>

#include "datasets/sources.hpp"
#include "framework/config/registries.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tailrec::Registries& registries = *[] {
    auto* out = new tailrec::Registries();  // built in place (not copyable); kept for the process
    tailrec::register_recbole(*out);
    return out;
  }();
  const auto parts = tailrec::fuzz::split_parts(tailrec::fuzz::as_text(data, size), 2);
  const auto dir = tailrec::fuzz::scratch_dir() / "recbole";
  tailrec::fuzz::put_file(dir / "toy.inter", parts[0], true);
  tailrec::fuzz::put_file(dir / "toy.item", parts.size() > 1 ? parts[1] : "", parts.size() > 1);
  try {
    YAML::Node values;
    values["data_dir"] = dir.string();
    values["name"] = "toy";
    const auto& entry = registries.datasets.at("recbole");
    auto source = entry.create(tailrec::Params::from_yaml(entry.params, values, "fuzz"));
    (void)source->load();
  } catch (const tailrec::Error&) {
    // A user error with a message: the expected outcome for bad input.
  }
  return 0;
}
