// Strict safetensors reader (see safetensors.hpp). Every check happens in open(), before any tensor
// is handed out, so a corrupt or hostile file fails with a message and never reads out of bounds.
#include "algorithms/language_model/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

#include "framework/util/error.hpp"

namespace tailrec {

namespace {

// Far above any real header (bert-large's is ~40 KB) and small enough that parsing it is harmless.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Unmaps on scope exit unless released (open() keeps the mapping only when every check passed).
struct Mapping {
  void* address = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (address != MAP_FAILED) ::munmap(address, size);
  }
};

SafetensorsTensor parse_entry(const std::filesystem::path& path, const std::string& name, const nlohmann::json& entry,
                              uint64_t data_size) {
  const auto where = [&] { return fmt::format("safetensors file {}: tensor \"{}\"", path.string(), name); };
  if (!entry.is_object()) fail("{}: the header entry is not a JSON object", where());
  for (const auto& [key, value] : entry.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      fail("{}: unknown key \"{}\" (expected dtype, shape, data_offsets)", where(), key);

  SafetensorsTensor tensor;
  tensor.name = name;
  const auto dtype = entry.find("dtype");
  if (dtype == entry.end() || !dtype->is_string()) fail("{}: missing or non-string \"dtype\"", where());
  tensor.dtype = dtype->get<std::string>();
  const size_t element_size = safetensors_dtype_size(tensor.dtype);
  if (element_size == 0)
    fail(
        "{}: unknown dtype \"{}\" (known: BOOL, U8, I8, F8_E4M3, F8_E5M2, I16, U16, F16, BF16, I32, U32, F32, "
        "F64, I64, U64)",
        where(), tensor.dtype);

  const auto shape = entry.find("shape");
  if (shape == entry.end() || !shape->is_array()) fail("{}: missing or non-array \"shape\"", where());
  uint64_t numel = 1;
  for (const auto& dim : *shape) {
    // (Never dump() hostile values into a message: a deeply nested one would recurse.)
    if (!dim.is_number_integer() ||
        (dim.is_number_unsigned() ? dim.get<uint64_t>() > uint64_t(INT64_MAX) : dim.get<int64_t>() < 0))
      fail("{}: shape entry {} is a {}, not a non-negative integer", where(), tensor.shape.size(),
           dim.is_number() ? "negative number or fraction" : dim.type_name());
    const auto extent = dim.get<uint64_t>();
    tensor.shape.push_back(static_cast<int64_t>(extent));
    if (__builtin_mul_overflow(numel, extent, &numel) || numel > uint64_t(INT64_MAX))
      fail("{}: shape {}... has more elements than fit in 64 bits", where(), shape_text(tensor.shape));
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(numel, uint64_t(element_size), &bytes))
    fail("{}: shape {} x {} bytes overflows 64 bits", where(), shape_text(tensor.shape), element_size);

  const auto offsets = entry.find("data_offsets");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    fail("{}: \"data_offsets\" must be [begin, end] with non-negative integers", where());
  tensor.begin = (*offsets)[0].get<uint64_t>();
  tensor.end = (*offsets)[1].get<uint64_t>();
  if (tensor.begin > tensor.end) fail("{}: data_offsets [{}, {}] has begin > end", where(), tensor.begin, tensor.end);
  if (tensor.end > data_size)
    fail("{}: data_offsets [{}, {}] reach past the data section ({} bytes); the file is truncated or corrupt", where(),
         tensor.begin, tensor.end, data_size);
  if (tensor.end - tensor.begin != bytes)
    fail("{}: data_offsets [{}, {}] hold {} bytes, but shape {} of {} needs {} bytes", where(), tensor.begin,
         tensor.end, tensor.end - tensor.begin, shape_text(tensor.shape), tensor.dtype, bytes);
  return tensor;
}

}  // namespace

int64_t SafetensorsTensor::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;  // cannot overflow: checked in open()
  return n;
}

