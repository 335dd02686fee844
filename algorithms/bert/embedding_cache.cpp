#include "algorithms/bert/embedding_cache.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "framework/util/atomic_file.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"

namespace tailrec {

// Layout (native byte order, guarded by the marker): magic "TAILRECE", uint32 version, uint32
// 0x01020304, uint64 key length + key, int64 rows, int64 dim, rows * dim float32, then uint64
// FNV-1a 64 of every byte before it.
namespace {

constexpr char kMagic[8] = {'T', 'A', 'I', 'L', 'R', 'E', 'C', 'E'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kByteOrder = 0x01020304;

template <typename T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool take(const std::string& data, size_t& pos, T& value) {
  if (sizeof value > data.size() - pos) return false;
  std::memcpy(&value, data.data() + pos, sizeof value);
  pos += sizeof value;
  return true;
}

uint64_t checksum(const char* data, size_t size) { return Hasher().bytes(data, size).value(); }

}  // namespace

std::string embedding_cache_key(const std::string& embedder_fingerprint, const std::string& recipe,
                                std::span<const std::string> texts) {
  Hasher h;
  h.text("tailrec item embeddings").integer(kVersion).text(embedder_fingerprint).text(recipe).integer(texts.size());
  for (const auto& t : texts) h.text(t);
  return h.hex();
}

std::filesystem::path embedding_cache_file(const std::filesystem::path& cache_dir, const std::string& key) {
  return cache_dir / "embeddings" / (key + ".bin");
}

void save_embedding_cache(const std::filesystem::path& file, const std::string& key, const Embeddings& embeddings) {
  TAILREC_CHECK(embeddings.values.size() == static_cast<size_t>(embeddings.rows * embeddings.dim),
                "an embedding matrix of {} x {} holds {} values", embeddings.rows, embeddings.dim, embeddings.values.size());
  std::string content;
  content.reserve(64 + key.size() + embeddings.values.size() * sizeof(float));
  content.append(kMagic, sizeof kMagic);
  put(content, kVersion);
  put(content, kByteOrder);
  put(content, static_cast<uint64_t>(key.size()));
  content.append(key);
  put(content, embeddings.rows);
  put(content, embeddings.dim);
  content.append(reinterpret_cast<const char*>(embeddings.values.data()), embeddings.values.size() * sizeof(float));
  put(content, checksum(content.data(), content.size()));

  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) fail("cannot create the embedding cache folder {}: {}", file.parent_path().string(), ec.message());
  // AtomicFile names its temporary uniquely, so two runs filling the same cache never share one.
  write_file_atomically(file, content);
}

EmbeddingCacheRead load_embedding_cache(const std::filesystem::path& file, const std::string& key) {
  EmbeddingCacheRead result;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) {
    if (errno != ENOENT) result.problem = fmt::format("cannot be read ({})", std::strerror(errno));
    return result;
  }
  std::string data;
  char buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) data.append(buffer, got);
  if (std::ferror(in.get())) {
    result.problem = "cannot be read (I/O error)";
    return result;
  }

  size_t pos = 0;
  char magic[sizeof kMagic];
  uint32_t version = 0, order = 0;
  uint64_t key_size = 0;
  if (data.size() < sizeof magic || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) {
    result.problem = "is not an embedding cache file (bad magic)";
    return result;
  }
  pos = sizeof magic;
  if (!take(data, pos, version) || !take(data, pos, order) || !take(data, pos, key_size)) {
    result.problem = "is truncated (header)";
    return result;
  }
  if (version != kVersion || order != kByteOrder) {
    result.problem = fmt::format("has format version {} / byte order {:#x}, expected {} / {:#x}", version, order,
                                 kVersion, kByteOrder);
    return result;
  }
  if (key_size > data.size() - pos) {
    result.problem = "is truncated (key)";
    return result;
  }
  const std::string stored_key = data.substr(pos, key_size);
  pos += key_size;
  if (stored_key != key) {
    result.problem = fmt::format("holds key {}, expected {}", stored_key, key);
    return result;
  }
  int64_t rows = 0, dim = 0;
  if (!take(data, pos, rows) || !take(data, pos, dim) || rows < 0 || dim < 0) {
    result.problem = "is truncated or damaged (shape)";
    return result;
  }
  const auto value_bytes = static_cast<unsigned __int128>(rows) * static_cast<uint64_t>(dim) * sizeof(float);
  if (value_bytes + sizeof(uint64_t) != data.size() - pos) {
    result.problem = fmt::format("has {} bytes after its header, {} x {} float32 values and a checksum need {}",
                                 data.size() - pos, rows, dim, static_cast<uint64_t>(value_bytes) + sizeof(uint64_t));
    return result;
  }
  const size_t payload_end = data.size() - sizeof(uint64_t);
  uint64_t stored_sum = 0;
  std::memcpy(&stored_sum, data.data() + payload_end, sizeof stored_sum);
  if (stored_sum != checksum(data.data(), payload_end)) {
    result.problem = "fails its checksum (damaged)";
    return result;
  }
  Embeddings e;
  e.rows = rows;
  e.dim = dim;
  e.values.resize(static_cast<size_t>(rows * dim));
  if (!e.values.empty()) std::memcpy(e.values.data(), data.data() + pos, e.values.size() * sizeof(float));
  result.embeddings = std::move(e);
  return result;
}

}  // namespace tailrec
