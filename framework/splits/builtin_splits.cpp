// The built-in splitters (random_holdout, temporal_global, temporal_user, leave_one_out, kfold,
// cold_items, cold_users, fixed, predefined) and their registration. Random choices use one stream per user (Random::derive(seed, user))
// over the user's rows in (item, timestamp) order, so a user's split depends neither on other users
// nor on file order; every output log is sorted. The split config's `name` picks the splitter, and
// `validation` and `seed` are the split-level settings every split takes (framework/run/settings.hpp),
// so those keys are in no splitter's schema here.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>

#include "framework/config/config.hpp"
#include "framework/config/registries.hpp"
#include "framework/splits/split.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {

int32_t user_count(const Dataset& data) {
  int32_t n = data.users.size();
  for (int32_t u : data.log.users) n = std::max(n, u + 1);
  return n;
}

// Each user's log rows ordered by (item, timestamp, row).
std::vector<std::vector<size_t>> rows_by_user(const Dataset& data) {
  const InteractionLog& log = data.log;
  std::vector<std::vector<size_t>> rows(static_cast<size_t>(user_count(data)));
  for (size_t row = 0; row < log.size(); ++row) rows[static_cast<size_t>(log.users[row])].push_back(row);
  for (auto& user_rows : rows)
    std::sort(user_rows.begin(), user_rows.end(), [&](size_t a, size_t b) {
      if (log.items[a] != log.items[b]) return log.items[a] < log.items[b];
      if (log.has_timestamps() && log.timestamps[a] != log.timestamps[b]) return log.timestamps[a] < log.timestamps[b];
      return a < b;
    });
  return rows;
}

// Copies each row to test (flag 1) or train (flag 0); both logs sorted.
SplitResult assemble(const InteractionLog& log, const std::vector<uint8_t>& is_test) {
  SplitResult result;
  result.train.has_ratings = result.test.has_ratings = log.has_ratings;
  for (size_t row = 0; row < log.size(); ++row) (is_test[row] ? result.test : result.train).append(log, row);
  result.train.sort();
  result.test.sort();
  return result;
}

void require_timestamps(const Dataset& data, const std::string& split_name, const std::string& alternative) {
  if (!data.log.has_timestamps())
    fail("split={} needs timestamps, but dataset '{}' has none; use {} instead", split_name, data.name, alternative);
}

double checked_ratio(const Params& params) {
  const double ratio = params.real("ratio");
  if (!(ratio > 0.0 && ratio < 1.0))
    params.fail_at("ratio", fmt::format("{} must be strictly between 0 and 1, e.g. 0.2 for 20% test", ratio));
  return ratio;
}

nlohmann::json describe_with(const std::string& name, const Params& params) {
  nlohmann::json out = {{"name", name}};
  out.update(params.to_json());
  return out;
}

// ---------------------------------------------------------------------------------------------
class RandomHoldout : public Splitter {
 public:
  explicit RandomHoldout(const Params& params) : params_(params), ratio_(checked_ratio(params)) {}
  SplitResult split(const Dataset& data, uint64_t seed) const override {
    const auto rows = rows_by_user(data);
    std::vector<uint8_t> is_test(data.log.size(), 0);
    for (size_t u = 0; u < rows.size(); ++u) {
      std::vector<size_t> user_rows = rows[u];
      Random rng = Random::derive(seed, u);
      rng.shuffle(user_rows);
      const size_t n_test = holdout_count(ratio_, user_rows.size());
      for (size_t k = 0; k < n_test; ++k) is_test[user_rows[k]] = 1;
    }
    return assemble(data.log, is_test);
  }
  nlohmann::json describe() const override { return describe_with("random_holdout", params_); }

 private:
  Params params_;
  double ratio_;
};

