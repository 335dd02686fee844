// `tailrec data synth ml20m_like`: MovieLens-20M's shape from a seed. User activity is the
// shifted log-normal fitted to ML-20M (LensKit codex: loc 19, s 1.608, scale 43.1), clipped to
// [20, 9254] and rescaled to the exact total; item popularity is a Zipf-Mandelbrot weight curve
// sampled without replacement per user, which saturates the head the way real data does (no movie
// can have more raters than there are users). Every item gets one rater first, so all of them
// appear in ratings.csv.
#include "datasets/synthetic_movielens.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "framework/util/atomic_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {

constexpr int64_t kUsers = 138'493;
constexpr int64_t kItems = 26'744;
constexpr int64_t kInteractions = 20'000'263;
constexpr int64_t kMaxActivity = 9'254;  // ML-20M's most active user
constexpr int64_t kMinActivity = 20;
// ML-20M's rating histogram, 0.5 to 5.0 stars (it sums to 20,000,263).
constexpr std::array<int64_t, 10> kRatingCounts{239'125, 680'732, 279'252, 1'430'997, 883'398,
                                                4'291'193, 2'200'156, 5'561'926, 1'534'824, 2'898'660};
constexpr std::array<std::string_view, 10> kRatingText{"0.5", "1.0", "1.5", "2.0", "2.5",
                                                       "3.0", "3.5", "4.0", "4.5", "5.0"};
constexpr int64_t kFirstTimestamp = 789'652'009;    // 1995-01-09, ML-20M's first rating
constexpr int64_t kLastTimestamp = 1'427'784'002;   // 2015-03-31, its last
constexpr int64_t kMaxUserSpan = 3 * 365 * 86'400;  // a user's ratings fall within three years
// User activity: 20 + kActivityScale * exp(kActivitySigma * z), z standard normal.
constexpr double kActivitySigma = 1.608;
constexpr double kActivityScale = 43.1;
// Item weight of popularity rank r (0-based): (kZipfOffset / (r + kZipfOffset))^kZipfExponent.
// Fitted at scale 1 to ML-20M's item Gini 0.903 and most-rated movie (67,310 ratings): this gives
// Gini 0.907, 65,539 (seed 0).
constexpr double kZipfExponent = 2.2;
constexpr double kZipfOffset = 150.0;
constexpr double kWeightScale = 1099511627776.0;  // 2^40: weights are integers, the draws exact

const std::array<const char*, 19> kGenres{"Action",  "Adventure", "Animation", "Children", "Comedy",
                                          "Crime",   "Documentary", "Drama",   "Fantasy",  "Film-Noir",
                                          "Horror",  "IMAX",      "Musical",   "Mystery",  "Romance",
                                          "Sci-Fi",  "Thriller",  "War",       "Western"};

// Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double low = 0.02425;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normal_quantile(1 - p);
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// A Fenwick tree of integer weights: draw an index with probability weight / total, remove and
// restore weights, all in O(log n) and exact.
class WeightTree {
 public:
  explicit WeightTree(const std::vector<uint64_t>& weights) : tree_(weights.size() + 1, 0) {
    for (size_t i = 0; i < weights.size(); ++i) add(i, weights[i]);
    top_ = 1;
    while (top_ * 2 <= weights.size()) top_ *= 2;
  }
  // Weights are added modulo 2^64, so a removal is add(i, -w).
  void add(size_t index, uint64_t delta) {
    total_ += delta;
    for (size_t i = index + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += delta;
  }
  uint64_t total() const { return total_; }
  // The index whose cumulative range holds `target` (< total()).
  size_t find(uint64_t target) const {
    size_t position = 0;
    for (size_t step = top_; step > 0; step /= 2) {
      if (position + step < tree_.size() && tree_[position + step] <= target) {
        position += step;
        target -= tree_[position];
      }
    }
    return position;
  }

 private:
  std::vector<uint64_t> tree_;
  size_t top_ = 1;
  uint64_t total_ = 0;
};

// Streams a large file through an AtomicFile, formatting into a buffer of a few MiB between
// writes, so a reader never sees half a file and the content never sits whole in memory.
class StreamingFile {
 public:
  explicit StreamingFile(std::filesystem::path path) : file_(std::move(path)) { buffer_.reserve(kFlushAt + 256); }
  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= kFlushAt) flush();
  }
  void finish() {
    flush();
    file_.commit();
  }

 private:
  static constexpr size_t kFlushAt = size_t{1} << 22;
  void flush() {
    file_.write(buffer_);
    buffer_.clear();
  }
  AtomicFile file_;
  std::string buffer_;
};

