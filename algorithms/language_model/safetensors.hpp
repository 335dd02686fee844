#pragma once
// A strict reader of the safetensors format (8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then the data section). Everything is
// validated before any tensor is used: header length within the file, valid JSON, known dtypes,
// shape x dtype size == byte length, offsets inside the data section, no overlaps. A corrupt or
// hostile file is rejected with an Error that names the file and the problem. The file is memory-
// mapped read-only; tensors are views into it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tailrec {

struct SafetensorsTensor {
  std::string name;
  std::string dtype;            // "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0;           // byte offsets within the data section
  uint64_t end = 0;
  int64_t numel() const;
};

// Bytes per element of a safetensors dtype name, or 0 when the name is unknown.
size_t safetensors_dtype_size(std::string_view dtype);

class SafetensorsFile {
 public:
  static SafetensorsFile open(const std::filesystem::path& path);
  SafetensorsFile(SafetensorsFile&&) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  const std::filesystem::path& path() const { return path_; }
  // Sorted by name.
  const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
  // nullptr when absent.
  const SafetensorsTensor* find(std::string_view name) const;
  std::span<const std::byte> data(const SafetensorsTensor& tensor) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile() = default;
  std::filesystem::path path_;
  std::vector<SafetensorsTensor> tensors_;
  std::map<std::string, std::string> metadata_;
  const std::byte* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  const std::byte* data_begin_ = nullptr;
};

}  // namespace tailrec