class TemporalGlobal : public Splitter {
 public:
  explicit TemporalGlobal(const Params& params) : params_(params), ratio_(checked_ratio(params)) {}
  SplitResult split(const Dataset& data, uint64_t) const override {
    require_timestamps(data, "temporal_global", "split=random_holdout");
    const InteractionLog& log = data.log;
    std::vector<uint8_t> is_test(log.size(), 0);
    if (log.size() == 0) return assemble(log, is_test);
    std::vector<int64_t> times = log.timestamps;
    std::sort(times.begin(), times.end());
    const size_t n = times.size();
    const auto wanted = std::clamp<size_t>(static_cast<size_t>(std::llround(ratio_ * static_cast<double>(n))), 1, n);
    const int64_t cut = times[n - wanted];
    if (cut == times.front())
      fail("split=temporal_global on dataset '{}': the cut time {} for ratio {} is the earliest timestamp, so "
           "training would be empty; lower split.ratio or use split=random_holdout", data.name, cut, ratio_);
    for (size_t row = 0; row < n; ++row) is_test[row] = log.timestamps[row] >= cut;
    return assemble(log, is_test);
  }
  nlohmann::json describe() const override { return describe_with("temporal_global", params_); }
  bool cuts_at_global_time() const override { return true; }

 private:
  Params params_;
  double ratio_;
};

class TemporalUser : public Splitter {
 public:
  explicit TemporalUser(const Params& params) : params_(params), ratio_(checked_ratio(params)) {}
  SplitResult split(const Dataset& data, uint64_t) const override {
    require_timestamps(data, "temporal_user", "split=random_holdout");
    const InteractionLog& log = data.log;
    std::vector<uint8_t> is_test(log.size(), 0);
    for (auto user_rows : rows_by_user(data)) {
      // Oldest first; equal times are ordered by item id (rows_by_user already sorted by item).
      std::stable_sort(user_rows.begin(), user_rows.end(),
                       [&](size_t a, size_t b) { return log.timestamps[a] < log.timestamps[b]; });
      const size_t n_test = holdout_count(ratio_, user_rows.size());
      for (size_t k = user_rows.size() - n_test; k < user_rows.size(); ++k) is_test[user_rows[k]] = 1;
    }
    return assemble(log, is_test);
  }
  nlohmann::json describe() const override { return describe_with("temporal_user", params_); }

 private:
  Params params_;
  double ratio_;
};

class LeaveOneOut : public Splitter {
 public:
  explicit LeaveOneOut(const Params& params) : params_(params), latest_(params.text("order") == "latest") {}
  SplitResult split(const Dataset& data, uint64_t seed) const override {
    if (latest_) require_timestamps(data, "leave_one_out with order=latest", "split.order=random");
    const InteractionLog& log = data.log;
    std::vector<uint8_t> is_test(log.size(), 0);
    const auto rows = rows_by_user(data);
    for (size_t u = 0; u < rows.size(); ++u) {
      const auto& user_rows = rows[u];
      if (user_rows.size() < 2) continue;
      size_t chosen;
      if (latest_) {
        // Latest timestamp; among equal times the later log row.
        chosen = *std::max_element(user_rows.begin(), user_rows.end(), [&](size_t a, size_t b) {
          if (log.timestamps[a] != log.timestamps[b]) return log.timestamps[a] < log.timestamps[b];
          return a < b;
        });
      } else {
        Random rng = Random::derive(seed, u);
        chosen = user_rows[rng.below(user_rows.size())];
      }
      is_test[chosen] = 1;
    }
    return assemble(log, is_test);
  }
  nlohmann::json describe() const override { return describe_with("leave_one_out", params_); }

 private:
  Params params_;
  bool latest_;
};

