#pragma once
// Collects interaction rows with external ids while a loader parses, then numbers users and items
// densely in IdMap order (numeric ascending, else byte order). Ids are interned on first sight
// (integers through a direct table, others through a hash map) so 20M-row files load in seconds.
#include <cstdint>
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
  void add(std::string_view user, std::string_view item, float rating, int64_t timestamp = kNoTimestamp);
  size_t size() const { return log_.size(); }
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
};

}  // namespace tailrec
