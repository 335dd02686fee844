// SplitResult's content hash and the validation carve-out shared by every splitter.
#include "framework/splits/split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {
// Salt for the validation streams, so a carve-out seeded like its split does not replay the
// split's own random choices.
constexpr uint64_t kValidationSalt = 0x76616C6964617465ull;  // "validate"
}  // namespace

std::string SplitResult::hash() const {
  Hasher h;
  h.text(train.hash()).text(test.hash()).text(validation.hash());
  if (test_history.size() > 0 || validation_history.size() > 0)
    h.text("fold-in").text(test_history.hash()).text(validation_history.hash());
  return h.hex();
}

size_t holdout_count(double ratio, size_t n) {
  if (n < 2) return 0;
  const auto rounded = static_cast<size_t>(std::llround(ratio * static_cast<double>(n)));
  return std::min(rounded, n - 1);
}

void carve_validation(SplitResult& split, double ratio, uint64_t seed) {
  if (!(ratio >= 0.0 && ratio < 1.0))
    fail("split.validation = {} must be in [0, 1): the share of each user's training interactions "
         "moved to validation (0 = no validation set), e.g. 0.1", ratio);
  if (ratio == 0.0) return;
  InteractionLog& train = split.train;
  // Rows of each user in (user, item, timestamp) order: the choice below does not depend on file order.
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (train.users[a] != train.users[b]) return train.users[a] < train.users[b];
    if (train.items[a] != train.items[b]) return train.items[a] < train.items[b];
    if (train.has_timestamps() && train.timestamps[a] != train.timestamps[b])
      return train.timestamps[a] < train.timestamps[b];
    return false;
  });
  std::vector<uint8_t> to_validation(train.size(), 0);
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin;
    const int32_t user = train.users[order[begin]];
    while (end < order.size() && train.users[order[end]] == user) ++end;
    std::vector<size_t> rows(order.begin() + static_cast<long>(begin), order.begin() + static_cast<long>(end));
    Random rng = Random::derive(seed ^ kValidationSalt, static_cast<uint64_t>(user));
    rng.shuffle(rows);
    const size_t n_validation = holdout_count(ratio, rows.size());
    for (size_t k = 0; k < n_validation; ++k) to_validation[rows[k]] = 1;
    begin = end;
  }
  InteractionLog kept;
  InteractionLog validation;
  kept.has_ratings = validation.has_ratings = train.has_ratings;
  for (size_t row = 0; row < train.size(); ++row) (to_validation[row] ? validation : kept).append(train, row);
  kept.sort();
  validation.sort();
  split.train = std::move(kept);
  split.validation = std::move(validation);
}

}  // namespace tailrec