class KFold : public Splitter {
 public:
  explicit KFold(const Params& params)
      : params_(params), folds_(params.integer("folds")), fold_(params.integer("fold")) {
    if (fold_ >= folds_)
      params.fail_at("fold", fmt::format("{} must be below {}.folds = {}: folds are numbered 0..{}", fold_,
                                         params.where(), folds_, folds_ - 1));
  }
  SplitResult split(const Dataset& data, uint64_t seed) const override {
    std::vector<uint8_t> is_test(data.log.size(), 0);
    const auto rows = rows_by_user(data);
    const auto folds = static_cast<uint64_t>(folds_);
    for (size_t u = 0; u < rows.size(); ++u) {
      std::vector<size_t> user_rows = rows[u];
      Random rng = Random::derive(seed, u);
      // A random starting fold, so users with fewer interactions than folds do not all land in fold 0.
      const uint64_t offset = rng.below(folds);
      rng.shuffle(user_rows);
      for (size_t k = 0; k < user_rows.size(); ++k)
        is_test[user_rows[k]] = (k + offset) % folds == static_cast<uint64_t>(fold_);
    }
    return assemble(data.log, is_test);
  }
  nlohmann::json describe() const override { return describe_with("kfold", params_); }
  std::string replicate_parameter() const override { return "fold"; }

 private:
  Params params_;
  int64_t folds_;
  int64_t fold_;
};

// Rows marked 1 in data.predefined_fold go to test, rows marked 0 to train.
SplitResult split_by_fold(const Dataset& data) {
  TAILREC_CHECK(data.predefined_fold.size() == data.log.size(),
                "dataset '{}' has {} fold marks for {} interactions", data.name, data.predefined_fold.size(), data.log.size());
  std::vector<uint8_t> is_test(data.log.size(), 0);
  for (size_t row = 0; row < data.log.size(); ++row) {
    const uint8_t fold = data.predefined_fold[row];
    TAILREC_CHECK(fold <= 1, "dataset '{}' row {} has fold mark {} (expected 0 or 1)", data.name, row, fold);
    is_test[row] = fold;
  }
  return assemble(data.log, is_test);
}

class FixedSplit : public Splitter {
 public:
  explicit FixedSplit(const Params& params) : params_(params) {
    for (const char* key : {"train", "test"})
      if (!params.has(key))
        fail_config(join_path(params.where(), key), "",
                    "is not set: split=fixed needs split.{}=PATH (the {} file, in the dataset's format)", key, key);
  }
  SplitResult split(const Dataset& data, uint64_t) const override {
    if (data.predefined_fold.empty()) fail("split=fixed needs split.train and split.test");
    return split_by_fold(data);
  }
  nlohmann::json describe() const override { return describe_with("fixed", params_); }
  std::vector<std::filesystem::path> interaction_files() const override {
    return {params_.text("train"), params_.text("test")};
  }

 private:
  Params params_;
};

class PredefinedSplit : public Splitter {
 public:
  explicit PredefinedSplit(const Params& params) : params_(params) {}
  SplitResult split(const Dataset& data, uint64_t) const override {
    if (data.predefined_fold.empty())
      fail("split=predefined uses the train/test division a dataset defines itself (MIND's train and dev "
           "behaviours), but dataset '{}' has none; use split=fixed with split.train and split.test files, or "
           "another split such as split=random_holdout", data.name);
    return split_by_fold(data);
  }
  nlohmann::json describe() const override { return describe_with("predefined", params_); }

 private:
  Params params_;
};

// ---------------------------------------------------------------------------------------------
// Streams of the item choices (Random::derive(seed, stream)): test's cold items, then validation's.
constexpr uint64_t kColdItemsStream = 0x636F6C645F697465ull;       // "cold_ite"
constexpr uint64_t kColdValidationStream = 0x636F6C645F76616Cull;  // "cold_val"

