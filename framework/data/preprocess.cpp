// Preprocessing: implicit threshold, duplicate merging, iterated k-core, minimum counts, then
// compaction of the id maps. Each step logs what it removed; a step that empties the dataset is an
// error naming that step.
#include "framework/data/preprocess.hpp"
#include "framework/util/check.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "framework/config/config.hpp"
#include "framework/config/params.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

namespace {

std::vector<ParamSpec> schema() {
  return {
      ParamSpec::optional("implicit_threshold", ParamType::Float,
                          "keep ratings >= this value and make every value 1; null keeps all ratings"),
      ParamSpec::choice("duplicates", "error", {"error", "first", "last", "max", "mean"},
                        "how to merge repeated (user, item) rows: error, or keep first/last row, max/mean rating"),
      ParamSpec::integer("user_core", 0, "iterated k-core: every user keeps at least this many interactions", 0),
      ParamSpec::integer("item_core", 0, "iterated k-core: every item keeps at least this many interactions", 0),
      ParamSpec::integer("min_user_interactions", 0, "one pass after k-core: drop users with fewer", 0),
      ParamSpec::integer("min_item_interactions", 0, "one pass after k-core: drop items with fewer", 0),
  };
}

struct Counts {
  size_t interactions = 0;
  size_t users = 0;
  size_t items = 0;
};

Counts count(const Dataset& data) {
  Counts c;
  c.interactions = data.log.size();
  std::vector<uint8_t> users(static_cast<size_t>(data.users.size()), 0);
  std::vector<uint8_t> items(static_cast<size_t>(data.items.size()), 0);
  for (size_t row = 0; row < data.log.size(); ++row) {
    auto& u = users[static_cast<size_t>(data.log.users[row])];
    auto& i = items[static_cast<size_t>(data.log.items[row])];
    c.users += !u;
    c.items += !i;
    u = i = 1;
  }
  return c;
}

// Keeps the rows with keep[row] != 0, in order, together with their fixed-split fold marks.
void keep_rows(Dataset& data, const std::vector<uint8_t>& keep) {
  InteractionLog kept;
  kept.has_ratings = data.log.has_ratings;
  std::vector<uint8_t> folds;
  for (size_t row = 0; row < data.log.size(); ++row) {
    if (!keep[row]) continue;
    kept.append(data.log, row);
    if (!data.predefined_fold.empty()) folds.push_back(data.predefined_fold[row]);
  }
  kept.has_ratings = data.log.has_ratings;
  data.log = std::move(kept);
  if (!data.predefined_fold.empty()) data.predefined_fold = std::move(folds);
}

// Logs what a step removed and fails when it removed everything.
void report(Dataset& data, const Counts& before, const std::string& step, const std::string& fix, Logger& log) {
  const Counts after = count(data);
  log.info("preprocess {}: removed {} interactions, {} users, {} items", step, before.interactions - after.interactions,
           before.users - after.users, before.items - after.items);
  if (after.interactions == 0)
    fail("preprocess {} removed every interaction of dataset '{}' ({} before); {}", step, data.name,
         before.interactions, fix);
}

void apply_threshold(Dataset& data, double threshold, Logger& log) {
  if (!data.log.has_ratings)
    fail("preprocess.implicit_threshold = {} needs explicit ratings, but dataset '{}' has none; set "
         "preprocess.implicit_threshold=null", threshold, data.name);
  const Counts before = count(data);
  const auto cut = static_cast<float>(threshold);  // compared at the ratings' own precision
  std::vector<uint8_t> keep(data.log.size());
  for (size_t row = 0; row < data.log.size(); ++row) keep[row] = data.log.ratings[row] >= cut;
  keep_rows(data, keep);
  std::fill(data.log.ratings.begin(), data.log.ratings.end(), 1.0f);
  data.log.has_ratings = false;
  report(data, before, fmt::format("implicit_threshold={}", threshold), "lower preprocess.implicit_threshold", log);
}

void merge_duplicates(Dataset& data, const std::string& rule, Logger& log) {
  InteractionLog& L = data.log;
  std::vector<size_t> order(L.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (L.users[a] != L.users[b]) return L.users[a] < L.users[b];
    if (L.items[a] != L.items[b]) return L.items[a] < L.items[b];
    return a < b;
  });
  auto same_pair = [&](size_t a, size_t b) { return L.users[a] == L.users[b] && L.items[a] == L.items[b]; };
  size_t duplicates = 0;           // rows beyond the first of their (user, item) pair
  size_t first_repeat = L.size();  // the earliest row that repeats an earlier row's pair...
  size_t first_original = 0;       // ...and that earlier row
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() && same_pair(order[end], order[begin])) ++end;
    duplicates += end - begin - 1;
    if (end - begin > 1 && order[begin + 1] < first_repeat) {
      first_repeat = order[begin + 1];
      first_original = order[begin];
    }
    begin = end;
  }
  if (duplicates == 0) return;
  if (rule == "error")
    fail("dataset '{}' has {} duplicated (user, item) rows; the first is user '{}', item '{}' (loaded rows {} and {}); "
         "choose how to merge them with preprocess.duplicates=last|first|max|mean",
         data.name, duplicates, data.users.external(L.users[first_repeat]), data.items.external(L.items[first_repeat]),
         first_original + 1, first_repeat + 1);

  const Counts before = count(data);
  std::vector<uint8_t> keep(L.size(), 1);
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() && same_pair(order[end], order[begin])) ++end;
    if (end - begin > 1) {
      // Rows of the group in log order: order[begin] is the first, order[end - 1] the last.
      for (size_t k = begin; k < end; ++k) keep[order[k]] = 0;
      if (rule == "first" || rule == "last") {
        keep[rule == "first" ? order[begin] : order[end - 1]] = 1;
      } else {
        // max / mean: one row at the first occurrence's position, with the latest timestamp.
        const size_t target = order[begin];
        keep[target] = 1;
        double sum = 0;
        float best = L.ratings[target];
        for (size_t k = begin; k < end; ++k) {
          sum += L.ratings[order[k]];
          best = std::max(best, L.ratings[order[k]]);
          if (L.has_timestamps()) L.timestamps[target] = std::max(L.timestamps[target], L.timestamps[order[k]]);
        }
        L.ratings[target] = rule == "max" ? best : static_cast<float>(sum / static_cast<double>(end - begin));
      }
    }
    begin = end;
  }
  keep_rows(data, keep);
  report(data, before, fmt::format("duplicates={} ({} duplicated rows merged)", rule, duplicates),
         "this cannot happen when merging duplicates", log);
}

