#pragma once
// Content hashes for splits, datasets and cache keys: 64-bit FNV-1a over typed values, printed as
// 16 hex digits. Stable across platforms (explicit little-endian byte order of integers).
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace tailrec {

class Hasher {
 public:
  Hasher& bytes(const void* data, size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      state_ ^= p[i];
      state_ *= 0x100000001B3ull;
    }
    return *this;
  }
  Hasher& text(std::string_view value) {
    integer(value.size());
    return bytes(value.data(), value.size());
  }
  Hasher& integer(uint64_t value) {
    unsigned char raw[8];
    for (int i = 0; i < 8; ++i) raw[i] = static_cast<unsigned char>(value >> (8 * i));
    return bytes(raw, 8);
  }
  Hasher& real(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return integer(bits);
  }
  template <typename T>
  Hasher& integers(const std::vector<T>& values) {
    integer(values.size());
    for (const auto& v : values) integer(static_cast<uint64_t>(v));
    return *this;
  }
  Hasher& reals(const std::vector<float>& values) {
    integer(values.size());
    for (float v : values) real(v);
    return *this;
  }
  uint64_t value() const { return state_; }
  std::string hex() const { return fmt::format("{:016x}", state_); }

 private:
  uint64_t state_ = 0xCBF29CE484222325ull;
};

}  // namespace tailrec