// `fraction` of the `items` (or exactly `count` of them), chosen uniformly by `stream`; between 1 and
// items.size() - 1, so both sides keep an item. `what` names the side and `key` the setting in errors.
std::vector<uint8_t> choose_items(std::vector<int32_t> items, int32_t num_items, double fraction,
                                  std::optional<int64_t> count, Random stream, const std::string& what,
                                  const std::string& key) {
  const auto m = static_cast<int64_t>(items.size());
  const int64_t n = count ? *count : std::max<int64_t>(1, std::llround(fraction * static_cast<double>(m)));
  if (m < 2 || n >= m)
    fail("split=cold_items: {} would take {} of the {} items with interactions, leaving none on the other side; "
         "lower {} or use a dataset with more items",
         what, n, m, key);
  stream.shuffle(items);
  std::vector<uint8_t> chosen(static_cast<size_t>(num_items), 0);
  for (int64_t k = 0; k < n; ++k) chosen[static_cast<size_t>(items[static_cast<size_t>(k)])] = 1;
  return chosen;
}

// Distinct items of a log, ascending.
std::vector<int32_t> items_of(const InteractionLog& log) {
  std::vector<int32_t> items(log.items.begin(), log.items.end());
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

class ColdItems : public Splitter {
 public:
  explicit ColdItems(const Params& params)
      : params_(params), fraction_(params.real("fraction")) {
    if (!(fraction_ > 0.0 && fraction_ < 1.0))
      params.fail_at("fraction", fmt::format("{} must be strictly between 0 and 1, e.g. 0.2 for a fifth of the items", fraction_));
    if (params.has("count")) count_ = params.integer("count");
  }
  SplitResult split(const Dataset& data, uint64_t seed) const override {
    const auto num_items = static_cast<int32_t>(data.items.size());
    const auto cold = choose_items(items_of(data.log), num_items, fraction_, count_,
                                   Random::derive(seed, kColdItemsStream), "the cold test items",
                                   count_ ? "split.count" : "split.fraction");
    std::vector<uint8_t> is_test(data.log.size(), 0);
    for (size_t row = 0; row < data.log.size(); ++row) is_test[row] = cold[static_cast<size_t>(data.log.items[row])];
    return assemble(data.log, is_test);
  }
  // Validation gets cold items of its own: `ratio` of the training items, every training
  // interaction of theirs moved to validation.
  void add_validation(SplitResult& split, double ratio, uint64_t seed) const override {
    const auto items = items_of(split.train);
    const int32_t num_items = items.empty() ? 0 : items.back() + 1;
    const auto held = choose_items(items, num_items, ratio, std::nullopt, Random::derive(seed, kColdValidationStream),
                                   "the cold validation items", "split.validation");
    InteractionLog kept, validation;
    kept.has_ratings = validation.has_ratings = split.train.has_ratings;
    for (size_t row = 0; row < split.train.size(); ++row)
      (held[static_cast<size_t>(split.train.items[row])] ? validation : kept).append(split.train, row);
    kept.sort();
    validation.sort();
    split.train = std::move(kept);
    split.validation = std::move(validation);
  }
  nlohmann::json describe() const override { return describe_with("cold_items", params_); }
  bool tests_cold_items() const override { return true; }

 private:
  Params params_;
  double fraction_;
  std::optional<int64_t> count_;
};

// ---------------------------------------------------------------------------------------------
// Streams of cold_users: the choice of test users, of validation users, and (salted per user) the
// division of each held-out user's interactions into fold-in history and test.
constexpr uint64_t kColdUsersStream = 0x636F6C645F757365ull;       // "cold_use"
constexpr uint64_t kColdUserValidationStream = 0x636F6C645F757676ull;  // "cold_uvv"
constexpr uint64_t kFoldInSalt = 0x666F6C645F696E5Full;            // "fold_in_"

// How many of a held-out user's n >= 2 interactions are test: round((1 - fold_in) * n) (half away
// from zero), clamped to [1, n - 1], so she keeps at least one fold-in item and has one to predict.
size_t fold_in_test_count(double fold_in, size_t n) {
  const auto rounded = static_cast<size_t>(std::llround((1.0 - fold_in) * static_cast<double>(n)));
  return std::clamp<size_t>(rounded, 1, n - 1);
}

// `n` of the eligible `users` (ascending), chosen uniformly by `stream`: 1 = held out.
std::vector<uint8_t> choose_users(std::vector<int32_t> users, int32_t num_users, int64_t n, Random stream) {
  stream.shuffle(users);
  std::vector<uint8_t> chosen(static_cast<size_t>(num_users), 0);
  for (int64_t k = 0; k < n; ++k) chosen[static_cast<size_t>(users[static_cast<size_t>(k)])] = 1;
  return chosen;
}

// How many of `m` eligible users to hold out: `count`, else max(1, round(fraction * m)); an error
// unless 1 <= n < m (training keeps an eligible user). `what` and `key` name the side in errors.
int64_t held_out_users(int64_t m, double fraction, std::optional<int64_t> count, const std::string& what,
                       const std::string& key) {
  const int64_t n = count ? *count : std::max<int64_t>(1, std::llround(fraction * static_cast<double>(m)));
  if (n >= m)
    fail("split=cold_users: {} would take {} of the {} users with two or more interactions, leaving no such user in "
         "training; lower {} or use a dataset with more users",
         what, n, m, key);
  return n;
}

// Users held out entirely (strong generalisation, Liang et al. 2018): their interactions are never
// in training; a random `fold_in` share of each one's is her history at scoring time, the rest test.
class ColdUsers : public Splitter {
 public:
  explicit ColdUsers(const Params& params)
      : params_(params), fraction_(params.real("fraction")), fold_in_(params.real("fold_in")) {
    if (!(fraction_ > 0.0 && fraction_ < 1.0))
      params.fail_at("fraction", fmt::format("{} must be strictly between 0 and 1, e.g. 0.2 for a fifth of the users", fraction_));
    if (!(fold_in_ > 0.0 && fold_in_ < 1.0))
      params.fail_at("fold_in", fmt::format("{} must be strictly between 0 and 1: the share of each held-out user's "
                                            "interactions given as history, e.g. 0.8 (Liang et al. 2018)", fold_in_));
    if (params.has("count")) count_ = params.integer("count");
  }
  SplitResult split(const Dataset& data, uint64_t seed) const override {
    const auto rows = rows_by_user(data);
    std::vector<int32_t> eligible;
    for (size_t u = 0; u < rows.size(); ++u)
      if (rows[u].size() >= 2) eligible.push_back(static_cast<int32_t>(u));
    const auto n = held_out_users(static_cast<int64_t>(eligible.size()), fraction_, count_, "the held-out test users",
                                  count_ ? "split.count" : "split.fraction");
    const auto held = choose_users(eligible, static_cast<int32_t>(rows.size()), n, Random::derive(seed, kColdUsersStream));
    SplitResult result;
    result.train.has_ratings = result.test.has_ratings = result.test_history.has_ratings = data.log.has_ratings;
    for (size_t u = 0; u < rows.size(); ++u) {
      if (!held[u]) {
        for (size_t row : rows[u]) result.train.append(data.log, row);
        continue;
      }
      divide(data.log, rows[u], seed, u, result.test, result.test_history);
    }
    result.train.sort();
    result.test.sort();
    result.test_history.sort();
    return result;
  }
  // Validation users are held out like the test users: `ratio` of the training users with two or
  // more interactions, each divided into fold-in history and validation by the same rule.
  void add_validation(SplitResult& split, double ratio, uint64_t seed) const override {
    const InteractionLog& train = split.train;
    int32_t num_users = 0;
    for (int32_t u : train.users) num_users = std::max(num_users, u + 1);
    std::vector<std::vector<size_t>> rows(static_cast<size_t>(num_users));
    for (size_t row = 0; row < train.size(); ++row) rows[static_cast<size_t>(train.users[row])].push_back(row);
    std::vector<int32_t> eligible;
    for (size_t u = 0; u < rows.size(); ++u)
      if (rows[u].size() >= 2) eligible.push_back(static_cast<int32_t>(u));
    const auto n = held_out_users(static_cast<int64_t>(eligible.size()), ratio, std::nullopt, "the validation users",
                                  "split.validation");
    const auto held = choose_users(eligible, num_users, n, Random::derive(seed, kColdUserValidationStream));
    InteractionLog kept, validation, history;
    kept.has_ratings = validation.has_ratings = history.has_ratings = train.has_ratings;
    for (size_t u = 0; u < rows.size(); ++u) {
      if (!held[u]) {
        for (size_t row : rows[u]) kept.append(train, row);
        continue;
      }
      // The train log is sorted by (user, item, timestamp): rows[u] is in the order rows_by_user gives.
      divide(train, rows[u], seed ^ kColdUserValidationStream, u, validation, history);
    }
    kept.sort();
    validation.sort();
    history.sort();
    split.train = std::move(kept);
    split.validation = std::move(validation);
    split.validation_history = std::move(history);
  }
  nlohmann::json describe() const override { return describe_with("cold_users", params_); }
  bool needs_fold_in() const override { return true; }

 private:
  // A held-out user's `rows` (in (item, timestamp) order), shuffled by her own stream: the first
  // fold_in_test_count go to `test`, the others to `history`.
  void divide(const InteractionLog& log, std::vector<size_t> rows, uint64_t seed, size_t user, InteractionLog& test,
              InteractionLog& history) const {
    Random rng = Random::derive(seed ^ kFoldInSalt, user);
    rng.shuffle(rows);
    const size_t n_test = fold_in_test_count(fold_in_, rows.size());
    for (size_t k = 0; k < rows.size(); ++k) (k < n_test ? test : history).append(log, rows[k]);
  }

  Params params_;
  double fraction_;
  double fold_in_;
  std::optional<int64_t> count_;
};

ParamSpec ratio_spec(std::string help) { return ParamSpec::real("ratio", 0.2, std::move(help), 0.0, 1.0); }

template <typename T>
RegistryEntry<std::unique_ptr<Splitter>> entry(std::string name, std::string description, std::vector<ParamSpec> params) {
  return {std::move(name), std::move(description), std::move(params),
          [](const Params& p) -> std::unique_ptr<Splitter> { return std::make_unique<T>(p); }};
}

}  // namespace

