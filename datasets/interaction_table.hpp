#pragma once
// Collects interaction rows with external ids while a loader parses, then numbers users and items
// densely in IdMap order (numeric ascending, else byte order). Ids are interned on first sight
// (integers through a direct table, others through a hash map) so 20M-row files load in seconds.
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "framework/data/interactions.hpp"

namespace tailrec {

// External id -> provisional index in order of first appearance.
class IdCollector {
 public:
  int32_t add(std::string_view id);
  size_t size() const { return count_; }
  // External ids by provisional index.
  std::vector<std::string> ids() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  int32_t next_index();
  size_t count_ = 0;
  std::vector<int32_t> small_;  // plain integer id -> index + 1 (0 = unseen), for ids < kSmallLimit
  std::unordered_map<int64_t, int32_t> large_;
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> text_;
  std::vector<int64_t> numbers_;     // by index: the integer, or -1 when the id is text
  std::vector<std::string> texts_;   // by index: the text when not a plain integer
};

class InteractionTable {
 public:
  InteractionTable(bool has_ratings, bool has_timestamps);
  void reserve(size_t rows);
  // `line`: where the row is in its file (1-based; 0 when unknown), for errors about the row.
  void add(std::string_view user, std::string_view item, float rating, int64_t timestamp = kNoTimestamp,
           size_t line = 0);
  size_t size() const { return log_.size(); }
  // The first row at or after `boundary` whose (user, item) pair a row before `boundary` has, as
  // {earlier row, later row}; nullopt when none (the fixed split's train/test overlap check).
  std::optional<std::pair<size_t, size_t>> pair_repeated_across(size_t boundary) const;
  size_t line(size_t row) const { return row < lines_.size() ? lines_[row] : 0; }
  // Keep each row's line from now on (off by default: 8 bytes a row on a 30M-row file).
  void keep_lines() { keep_lines_ = true; }
  std::string user_id(size_t row) const { return users_.ids()[static_cast<size_t>(log_.users[row])]; }
  std::string item_id(size_t row) const { return items_.ids()[static_cast<size_t>(log_.items[row])]; }
  bool has_timestamps() const { return has_timestamps_; }

  struct Result {
    IdMap users;
    IdMap items;
    InteractionLog log;  // rows in the order they were added
  };
  // Numbers the ids and rewrites the rows to dense indices; the table is empty afterwards.
  Result finish();

 private:
  bool has_timestamps_;
  IdCollector users_;
  IdCollector items_;
  InteractionLog log_;  // provisional indices until finish()
  bool keep_lines_ = false;
  std::vector<size_t> lines_;
};

}  // namespace tailrec