// Rows whose user has fewer than `min_user` or whose item has fewer than `min_item` interactions,
// counted on the current log. Returns how many rows it removed.
size_t drop_rare(Dataset& data, int min_user, int min_item) {
  std::vector<int64_t> per_user(static_cast<size_t>(data.users.size()), 0);
  std::vector<int64_t> per_item(static_cast<size_t>(data.items.size()), 0);
  for (size_t row = 0; row < data.log.size(); ++row) {
    ++per_user[static_cast<size_t>(data.log.users[row])];
    ++per_item[static_cast<size_t>(data.log.items[row])];
  }
  std::vector<uint8_t> keep(data.log.size());
  size_t removed = 0;
  for (size_t row = 0; row < data.log.size(); ++row) {
    keep[row] = per_user[static_cast<size_t>(data.log.users[row])] >= min_user &&
                per_item[static_cast<size_t>(data.log.items[row])] >= min_item;
    removed += !keep[row];
  }
  if (removed > 0) keep_rows(data, keep);
  return removed;
}

// Drops users and items without interactions from the id maps and renumbers everything. Users
// and items named by an impression stay: an impression's candidates are often items nobody has
// clicked yet, and they must remain rankable.
void compact(Dataset& data) {
  std::vector<uint8_t> user_used(static_cast<size_t>(data.users.size()), 0);
  std::vector<uint8_t> item_used(static_cast<size_t>(data.items.size()), 0);
  for (size_t row = 0; row < data.log.size(); ++row) {
    user_used[static_cast<size_t>(data.log.users[row])] = 1;
    item_used[static_cast<size_t>(data.log.items[row])] = 1;
  }
  for (const auto& impression : data.impressions) {
    user_used[static_cast<size_t>(impression.user)] = 1;
    for (int32_t item : impression.items) item_used[static_cast<size_t>(item)] = 1;
  }
  auto rebuild = [](const IdMap& old, const std::vector<uint8_t>& used, std::vector<int32_t>& old_to_new) {
    std::vector<std::string> kept;
    for (int32_t i = 0; i < old.size(); ++i)
      if (used[static_cast<size_t>(i)]) kept.push_back(old.external(i));
    IdMap map = IdMap::from_ids(std::move(kept));
    old_to_new.assign(static_cast<size_t>(old.size()), -1);
    for (int32_t i = 0; i < old.size(); ++i)
      if (used[static_cast<size_t>(i)]) old_to_new[static_cast<size_t>(i)] = map.find(old.external(i));
    return map;
  };
  std::vector<int32_t> user_map;
  std::vector<int32_t> item_map;
  IdMap users = rebuild(data.users, user_used, user_map);
  IdMap items = rebuild(data.items, item_used, item_map);
  for (auto& u : data.log.users) u = user_map[static_cast<size_t>(u)];
  for (auto& i : data.log.items) i = item_map[static_cast<size_t>(i)];
  for (auto& impression : data.impressions) {
    impression.user = user_map[static_cast<size_t>(impression.user)];
    for (auto& i : impression.items) i = item_map[static_cast<size_t>(i)];
  }

  ItemContent content(items.size());
  for (const auto& name : data.content.field_names()) {
    auto& column = content.field(name);
    for (int32_t old = 0; old < std::min(data.content.num_items(), data.items.size()); ++old)
      if (item_map[static_cast<size_t>(old)] >= 0)
        column[static_cast<size_t>(item_map[static_cast<size_t>(old)])] = data.content.value(name, old);
  }
  data.users = std::move(users);
  data.items = std::move(items);
  data.content = std::move(content);
}

}  // namespace