void register_splits(Registries& registries) {
  auto& splits = registries.splits;
  splits.add(entry<RandomHoldout>(
      "random_holdout",
      "Per user, a random share of the interactions goes to test.\n"
      "For a user with n interactions, min(round(ratio * n), n - 1) of them (round half away from zero), "
      "chosen uniformly by the user's own seeded stream, go to test; so a user with one interaction "
      "stays entirely in train and a user with two or more keeps at least one in train.",
      {ratio_spec("share of each user's interactions put in test, strictly between 0 and 1")}));
  splits.add(entry<TemporalGlobal>(
      "temporal_global",
      "The latest share of all interactions (one global time cut) goes to test.\n"
      "With N interactions and times t sorted ascending, cut = t[N - m] where m = clamp(round(ratio * N), 1, N); "
      "every interaction with time >= cut is test (ties at the cut go to test, so test may exceed m). "
      "Needs timestamps; an error when the cut leaves training empty.",
      {ratio_spec("share of the latest interactions put in test, strictly between 0 and 1")}));
  splits.add(entry<TemporalUser>(
      "temporal_user",
      "Per user, the latest share of the user's interactions goes to test.\n"
      "The user's interactions are ordered by timestamp (equal times by item id); the last "
      "min(round(ratio * n), n - 1) of them go to test. Needs timestamps.",
      {ratio_spec("share of each user's latest interactions put in test, strictly between 0 and 1")}));
  splits.add(entry<LeaveOneOut>(
      "leave_one_out",
      "One interaction per user goes to test (users with two or more interactions).\n"
      "order=latest: the interaction with the latest timestamp, equal times broken by the later row of the "
      "loaded log (needs timestamps). order=random: one interaction chosen uniformly by the user's seeded stream. "
      "Users with a single interaction stay in train.",
      {ParamSpec::choice("order", "latest", {"latest", "random"},
                         "which interaction is held out: the latest by timestamp, or a random one")}));
  splits.add(entry<KFold>(
      "kfold",
      "K-fold cross-validation per user; fold `fold` is test.\n"
      "Each user's interactions are shuffled by the user's seeded stream and dealt round-robin to the folds, "
      "starting at a random fold, so folds partition every user's data and differ in size by at most one "
      "per user. Run fold = 0..folds-1 with the same seed for the full cross-validation.",
      {ParamSpec::integer("folds", 5, "number of folds (>= 2)", 2),
       ParamSpec::integer("fold", 0, "the 0-based fold used as test", 0)}));
  splits.add(entry<ColdItems>(
      "cold_items",
      "Items held out entirely: every interaction of a held-out item is test, none is in training.\n"
      "Of the m items with an interaction, n = count, else max(1, round(fraction * m)), are chosen uniformly by the "
      "split's seed (one stream for the whole catalog); an error unless 1 <= n < m. With split.validation = r > 0, "
      "validation gets cold items of its own: max(1, round(r * m')) of the m' training items, with all their "
      "training interactions. Rank with protocol.candidates=cold to rank the cold items only (as cold-start papers "
      "do), or all to rank them among every item.",
      {ParamSpec::real("fraction", 0.2, "share of the items with interactions held out as cold test items", 0.0, 1.0),
       ParamSpec{"count", ParamType::Int, YAML::Node(), "exactly this many cold test items instead of a fraction; null = "
                 "use fraction", 1, {}, {}, false}}));
  splits.add(entry<ColdUsers>(
      "cold_users",
      "Users held out entirely, scored from a fold-in history (strong generalisation, Liang et al. 2018).\n"
      "Of the m users with two or more interactions, n = count, else max(1, round(fraction * m)), are chosen "
      "uniformly by the split's seed (one stream for all users); an error unless 1 <= n < m. None of a held-out "
      "user's interactions is in training: her rows are shuffled by her own seeded stream and the first "
      "clamp(round((1 - fold_in) * k), 1, k - 1) of her k go to test, the rest are her fold-in history, which models "
      "score her from without refitting (their fold-in items are never recommended). Users with one interaction "
      "always stay in training. With split.validation = r > 0, validation users are held out the same way: "
      "max(1, round(r * m')) of the m' training users with two or more interactions. Needs algorithms that fold in.",
      {ParamSpec::real("fraction", 0.2, "share of the users with two or more interactions held out as test users", 0.0,
                       1.0),
       ParamSpec{"count", ParamType::Int, YAML::Node(), "exactly this many held-out test users instead of a fraction; "
                 "null = use fraction", 1, {}, {}, false},
       ParamSpec::real("fold_in", 0.8, "share of each held-out user's interactions given as history (the rest is test)",
                       0.0, 1.0)}));
  splits.add(entry<FixedSplit>(
      "fixed",
      "A predefined split read from a train file and a test file (e.g. MovieLens u1.base/u1.test).\n"
      "The dataset loader reads both files with the dataset's format and numbers ids over their union; "
      "rows of split.train are train, rows of split.test are test. A (user, item) pair in both files is refused, naming "
      "both files and lines (the test answer would be known in training).",
      {ParamSpec::optional("train", ParamType::String, "path of the training interactions file"),
       ParamSpec::optional("test", ParamType::String, "path of the test interactions file")}));
  splits.add(entry<PredefinedSplit>(
      "predefined",
      "The train/test division the dataset itself defines (MIND: train behaviours vs dev impressions).\n"
      "The loader marks each interaction as train or test; this split follows the marks. An error for datasets "
      "without such a division.",
      {}));
}

}  // namespace tailrec