void append_int(std::string& out, int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

// Each user's number of ratings: log-normal draws, clipped to [min, max], then scaled so they sum
// to exactly shape.interactions.
std::vector<int64_t> draw_activity(const SynthShape& shape, uint64_t seed) {
  auto rng = Random::derive(seed, 1);
  std::vector<double> excess(static_cast<size_t>(shape.users));
  for (auto& e : excess) {
    const double p = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;
    e = kActivityScale * std::exp(kActivitySigma * normal_quantile(p));
  }
  const auto total_for = [&](double factor, std::vector<int64_t>* out) {
    int64_t total = 0;
    for (size_t u = 0; u < excess.size(); ++u) {
      const double extra = std::min(static_cast<double>(shape.max_activity), factor * excess[u]);
      const int64_t a = std::min(shape.max_activity, shape.min_activity + static_cast<int64_t>(extra));
      total += a;
      if (out != nullptr) (*out)[u] = a;
    }
    return total;
  };
  double low = 0, high = 1;
  while (total_for(high, nullptr) < shape.interactions) high *= 2;
  for (int i = 0; i < 200 && low < high; ++i) {  // the largest factor whose total is <= the target
    const double mid = low + (high - low) / 2;
    if (mid <= low || mid >= high) break;
    (total_for(mid, nullptr) <= shape.interactions ? low : high) = mid;
  }
  std::vector<int64_t> activity(excess.size());
  int64_t missing = shape.interactions - total_for(low, &activity);
  // The few left over go one each to users in a random order (ties of the floor).
  std::vector<int64_t> order(activity.size());
  for (size_t u = 0; u < order.size(); ++u) order[u] = static_cast<int64_t>(u);
  rng.shuffle(order);
  while (missing > 0) {
    for (const auto u : order) {
      if (missing == 0) break;
      auto& a = activity[static_cast<size_t>(u)];
      if (a < shape.max_activity) ++a, --missing;
    }
  }
  return activity;
}

int rating_index(Random& rng) {
  int64_t x = static_cast<int64_t>(rng.below(static_cast<uint64_t>(kInteractions)));
  for (int i = 0; i < 9; ++i) {
    if (x < kRatingCounts[static_cast<size_t>(i)]) return i;
    x -= kRatingCounts[static_cast<size_t>(i)];
  }
  return 9;
}

std::string movies_csv(const SynthShape& shape, uint64_t seed) {
  auto rng = Random::derive(seed, 4);
  std::string out = "movieId,title,genres\n";
  for (int64_t m = 1; m <= shape.items; ++m) {
    const int64_t year = 1920 + static_cast<int64_t>(rng.below(95));
    const size_t count = 1 + rng.below(3);
    std::vector<size_t> genres;
    while (genres.size() < count) {
      const size_t g = rng.below(kGenres.size());
      if (std::find(genres.begin(), genres.end(), g) == genres.end()) genres.push_back(g);
    }
    std::sort(genres.begin(), genres.end());
    out += fmt::format("{},Synthetic Movie {} ({}),", m, m, year);
    for (size_t i = 0; i < genres.size(); ++i) {
      if (i > 0) out += '|';
      out += kGenres[genres[i]];
    }
    out += '\n';
  }
  return out;
}

double gini(std::vector<int64_t> counts) {
  std::sort(counts.begin(), counts.end());
  double weighted = 0, total = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    weighted += static_cast<double>(i + 1) * static_cast<double>(counts[i]);
    total += static_cast<double>(counts[i]);
  }
  const double n = static_cast<double>(counts.size());
  return total == 0 ? 0 : 2 * weighted / (n * total) - (n + 1) / n;
}

}  // namespace