PreprocessOptions PreprocessOptions::from_config(const ConfigView& view) {
  const Params params = Params::resolve(schema(), view);
  view.mark_read();  // resolve rejected unknown keys; this also covers `preprocess: {}` or null
  PreprocessOptions options;
  if (params.has("implicit_threshold")) options.implicit_threshold = params.real("implicit_threshold");
  options.duplicates = params.text("duplicates");
  options.user_core = static_cast<int>(params.integer("user_core"));
  options.item_core = static_cast<int>(params.integer("item_core"));
  options.min_user_interactions = static_cast<int>(params.integer("min_user_interactions"));
  options.min_item_interactions = static_cast<int>(params.integer("min_item_interactions"));
  return options;
}

std::string PreprocessOptions::hash() const {
  Hasher h;
  h.integer(implicit_threshold.has_value()).real(implicit_threshold.value_or(0.0)).text(duplicates);
  h.integer(static_cast<uint64_t>(user_core)).integer(static_cast<uint64_t>(item_core));
  h.integer(static_cast<uint64_t>(min_user_interactions)).integer(static_cast<uint64_t>(min_item_interactions));
  return h.hex();
}

std::string PreprocessOptions::describe() const {
  return fmt::format(
      "implicit_threshold={}, duplicates={}, user_core={}, item_core={}, min_user_interactions={}, "
      "min_item_interactions={}",
      implicit_threshold ? fmt::format("{}", *implicit_threshold) : "null", duplicates, user_core, item_core,
      min_user_interactions, min_item_interactions);
}

void preprocess(Dataset& data, const PreprocessOptions& options, Logger& log) {
  static const std::vector<std::string> rules = {"error", "first", "last", "max", "mean"};
  if (std::find(rules.begin(), rules.end(), options.duplicates) == rules.end())
    fail("preprocess.duplicates = '{}' is not one of error, first, last, max, mean", options.duplicates);
  TAILREC_CHECK(data.predefined_fold.empty() || data.predefined_fold.size() == data.log.size(),
                "dataset '{}' has {} fold marks for {} interactions", data.name, data.predefined_fold.size(), data.log.size());
  if (data.log.size() == 0) fail("dataset '{}' has no interactions (source: {})", data.name, data.source);

  if (options.implicit_threshold) apply_threshold(data, *options.implicit_threshold, log);
  merge_duplicates(data, options.duplicates, log);

  if (options.user_core > 0 || options.item_core > 0) {
    const Counts before = count(data);
    int rounds = 0;
    while (drop_rare(data, options.user_core, options.item_core) > 0) ++rounds;
    report(data, before, fmt::format("k-core (user_core={}, item_core={}, {} rounds)", options.user_core,
                                     options.item_core, rounds),
           "lower preprocess.user_core / preprocess.item_core", log);
  }
  if (options.min_user_interactions > 0 || options.min_item_interactions > 0) {
    const Counts before = count(data);
    drop_rare(data, options.min_user_interactions, options.min_item_interactions);
    report(data, before, fmt::format("minimum counts (users >= {}, items >= {})", options.min_user_interactions,
                                     options.min_item_interactions),
           "lower preprocess.min_user_interactions / preprocess.min_item_interactions", log);
  }
  compact(data);
}

}  // namespace tailrec
