// libFuzzer target: the delimited reader (CSV/TSV/"::"/"|", RFC 4180 quotes) with the typed field
// reads every loader uses, and the `delimited` loader itself.
// Input: one mode byte, then the file. Mode bits 0-2 pick the separator, bit 3 turns quoting off;
// bit 6 loads the file through the `delimited` loader instead (bit 5: with a header line).
#include <cmath>

#include <yaml-cpp/yaml.h>

#include "datasets/delimited_reader.hpp"
#include "datasets/field_parsing.hpp"
#include "datasets/sources.hpp"
#include "framework/config/registries.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

const char* const kSeparators[] = {",", "\t", "::", "|", ";", ",", "\t", "ab"};

void read_all(std::string text, const tailrec::DelimitedFormat& format) {
  tailrec::DelimitedReader reader(std::move(text), "fuzz.csv", format);
  size_t last_line = 0;
  while (reader.next()) {
    if (reader.line() <= last_line) __builtin_trap();  // lines must advance
    last_line = reader.line();
    for (size_t c = 0; c < reader.size(); ++c) {
      (void)reader[c].size();
      try {
        (void)tailrec::read_id(reader, c, "id");
      } catch (const tailrec::Error&) {
      }
      try {
        // The contract is "a finite rating": a value that overflows float must be an error, not inf.
        if (!std::isfinite(tailrec::read_rating(reader, c))) __builtin_trap();
      } catch (const tailrec::Error&) {
      }
      try {
        (void)tailrec::read_timestamp(reader, c);
      } catch (const tailrec::Error&) {
      }
    }
    try {
      reader.expect_columns(4);
    } catch (const tailrec::Error&) {
    }
  }
}

void load(std::string_view text, const char* separator, bool header) {
  static const tailrec::Registries& registries = *[] {
    auto* r = new tailrec::Registries();  // built in place (not copyable); kept for the process
    tailrec::register_delimited(*r);
    return r;
  }();
  const auto path = tailrec::fuzz::scratch_dir() / "delimited.csv";
  tailrec::fuzz::write_file(path, text);
  YAML::Node values;
  values["path"] = path.string();
  values["sep"] = separator;
  values["header"] = header;
  if (header) {
    values["columns"]["user"] = "user";
    values["columns"]["item"] = "item";
    values["columns"]["rating"] = "rating";
    values["columns"]["timestamp"] = "timestamp";
  } else {
    values["columns"]["user"] = 0;
    values["columns"]["item"] = 1;
    values["columns"]["rating"] = 2;
    values["columns"]["timestamp"] = 3;
  }
  const auto& entry = registries.datasets.at("delimited");
  auto source = entry.create(tailrec::Params::from_yaml(entry.params, values, "fuzz"));
  (void)source->load();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const auto text = tailrec::fuzz::as_text(data + 1, size - 1);
  const char* separator = kSeparators[mode & 7];
  try {
    if (mode & 0x40) {
      load(text, separator, (mode & 0x20) != 0);
    } else {
      read_all(std::string(text), {separator, (mode & 8) == 0});
    }
  } catch (const tailrec::Error&) {
    // A user error with a message: the expected outcome for bad input.
  }
  return 0;
}
