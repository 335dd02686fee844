#pragma once
// The data model: external ids mapped to dense indices, interaction logs (COO) and the CSR matrix
// algorithms train on. Dense indices follow ascending external id (numeric order when every id is
// an integer, else byte order), so any independent implementation numbers items the same way.
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tailrec {

class IdMap {
 public:
  IdMap() = default;
  // Builds the map from distinct external ids (any order); duplicates are ignored.
  static IdMap from_ids(std::vector<std::string> ids);

  int32_t size() const { return static_cast<int32_t>(external_.size()); }
  bool numeric() const { return numeric_; }
  const std::string& external(int32_t dense) const { return external_[static_cast<size_t>(dense)]; }
  const std::vector<std::string>& externals() const { return external_; }
  // Dense index of an external id, or -1 when unknown.
  int32_t find(std::string_view external) const;

 private:
  std::vector<std::string> external_;
  std::unordered_map<std::string, int32_t> index_;
  bool numeric_ = false;
};

inline constexpr int64_t kNoTimestamp = INT64_MIN;

// One row per interaction, dense ids. Ratings are 1 for implicit data; timestamps may be absent.
struct InteractionLog {
  std::vector<int32_t> users;
  std::vector<int32_t> items;
  std::vector<float> ratings;
  std::vector<int64_t> timestamps;  // empty when the source has none
  bool has_ratings = false;

  size_t size() const { return users.size(); }
  bool has_timestamps() const { return !timestamps.empty(); }
  void reserve(size_t n);
  // Pass kNoTimestamp for sources without time; a log has a timestamp on every row or on none.
  void push(int32_t user, int32_t item, float rating, int64_t timestamp = kNoTimestamp);
  void append(const InteractionLog& other, size_t row);
  // Rows in (user, item, timestamp) order, so hashes and CSR do not depend on file order.
  void sort();
  std::string hash() const;
};

// Users x items, compressed sparse rows, items sorted within each row.
class Interactions {
 public:
  Interactions() = default;
  // Duplicated (user, item) pairs must have been resolved before (see preprocess).
  Interactions(const InteractionLog& log, int32_t num_users, int32_t num_items);

  int32_t num_users() const { return num_users_; }
  int32_t num_items() const { return num_items_; }
  int64_t nnz() const { return static_cast<int64_t>(items_.size()); }
  bool has_timestamps() const { return !timestamps_.empty(); }

  std::span<const int32_t> items_of(int32_t user) const { return row(items_, user); }
  std::span<const float> values_of(int32_t user) const { return row(values_, user); }
  std::span<const int64_t> timestamps_of(int32_t user) const { return row(timestamps_, user); }
  int64_t row_begin(int32_t user) const { return indptr_[static_cast<size_t>(user)]; }
  int32_t row_size(int32_t user) const {
    return static_cast<int32_t>(indptr_[static_cast<size_t>(user) + 1] - indptr_[static_cast<size_t>(user)]);
  }
  bool contains(int32_t user, int32_t item) const;

  const std::vector<int64_t>& indptr() const { return indptr_; }
  const std::vector<int32_t>& indices() const { return items_; }
  const std::vector<float>& values() const { return values_; }

  // Number of distinct users per item (phi in docs/metrics.md).
  std::vector<int32_t> item_user_counts() const;
  // Users with at least one interaction.
  int32_t active_users() const;
  InteractionLog to_log() const;

 private:
  template <typename T>
  std::span<const T> row(const std::vector<T>& data, int32_t user) const {
    const auto b = static_cast<size_t>(indptr_[static_cast<size_t>(user)]);
    const auto e = static_cast<size_t>(indptr_[static_cast<size_t>(user) + 1]);
    return std::span<const T>(data.data() + b, e - b);
  }
  int32_t num_users_ = 0;
  int32_t num_items_ = 0;
  std::vector<int64_t> indptr_{0};
  std::vector<int32_t> items_;
  std::vector<float> values_;
  std::vector<int64_t> timestamps_;
};

// Item side data: named text fields (title, genres, tags, abstract, ...) per dense item index.
class ItemContent {
 public:
  ItemContent() = default;
  explicit ItemContent(int32_t num_items) : num_items_(num_items) {}

  int32_t num_items() const { return num_items_; }
  const std::vector<std::string>& field_names() const { return names_; }
  bool has_field(std::string_view name) const;
  // Adds (or returns) a field; values default to "".
  std::vector<std::string>& field(std::string_view name);
  const std::string& value(std::string_view field, int32_t item) const;
  // All non-empty fields joined with ". ", in field order (the default item text).
  std::string text(int32_t item) const;
  bool empty() const { return names_.empty(); }

 private:
  int32_t num_items_ = 0;
  std::vector<std::string> names_;
  std::deque<std::vector<std::string>> values_;  // a deque: field() references stay valid
};

// One impression of a news-style log (MIND): the items shown to a user at once and which of them
// were clicked. Evaluation protocols rank an impression's items (see protocol `impressions`).
struct Impression {
  std::string id;                // the source's impression id
  int32_t user = 0;
  int64_t time = kNoTimestamp;   // seconds since the epoch
  std::vector<int32_t> items;    // as shown, distinct
  std::vector<uint8_t> clicked;  // per item: 1 = clicked
};

// A loaded dataset: the id maps, every interaction, and item side data.
struct Dataset {
  std::string name;
  IdMap users;
  IdMap items;
  InteractionLog log;
  ItemContent content;
  std::string source;  // human-readable origin (paths), for logs and results
  // Fixed splits: per log row, the index of the file it came from (0 = train, 1 = test); else empty.
  std::vector<uint8_t> predefined_fold;
  // Impressions to evaluate on (MIND's dev impressions); empty for datasets without them.
  // Preprocessing keeps every user and item they name.
  std::vector<Impression> impressions;
};

}  // namespace tailrec
