#pragma once
// Helpers for the datasets tests: build a registered loader from inline YAML, locate fixtures, and
// capture the message of an expected tailrec::Error.
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "datasets/register_datasets.hpp"
#include "framework/config/params.hpp"
#include "framework/util/error.hpp"
#include "unit/datasets/movielens_fixtures.hpp"

namespace tailrec::test {

inline const Registries& dataset_registries() {
  static const Registries* registries = [] {
    auto* r = new Registries();
    register_datasets(*r);
    return r;
  }();
  return *registries;
}

inline std::unique_ptr<DatasetSource> make_source(const std::string& loader, const std::string& yaml) {
  const auto& entry = dataset_registries().datasets.at(loader);
  return entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "dataset"));
}

// A committed fixture under tests/data/datasets, except the MovieLens-format folders (ml100k,
// ml100k_bad, ml1m), which are written at test time (movielens_fixtures.hpp).
inline std::string fixture(const std::string& relative) {
  for (const char* generated : {"ml100k", "ml1m"})
    if (relative.rfind(generated, 0) == 0) return (movielens_fixture_root() / relative).string();
  return std::string(TAILREC_TEST_DATA) + "/datasets/" + relative;
}

// The message of the tailrec::Error that `f` throws, or "<no error>".
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace tailrec::test
