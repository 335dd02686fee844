// libFuzzer target: the fixed_negatives protocol's file ("(user,item)" then tab-separated negative
// item ids per line), read through the protocol registry against a small fixed dataset
// (users 1-4, items 10-15). Input: the whole file. Checks each case: the held-out item is relevant
// and a candidate, candidates sorted and distinct.
#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "framework/config/registries.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

struct Fixture {
  tailrec::Dataset data;
  tailrec::Interactions train, test;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.data.name = "fuzz";
    out.data.users = tailrec::IdMap::from_ids({"1", "2", "3", "4"});
    out.data.items = tailrec::IdMap::from_ids({"10", "11", "12", "13", "14", "15"});
    tailrec::InteractionLog train, test;
    for (int32_t u = 0; u < 4; ++u) {
      train.push(u, u, 1.0f);
      test.push(u, u + 1, 1.0f);
    }
    out.train = tailrec::Interactions(train, 4, 6);
    out.test = tailrec::Interactions(test, 4, 6);
    return out;
  }();
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tailrec::Registries& registries = *[] {
    auto* out = new tailrec::Registries();  // built in place (not copyable); kept for the process
    tailrec::register_protocols(*out);
    return out;
  }();
  const auto path = tailrec::fuzz::scratch_dir() / "negatives.txt";
  tailrec::fuzz::write_file(path, tailrec::fuzz::as_text(data, size));
  try {
    YAML::Node values;
    values["file"] = path.string();
    const auto& entry = registries.protocols.at("fixed_negatives");
    const auto protocol = entry.create(tailrec::Params::from_yaml(entry.params, values, "fuzz"));
    const auto& f = fixture();
    const tailrec::ProtocolInput input{f.data, f.train, f.test, std::nullopt, 1};
    for (const auto& c : protocol->ranking()->cases(input)) {
      if (c.relevant.size() != 1 || !std::binary_search(c.candidates.begin(), c.candidates.end(), c.relevant[0]))
        __builtin_trap();
      if (std::adjacent_find(c.candidates.begin(), c.candidates.end(), std::greater_equal<>()) != c.candidates.end())
        __builtin_trap();
    }
    (void)protocol->describe().dump();
  } catch (const tailrec::Error&) {
    // A user error with a message: the expected outcome for bad input.
  }
  return 0;
}