size_t safetensors_dtype_size(std::string_view dtype) {
  if (dtype == "BOOL" || dtype == "U8" || dtype == "I8" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  if (dtype == "I16" || dtype == "U16" || dtype == "F16" || dtype == "BF16") return 2;
  if (dtype == "I32" || dtype == "U32" || dtype == "F32") return 4;
  if (dtype == "I64" || dtype == "U64" || dtype == "F64") return 8;
  return 0;
}

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  const auto where = "safetensors file " + path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("{}: cannot open: {}", where, std::strerror(errno));
  struct stat info {};
  const int stat_result = ::fstat(fd, &info);
  const int stat_errno = errno;
  if (stat_result != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    if (stat_result != 0) fail("{}: cannot stat: {}", where, std::strerror(stat_errno));
    fail("{}: not a regular file", where);
  }
  const auto file_size = static_cast<uint64_t>(info.st_size);
  if (file_size < 8) {
    ::close(fd);
    fail("{}: {} bytes, too short for the 8-byte header length; the file is truncated", where, file_size);
  }
  Mapping mapping;
  mapping.size = static_cast<size_t>(file_size);
  mapping.address = ::mmap(nullptr, mapping.size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);  // the mapping stays valid without the descriptor
  if (mapping.address == MAP_FAILED) fail("{}: cannot map into memory: {}", where, std::strerror(map_errno));
  const auto* bytes = static_cast<const unsigned char*>(mapping.address);

  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | bytes[i];  // little-endian
  if (header_size > file_size - 8)
    fail(
        "{}: the header length field says {} bytes, but only {} bytes follow it; the file is truncated or not "
        "safetensors",
        where, header_size, file_size - 8);
  if (header_size > kMaxHeaderBytes)
    fail("{}: the header is {} bytes (limit {}); the file is corrupt or not safetensors", where, header_size,
         kMaxHeaderBytes);
  const auto* header_begin = reinterpret_cast<const char*>(bytes + 8);
  const auto header = nlohmann::json::parse(header_begin, header_begin + header_size, nullptr, false);
  if (header.is_discarded() || !header.is_object())
    fail("{}: the {}-byte header is not a JSON object; the file is corrupt or not safetensors", where, header_size);
  const uint64_t data_size = file_size - 8 - header_size;

  SafetensorsFile file;
  file.path_ = path;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail("{}: \"__metadata__\" is not a JSON object", where);
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) fail("{}: \"__metadata__\" value of \"{}\" is not a string", where, key);
        file.metadata_.emplace(key, value.get<std::string>());
      }
      continue;
    }
    file.tensors_.push_back(parse_entry(path, name, entry, data_size));
  }

  // Overlaps: sorted by begin, each tensor must end before the next non-empty one starts.
  std::vector<const SafetensorsTensor*> by_offset;
  for (const auto& t : file.tensors_)
    if (t.end > t.begin) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(), [](const auto* a, const auto* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i)
    if (by_offset[i]->begin < by_offset[i - 1]->end)
      fail("{}: tensors \"{}\" [{}, {}] and \"{}\" [{}, {}] overlap; the file is corrupt", where,
           by_offset[i - 1]->name, by_offset[i - 1]->begin, by_offset[i - 1]->end, by_offset[i]->name,
           by_offset[i]->begin, by_offset[i]->end);
  std::sort(file.tensors_.begin(), file.tensors_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });

  file.mapping_ = static_cast<const std::byte*>(mapping.address);
  file.mapping_size_ = mapping.size;
  file.data_begin_ = file.mapping_ + 8 + header_size;
  mapping.address = MAP_FAILED;  // owned by `file` now
  return file;
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)),
      tensors_(std::move(other.tensors_)),
      metadata_(std::move(other.metadata_)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_size_(std::exchange(other.mapping_size_, 0)),
      data_begin_(std::exchange(other.data_begin_, nullptr)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
  if (this != &other) {
    if (mapping_) ::munmap(const_cast<std::byte*>(mapping_), mapping_size_);
    path_ = std::move(other.path_);
    tensors_ = std::move(other.tensors_);
    metadata_ = std::move(other.metadata_);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_size_ = std::exchange(other.mapping_size_, 0);
    data_begin_ = std::exchange(other.data_begin_, nullptr);
  }
  return *this;
}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_) ::munmap(const_cast<std::byte*>(mapping_), mapping_size_);
}

const SafetensorsTensor* SafetensorsFile::find(std::string_view name) const {
  const auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                                   [](const SafetensorsTensor& t, std::string_view n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

std::span<const std::byte> SafetensorsFile::data(const SafetensorsTensor& tensor) const {
  return {data_begin_ + tensor.begin, static_cast<size_t>(tensor.end - tensor.begin)};
}

}  // namespace tailrec