SynthShape ml20m_like_shape(double scale) {
  if (!(scale > 0) || scale > 10)
    fail("synthetic data: --scale {} is out of range; use a factor in (0, 10] (1 = MovieLens-20M's size, "
         "0.01 for a quick test set)", scale);
  SynthShape shape;
  shape.users = static_cast<int64_t>(std::llround(static_cast<double>(kUsers) * scale));
  shape.items = std::llround(static_cast<double>(kItems) * std::sqrt(scale));
  shape.interactions = std::llround(static_cast<double>(kInteractions) * scale);
  shape.max_activity = std::min(shape.items, std::max<int64_t>(kMinActivity, std::llround(static_cast<double>(kMaxActivity) *
                                                                                   static_cast<double>(shape.items) /
                                                                                   static_cast<double>(kItems))));
  if (shape.users < 1 || shape.items < kMinActivity || shape.interactions < shape.items ||
      shape.interactions < shape.users * shape.min_activity || shape.interactions > shape.users * shape.max_activity)
    fail("synthetic data: --scale {} gives {} users, {} items and {} interactions, which cannot give every user {} to "
         "{} distinct items and every item a rating; use --scale 0.00025 or more",
         scale, shape.users, shape.items, shape.interactions, kMinActivity, shape.max_activity);
  return shape;
}

