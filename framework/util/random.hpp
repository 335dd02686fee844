#pragma once
// A seeded random generator whose output is fully specified (SplitMix64), unlike the std::
// distributions whose results differ between standard libraries. Every random choice in tailrec
// goes through it, so a seed means the same numbers everywhere.
#include <cstdint>
#include <vector>

namespace tailrec {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  // A generator for a named sub-stream, so that e.g. user 17's split does not depend on user 16's.
  static Random derive(uint64_t seed, uint64_t stream) { return Random(mix(seed ^ mix(stream + 0x9E37))); }

  uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    return mix(state_);
  }
  // Uniform in [0, bound), by Lemire's unbiased multiply-and-reject.
  uint64_t below(uint64_t bound) {
    if (bound <= 1) return 0;
    const uint64_t threshold = (0 - bound) % bound;
    while (true) {
      const __uint128_t product = static_cast<__uint128_t>(next()) * bound;
      if (static_cast<uint64_t>(product) >= threshold) return static_cast<uint64_t>(product >> 64);
    }
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[below(i)]);
  }

  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace tailrec
