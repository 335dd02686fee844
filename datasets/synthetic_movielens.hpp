#pragma once
// A deterministic synthetic dataset with MovieLens-20M's shape (`tailrec data synth ml20m_like`):
// ratings.csv and movies.csv in the ml-20m CSV layout, so `dataset=ml20m dataset.data_dir=DIR`
// reads it. Used to measure tailrec at ML-20M scale without the real data (docs/scaling.md).
#include <cstdint>
#include <filesystem>

namespace tailrec {

// Exact sizes of the generated data. At scale 1: 138,493 users, 26,744 items, 20,000,263 distinct
// user-item pairs. Users and interactions scale with F (the mean activity stays ~144), items with
// sqrt(F), as the MovieLens releases grow.
struct SynthShape {
  int64_t users = 0;
  int64_t items = 0;
  int64_t interactions = 0;
  int64_t min_activity = 20;  // every user rated at least this many items, as in ML-20M
  int64_t max_activity = 0;   // the cap on one user's ratings (ML-20M's 9,254 at scale 1)
};
SynthShape ml20m_like_shape(double scale);

struct SynthOptions {
  uint64_t seed = 0;
  double scale = 1.0;
};

struct SynthSummary {
  SynthShape shape;
  double top1_share = 0;  // share of interactions on the top 1% of items
  double item_gini = 0;   // Gini coefficient of item popularity (ML-20M: 0.903)
  int64_t max_item_count = 0;
  int64_t max_user_count = 0;
};

// Writes <dir>/ratings.csv (userId,movieId,rating,timestamp; sorted by user then movie),
// <dir>/movies.csv (movieId,title,genres) and <dir>/README.txt, each through a temporary name and
// a rename. The bytes depend only on the options: all sampling uses integer draws from
// framework/util/random.hpp; floating point only shapes the integer activity and weight tables.
SynthSummary write_ml20m_like(const std::filesystem::path& dir, const SynthOptions& options);

}  // namespace tailrec
