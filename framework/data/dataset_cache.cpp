#include "framework/data/dataset_cache.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <type_traits>

#include "framework/util/atomic_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"

namespace tailrec {

// File layout (native byte order, guarded by an order marker): magic "TAILRECD", format version,
// the marker 0x01020304, then name, source, user ids, item ids, the log columns, item content,
// predefined_fold and the impressions, each length-prefixed, and an end magic. Any mismatch makes
// load return nullopt.
namespace {

constexpr char kMagic[8] = {'T', 'A', 'I', 'L', 'R', 'E', 'C', 'D'};
constexpr char kEnd[8] = {'E', 'N', 'D', 'O', 'F', 'D', 'A', 'T'};
constexpr uint32_t kVersion = 2;  // 2: impressions
constexpr uint32_t kByteOrder = 0x01020304;

class Writer {
 public:
  template <typename T>
  void pod(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    raw(&value, sizeof value);
  }
  void text(const std::string& s) {
    pod<uint64_t>(s.size());
    raw(s.data(), s.size());
  }
  template <typename T>
  void array(const std::vector<T>& values) {
    pod<uint64_t>(values.size());
    raw(values.data(), values.size() * sizeof(T));
  }
  void texts(const std::vector<std::string>& values) {
    pod<uint64_t>(values.size());
    for (const auto& s : values) text(s);
  }
  void raw(const void* data, size_t size) { buffer_.append(static_cast<const char*>(data), size); }
  const std::string& buffer() const { return buffer_; }

 private:
  std::string buffer_;
};

// Bounds-checked reads; any failure sets ok = false and yields zeros/empties.
class Reader {
 public:
  explicit Reader(const std::string& data) : data_(data) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == data_.size(); }

  template <typename T>
  T pod() {
    T value{};
    raw(&value, sizeof value);
    return value;
  }
  std::string text() {
    const auto size = length(1);
    std::string s;
    if (ok_) s.assign(data_.data() + pos_, size), pos_ += size;
    return s;
  }
  template <typename T>
  std::vector<T> array() {
    const auto size = length(sizeof(T));
    std::vector<T> values;
    if (ok_) {
      values.resize(size);
      raw(values.data(), size * sizeof(T));
    }
    return values;
  }
  std::vector<std::string> texts() {
    const auto size = length(sizeof(uint64_t));  // each string takes at least its length prefix
    std::vector<std::string> values;
    if (!ok_) return values;
    values.reserve(size);
    for (uint64_t i = 0; i < size && ok_; ++i) values.push_back(text());
    return values;
  }
  void raw(void* out, size_t size) {
    if (!ok_ || size > data_.size() - pos_) {
      ok_ = false;
      return;
    }
    if (size == 0) return;  // an empty array's data() may be null, which memcpy must not get
    std::memcpy(out, data_.data() + pos_, size);
    pos_ += size;
  }

 private:
  // A count whose elements (each at least `unit` bytes) must fit in what is left.
  uint64_t length(size_t unit) {
    const auto n = pod<uint64_t>();
    if (!ok_ || (unit > 0 && n > (data_.size() - pos_) / unit)) {
      ok_ = false;
      return 0;
    }
    return n;
  }
  const std::string& data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::optional<std::string> read_all(const std::filesystem::path& file) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) return std::nullopt;
  std::string data;
  char buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, in.get())) > 0) data.append(buffer, got);
  if (std::ferror(in.get())) return std::nullopt;
  return data;
}

bool in_range(const std::vector<int32_t>& ids, int32_t size) {
  for (int32_t id : ids)
    if (id < 0 || id >= size) return false;
  return true;
}

}  // namespace

std::string dataset_cache_key(const std::string& recipe_hash, const std::vector<std::filesystem::path>& files) {
  Hasher h;
  h.text("tailrec dataset cache").integer(kVersion).text(recipe_hash).integer(files.size());
  for (const auto& file : files) {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(file, ec);
    h.text(ec ? file.string() : absolute.lexically_normal().string());
    const auto size = std::filesystem::file_size(file, ec);
    h.integer(ec ? UINT64_MAX : static_cast<uint64_t>(size));  // missing files still give a key
    const auto mtime = std::filesystem::last_write_time(file, ec);
    h.integer(ec ? UINT64_MAX : static_cast<uint64_t>(mtime.time_since_epoch().count()));
  }
  return h.hex();
}

