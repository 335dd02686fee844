// libFuzzer target: the MovieLens loaders (movielens_100k, movielens_1m, movielens_csv), each with
// its side files. Input: one mode byte (mode % 3 picks the format), then up to four files separated
// by lines holding only "%%": 100K: u.data, u.item, u.genre; 1M: ratings.dat, movies.dat;
// CSV: ratings.csv, movies.csv, tags.csv, abstracts.json (then given as the `abstracts` parameter).
// A missing part means a missing side file.
#include <yaml-cpp/yaml.h>

#include "datasets/sources.hpp"
#include "framework/config/registries.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

struct Format {
  const char* loader;
  const char* folder;
  const char* files[4];
};
const Format kFormats[] = {
    {"movielens_100k", "ml100k", {"u.data", "u.item", "u.genre", nullptr}},
    {"movielens_1m", "ml1m", {"ratings.dat", "movies.dat", nullptr, nullptr}},
    {"movielens_csv", "mlcsv", {"ratings.csv", "movies.csv", "tags.csv", "abstracts.json"}},
};

const tailrec::Registries& registries() {
  static const tailrec::Registries& r = *[] {
    auto* out = new tailrec::Registries();  // built in place (not copyable); kept for the process
    tailrec::register_movielens_100k(*out);
    tailrec::register_movielens_1m(*out);
    tailrec::register_movielens_csv(*out);
    return out;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Format& format = kFormats[data[0] % 3];
  const auto parts = tailrec::fuzz::split_parts(tailrec::fuzz::as_text(data + 1, size - 1), 4);
  const auto dir = tailrec::fuzz::scratch_dir() / format.folder;
  for (size_t f = 0; f < 4; ++f)
    if (format.files[f]) tailrec::fuzz::put_file(dir / format.files[f], f < parts.size() ? parts[f] : "", f < parts.size());
  try {
    YAML::Node values;
    values["data_dir"] = dir.string();
    if (format.files[3] && parts.size() > 3) values["abstracts"] = format.files[3];
    const auto& entry = registries().datasets.at(format.loader);
    auto source = entry.create(tailrec::Params::from_yaml(entry.params, values, "fuzz"));
    (void)source->load();
  } catch (const tailrec::Error&) {
    // A user error with a message: the expected outcome for bad input.
  }
  return 0;
}
