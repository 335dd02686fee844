#include "framework/config/runtime.hpp"

namespace tailrec {

namespace {
RuntimeFacts& facts() {
  static RuntimeFacts instance;
  return instance;
}
}  // namespace

const RuntimeFacts& runtime_facts() { return facts(); }

void set_runtime_facts(RuntimeFacts value) { facts() = std::move(value); }

}  // namespace tailrec