void save_dataset_cache(const std::filesystem::path& file, const Dataset& data) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.pod(kVersion);
  w.pod(kByteOrder);
  w.text(data.name);
  w.text(data.source);
  w.texts(data.users.externals());
  w.texts(data.items.externals());
  const auto& log = data.log;
  w.array(log.users);
  w.array(log.items);
  w.array(log.ratings);
  w.array(log.timestamps);
  w.pod<uint8_t>(log.has_ratings ? 1 : 0);
  w.pod<int32_t>(data.content.num_items());
  w.pod<uint64_t>(data.content.field_names().size());
  for (const auto& name : data.content.field_names()) {
    w.text(name);
    std::vector<std::string> values(static_cast<size_t>(data.content.num_items()));
    for (int32_t i = 0; i < data.content.num_items(); ++i) values[static_cast<size_t>(i)] = data.content.value(name, i);
    w.texts(values);
  }
  w.array(data.predefined_fold);
  w.pod<uint64_t>(data.impressions.size());
  for (const auto& impression : data.impressions) {
    w.text(impression.id);
    w.pod(impression.user);
    w.pod(impression.time);
    w.array(impression.items);
    w.array(impression.clicked);
  }
  w.raw(kEnd, sizeof kEnd);

  std::error_code ec;
  if (!file.parent_path().empty()) std::filesystem::create_directories(file.parent_path(), ec);
  write_file_atomically(file, w.buffer());
}

std::optional<Dataset> load_dataset_cache(const std::filesystem::path& file) {
  const auto bytes = read_all(file);
  if (!bytes) return std::nullopt;
  Reader r(*bytes);
  char magic[sizeof kMagic];
  r.raw(magic, sizeof magic);
  if (!r.ok() || std::memcmp(magic, kMagic, sizeof kMagic) != 0) return std::nullopt;
  if (r.pod<uint32_t>() != kVersion || r.pod<uint32_t>() != kByteOrder) return std::nullopt;

  Dataset data;
  data.name = r.text();
  data.source = r.text();
  auto users = r.texts();
  auto items = r.texts();
  if (!r.ok()) return std::nullopt;
  data.users = IdMap::from_ids(users);
  data.items = IdMap::from_ids(items);
  // The stored order is IdMap order; anything else (duplicates, reordering) means corruption.
  if (data.users.externals() != users || data.items.externals() != items) return std::nullopt;

  auto& log = data.log;
  log.users = r.array<int32_t>();
  log.items = r.array<int32_t>();
  log.ratings = r.array<float>();
  log.timestamps = r.array<int64_t>();
  const auto has_ratings = r.pod<uint8_t>();
  if (!r.ok() || has_ratings > 1) return std::nullopt;
  log.has_ratings = has_ratings == 1;
  const size_t rows = log.users.size();
  if (log.items.size() != rows || log.ratings.size() != rows || (!log.timestamps.empty() && log.timestamps.size() != rows))
    return std::nullopt;
  if (!in_range(log.users, data.users.size()) || !in_range(log.items, data.items.size())) return std::nullopt;

  const auto num_items = r.pod<int32_t>();
  const auto num_fields = r.pod<uint64_t>();
  if (!r.ok() || (num_items != 0 && num_items != data.items.size()) || num_fields > 4096)
    return std::nullopt;
  data.content = ItemContent(num_items);
  for (uint64_t f = 0; f < num_fields; ++f) {
    const auto name = r.text();
    auto values = r.texts();
    if (!r.ok() || values.size() != static_cast<size_t>(num_items) || data.content.has_field(name)) return std::nullopt;
    data.content.field(name) = std::move(values);
  }
  data.predefined_fold = r.array<uint8_t>();
  if (!r.ok() || (!data.predefined_fold.empty() && data.predefined_fold.size() != rows)) return std::nullopt;
  const auto num_impressions = r.pod<uint64_t>();
  // Each impression takes at least its id's length prefix, user, time and two length prefixes.
  constexpr uint64_t kImpressionMinBytes = 8 + 4 + 8 + 8 + 8;
  if (!r.ok() || num_impressions > bytes->size() / kImpressionMinBytes) return std::nullopt;
  data.impressions.resize(static_cast<size_t>(num_impressions));
  for (auto& impression : data.impressions) {
    impression.id = r.text();
    impression.user = r.pod<int32_t>();
    impression.time = r.pod<int64_t>();
    impression.items = r.array<int32_t>();
    impression.clicked = r.array<uint8_t>();
    if (!r.ok() || impression.user < 0 || impression.user >= data.users.size() ||
        impression.items.size() != impression.clicked.size() || !in_range(impression.items, data.items.size()))
      return std::nullopt;
  }
  char end[sizeof kEnd];
  r.raw(end, sizeof end);
  if (!r.ok() || std::memcmp(end, kEnd, sizeof kEnd) != 0 || !r.at_end()) return std::nullopt;
  return data;
}

}  // namespace tailrec