SynthSummary write_ml20m_like(const std::filesystem::path& dir, const SynthOptions& options) {
  const SynthShape shape = ml20m_like_shape(options.scale);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("cannot create the output folder {}: {}; choose another --out", dir.string(), ec.message());

  const auto activity = draw_activity(shape, options.seed);
  const auto items = static_cast<size_t>(shape.items);
  // Popularity rank r -> movieId, shuffled so that ids say nothing about popularity.
  std::vector<int32_t> movie_of_rank(items);
  for (size_t r = 0; r < items; ++r) movie_of_rank[r] = static_cast<int32_t>(r + 1);
  auto perm_rng = Random::derive(options.seed, 2);
  perm_rng.shuffle(movie_of_rank);
  std::vector<uint64_t> weights(items);
  for (size_t r = 0; r < items; ++r)
    weights[r] = 1 + static_cast<uint64_t>(kWeightScale * std::pow(kZipfOffset / (static_cast<double>(r) + kZipfOffset),
                                                                    kZipfExponent));
  // Every item's first rater, so that no item is missing from ratings.csv.
  std::vector<int64_t> forced_count(static_cast<size_t>(shape.users), 0);
  std::vector<int64_t> first_rater(items);
  auto forced_rng = Random::derive(options.seed, 3);
  for (size_t r = 0; r < items; ++r) {
    int64_t u = 0;
    do u = static_cast<int64_t>(forced_rng.below(static_cast<uint64_t>(shape.users)));
    while (forced_count[static_cast<size_t>(u)] >= activity[static_cast<size_t>(u)]);
    ++forced_count[static_cast<size_t>(u)];
    first_rater[r] = u;
  }
  std::vector<size_t> forced_start(static_cast<size_t>(shape.users) + 1, 0);
  for (size_t u = 0; u < forced_count.size(); ++u) forced_start[u + 1] = forced_start[u] + static_cast<size_t>(forced_count[u]);
  std::vector<int32_t> forced(items);
  {
    auto next = forced_start;
    for (size_t r = 0; r < items; ++r) forced[next[static_cast<size_t>(first_rater[r])]++] = static_cast<int32_t>(r);
  }

  WeightTree tree(weights);
  std::vector<int64_t> item_count(items, 0);
  std::vector<int32_t> chosen;
  std::vector<std::pair<int32_t, int32_t>> rows;  // (movieId, rank) of one user
  StreamingFile ratings(dir / "ratings.csv");
  auto& out = ratings.buffer();
  out += "userId,movieId,rating,timestamp\n";
  for (int64_t u = 0; u < shape.users; ++u) {
    auto rng = Random::derive(options.seed, 16 + static_cast<uint64_t>(u));
    chosen.clear();
    for (size_t f = forced_start[static_cast<size_t>(u)]; f < forced_start[static_cast<size_t>(u) + 1]; ++f) {
      chosen.push_back(forced[f]);
      tree.add(static_cast<size_t>(forced[f]), 0 - weights[static_cast<size_t>(forced[f])]);
    }
    while (static_cast<int64_t>(chosen.size()) < activity[static_cast<size_t>(u)]) {
      const auto r = tree.find(rng.below(tree.total()));
      chosen.push_back(static_cast<int32_t>(r));
      tree.add(r, 0 - weights[r]);
    }
    for (const auto r : chosen) tree.add(static_cast<size_t>(r), weights[static_cast<size_t>(r)]);
    rows.clear();
    for (const auto r : chosen) rows.emplace_back(movie_of_rank[static_cast<size_t>(r)], r);
    std::sort(rows.begin(), rows.end());
    const int64_t first = kFirstTimestamp + static_cast<int64_t>(rng.below(kLastTimestamp - kFirstTimestamp + 1));
    const int64_t longest = std::min(kLastTimestamp - first, kMaxUserSpan);
    // Most users rate in a burst: the span is the smaller of two uniform draws' nesting.
    const int64_t span = static_cast<int64_t>(rng.below(rng.below(static_cast<uint64_t>(longest) + 1) + 1));
    for (const auto& [movie, r] : rows) {
      ++item_count[static_cast<size_t>(r)];
      append_int(out, u + 1);
      out += ',';
      append_int(out, movie);
      out += ',';
      out += kRatingText[static_cast<size_t>(rating_index(rng))];
      out += ',';
      append_int(out, first + static_cast<int64_t>(rng.below(static_cast<uint64_t>(span) + 1)));
      out += '\n';
    }
    ratings.maybe_flush();
  }
  ratings.finish();
  write_file_atomically(dir / "movies.csv", movies_csv(shape, options.seed));

  SynthSummary summary;
  summary.shape = shape;
  auto sorted = item_count;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  const size_t head = std::max<size_t>(1, static_cast<size_t>(std::llround(static_cast<double>(items) * 0.01)));
  int64_t head_total = 0;
  for (size_t i = 0; i < head; ++i) head_total += sorted[i];
  summary.top1_share = static_cast<double>(head_total) / static_cast<double>(shape.interactions);
  summary.item_gini = gini(item_count);
  summary.max_item_count = sorted.front();
  summary.max_user_count = *std::max_element(activity.begin(), activity.end());
  write_file_atomically(
      dir / "README.txt",
      fmt::format("Synthetic data with MovieLens-20M's shape, written by `tailrec data synth ml20m_like --seed {} "
                  "--scale {}`.\nNot real ratings: users, movies, ratings and timestamps are drawn from a seed "
                  "(docs/scaling.md).\n\nusers {}\nitems {}\ninteractions {}\nratings per user: {} to {}\n"
                  "most rated item: {} ratings\ntop 1% of items: {:.4f} of the ratings\nitem Gini: {:.4f}\n",
                  options.seed, options.scale, shape.users, shape.items, shape.interactions, shape.min_activity,
                  summary.max_user_count, summary.max_item_count, summary.top1_share, summary.item_gini));
  return summary;
}

}  // namespace tailrec
