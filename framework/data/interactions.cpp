#include "framework/data/interactions.hpp"
#include "framework/util/check.hpp"

#include <algorithm>
#include <numeric>

#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

IdMap IdMap::from_ids(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  IdMap map;
  map.numeric_ = !ids.empty() && std::all_of(ids.begin(), ids.end(), [](const std::string& id) {
    return parse_int(id).has_value() && trim(id).size() == id.size();
  });
  if (map.numeric_) {
    std::stable_sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
      return *parse_int(a) < *parse_int(b);
    });
    // "007" and "7" are the same number but different ids: keep both, ordered by text after value.
  }
  map.external_ = std::move(ids);
  map.index_.reserve(map.external_.size());
  for (size_t i = 0; i < map.external_.size(); ++i)
    map.index_.emplace(map.external_[i], static_cast<int32_t>(i));
  return map;
}

int32_t IdMap::find(std::string_view external) const {
  const auto it = index_.find(std::string(external));
  return it == index_.end() ? -1 : it->second;
}

void InteractionLog::reserve(size_t n) {
  users.reserve(n);
  items.reserve(n);
  ratings.reserve(n);
}

void InteractionLog::push(int32_t user, int32_t item, float rating, int64_t timestamp) {
  users.push_back(user);
  items.push_back(item);
  ratings.push_back(rating);
  if (timestamp != kNoTimestamp) timestamps.push_back(timestamp);
}

void InteractionLog::append(const InteractionLog& other, size_t row) {
  users.push_back(other.users[row]);
  items.push_back(other.items[row]);
  ratings.push_back(other.ratings[row]);
  if (other.has_timestamps()) timestamps.push_back(other.timestamps[row]);
  has_ratings = other.has_ratings;
}

void InteractionLog::sort() {
  std::vector<size_t> order(size());
  std::iota(order.begin(), order.end(), size_t{0});
  const bool ts = has_timestamps();
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (users[a] != users[b]) return users[a] < users[b];
    if (items[a] != items[b]) return items[a] < items[b];
    if (ts && timestamps[a] != timestamps[b]) return timestamps[a] < timestamps[b];
    return a < b;
  });
  InteractionLog sorted;
  sorted.reserve(size());
  if (ts) sorted.timestamps.reserve(size());
  for (size_t row : order) sorted.append(*this, row);
  sorted.has_ratings = has_ratings;
  *this = std::move(sorted);
}

std::string InteractionLog::hash() const {
  Hasher h;
  h.integers(users).integers(items).reals(ratings).integers(timestamps);
  return h.hex();
}

Interactions::Interactions(const InteractionLog& log, int32_t num_users, int32_t num_items)
    : num_users_(num_users), num_items_(num_items) {
  indptr_.assign(static_cast<size_t>(num_users) + 1, 0);
  for (int32_t u : log.users) ++indptr_[static_cast<size_t>(u) + 1];
  for (size_t u = 0; u < static_cast<size_t>(num_users); ++u) indptr_[u + 1] += indptr_[u];
  std::vector<int64_t> cursor(indptr_.begin(), indptr_.end() - 1);
  items_.resize(log.size());
  values_.resize(log.size());
  if (log.has_timestamps()) timestamps_.resize(log.size());
  for (size_t row = 0; row < log.size(); ++row) {
    const auto at = static_cast<size_t>(cursor[static_cast<size_t>(log.users[row])]++);
    items_[at] = log.items[row];
    values_[at] = log.ratings[row];
    if (log.has_timestamps()) timestamps_[at] = log.timestamps[row];
  }
  // Sort each row by item so membership tests can bisect.
  std::vector<size_t> order;
  for (int32_t u = 0; u < num_users; ++u) {
    const auto b = static_cast<size_t>(indptr_[static_cast<size_t>(u)]);
    const auto e = static_cast<size_t>(indptr_[static_cast<size_t>(u) + 1]);
    if (std::is_sorted(items_.begin() + static_cast<long>(b), items_.begin() + static_cast<long>(e))) continue;
    order.resize(e - b);
    std::iota(order.begin(), order.end(), b);
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return items_[x] < items_[y]; });
    std::vector<int32_t> it(order.size());
    std::vector<float> va(order.size());
    std::vector<int64_t> ti(timestamps_.empty() ? 0 : order.size());
    for (size_t k = 0; k < order.size(); ++k) {
      it[k] = items_[order[k]];
      va[k] = values_[order[k]];
      if (!ti.empty()) ti[k] = timestamps_[order[k]];
    }
    std::copy(it.begin(), it.end(), items_.begin() + static_cast<long>(b));
    std::copy(va.begin(), va.end(), values_.begin() + static_cast<long>(b));
    if (!ti.empty()) std::copy(ti.begin(), ti.end(), timestamps_.begin() + static_cast<long>(b));
  }
  for (int32_t u = 0; u < num_users; ++u) {
    const auto row_items = items_of(u);
    for (size_t k = 1; k < row_items.size(); ++k)
      TAILREC_CHECK(row_items[k] != row_items[k - 1],
                    "duplicate (user {}, item {}) reached the interaction matrix", u, row_items[k]);
  }
}

bool Interactions::contains(int32_t user, int32_t item) const {
  const auto row_items = items_of(user);
  return std::binary_search(row_items.begin(), row_items.end(), item);
}

std::vector<int32_t> Interactions::item_user_counts() const {
  std::vector<int32_t> counts(static_cast<size_t>(num_items_), 0);
  for (int32_t item : items_) ++counts[static_cast<size_t>(item)];
  return counts;
}

int32_t Interactions::active_users() const {
  int32_t active = 0;
  for (int32_t u = 0; u < num_users_; ++u) active += row_size(u) > 0;
  return active;
}

InteractionLog Interactions::to_log() const {
  InteractionLog log;
  log.reserve(items_.size());
  for (int32_t u = 0; u < num_users_; ++u) {
    const auto b = static_cast<size_t>(indptr_[static_cast<size_t>(u)]);
    for (int32_t k = 0; k < row_size(u); ++k) {
      log.users.push_back(u);
      log.items.push_back(items_[b + static_cast<size_t>(k)]);
      log.ratings.push_back(values_[b + static_cast<size_t>(k)]);
      if (!timestamps_.empty()) log.timestamps.push_back(timestamps_[b + static_cast<size_t>(k)]);
    }
  }
  log.has_ratings = true;
  return log;
}

bool ItemContent::has_field(std::string_view name) const {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::vector<std::string>& ItemContent::field(std::string_view name) {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return values_[i];
  names_.emplace_back(name);
  values_.emplace_back(static_cast<size_t>(num_items_));
  return values_.back();
}

const std::string& ItemContent::value(std::string_view name, int32_t item) const {
  static const std::string empty;
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return values_[i][static_cast<size_t>(item)];
  return empty;
}

std::string ItemContent::text(int32_t item) const {
  std::string out;
  for (const auto& column : values_) {
    const auto& v = column[static_cast<size_t>(item)];
    if (v.empty()) continue;
    if (!out.empty()) out += ". ";
    out += v;
  }
  return out;
}

}  // namespace tailrec
