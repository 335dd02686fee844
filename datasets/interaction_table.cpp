#include "datasets/interaction_table.hpp"

#include <charconv>
#include <unordered_map>

#include "framework/util/error.hpp"

namespace tailrec {

namespace {

constexpr int64_t kSmallLimit = 1 << 22;  // direct table up to 4M ids (16 MB at most)

// A canonical non-negative integer ("0", "17", not "007", "+1" or "1.0"), so that its text can be
// rebuilt from the number exactly.
bool plain_integer(std::string_view id, int64_t& value) {
  if (id.empty() || id.size() > 18) return false;
  if (id.size() > 1 && id[0] == '0') return false;
  const auto* end = id.data() + id.size();
  const auto result = std::from_chars(id.data(), end, value);
  return result.ec == std::errc() && result.ptr == end && value >= 0;
}

}  // namespace

int32_t IdCollector::next_index() {
  if (count_ >= static_cast<size_t>(INT32_MAX)) fail("more than {} distinct ids; not supported", INT32_MAX);
  return static_cast<int32_t>(count_++);
}

int32_t IdCollector::add(std::string_view id) {
  int64_t number = 0;
  if (plain_integer(id, number)) {
    if (number < kSmallLimit) {
      const auto slot = static_cast<size_t>(number);
      if (slot >= small_.size()) small_.resize(std::max(slot + 1, small_.size() * 2), 0);
      if (small_[slot]) return small_[slot] - 1;
      const int32_t index = next_index();
      small_[slot] = index + 1;
      numbers_.push_back(number);
      texts_.emplace_back();
      return index;
    }
    if (auto it = large_.find(number); it != large_.end()) return it->second;
    const int32_t index = next_index();
    large_.emplace(number, index);
    numbers_.push_back(number);
    texts_.emplace_back();
    return index;
  }
  if (auto it = text_.find(id); it != text_.end()) return it->second;
  const int32_t index = next_index();
  text_.emplace(std::string(id), index);
  numbers_.push_back(-1);
  texts_.emplace_back(id);
  return index;
}

std::vector<std::string> IdCollector::ids() const {
  std::vector<std::string> out(count_);
  for (size_t i = 0; i < count_; ++i) out[i] = numbers_[i] >= 0 ? std::to_string(numbers_[i]) : texts_[i];
  return out;
}

InteractionTable::InteractionTable(bool has_ratings, bool has_timestamps) : has_timestamps_(has_timestamps) {
  log_.has_ratings = has_ratings;
}

void InteractionTable::reserve(size_t rows) {
  log_.reserve(rows);
  if (has_timestamps_) log_.timestamps.reserve(rows);
}

void InteractionTable::add(std::string_view user, std::string_view item, float rating, int64_t timestamp,
                           size_t line) {
  if (keep_lines_) lines_.push_back(line);
  log_.users.push_back(users_.add(user));
  log_.items.push_back(items_.add(item));
  log_.ratings.push_back(rating);
  if (has_timestamps_) log_.timestamps.push_back(timestamp);
}

std::optional<std::pair<size_t, size_t>> InteractionTable::pair_repeated_across(size_t boundary) const {
  const auto key = [&](size_t row) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(log_.users[row])) << 32) | static_cast<uint32_t>(log_.items[row]);
  };
  // Hash the later rows (a test file, usually the smaller side) and scan the earlier ones.
  std::unordered_map<uint64_t, size_t> later;
  for (size_t row = boundary; row < log_.size(); ++row) later.emplace(key(row), row);
  if (later.empty()) return std::nullopt;
  for (size_t row = 0; row < boundary && row < log_.size(); ++row)
    if (const auto it = later.find(key(row)); it != later.end()) return std::pair{row, it->second};
  return std::nullopt;
}

namespace {

// Dense IdMap over the collected ids and the provisional -> dense translation.
std::vector<int32_t> number(const IdCollector& collector, IdMap& map) {
  auto ids = collector.ids();
  map = IdMap::from_ids(ids);
  std::vector<int32_t> dense(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) dense[i] = map.find(ids[i]);
  return dense;
}

}  // namespace

InteractionTable::Result InteractionTable::finish() {
  Result result;
  const auto users = number(users_, result.users);
  const auto items = number(items_, result.items);
  for (auto& u : log_.users) u = users[static_cast<size_t>(u)];
  for (auto& i : log_.items) i = items[static_cast<size_t>(i)];
  result.log = std::move(log_);
  log_ = InteractionLog();
  lines_.clear();
  users_ = IdCollector();
  items_ = IdCollector();
  return result;
}

}  // namespace tailrec
