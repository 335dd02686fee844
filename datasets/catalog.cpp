#include "datasets/catalog.hpp"

#include "framework/error.hpp"
#include "framework/strings.hpp"

namespace tailrec {

const std::vector<CatalogEntry>& dataset_catalog() {
  // Archive md5 sums are those GroupLens publishes beside the downloads; the file sha256 sums were
  // computed on the official files. ml-latest-small is re-released now and then, so only its files
  // (the 2018 release, also embedded in datasets/ml-latest-small) are pinned. For ml-20m no sha256
  // of the files is recorded: the archive's md5 and size are checked, the files only for presence.
  static const std::vector<CatalogEntry> catalog = {
      {"ml100k",
       "MovieLens 100K: 100,000 ratings (1-5) by 943 users on 1,682 movies, with u1..u5/ua/ub splits",
       "https://files.grouplens.org/datasets/movielens/ml-100k.zip",
       "ml-100k.zip",
       "",
       "0e33842e24a9c977be4e0107933c0723",
       -1,
       "ml-100k",
       {{"ml-100k/u.data", "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490"},
        {"ml-100k/u.item", ""},
        {"ml-100k/u.genre", ""},
        {"ml-100k/u1.base", ""},
        {"ml-100k/u1.test", ""}},
       "movielens_100k"},
      {"ml1m",
       "MovieLens 1M: 1,000,209 ratings (1-5) by 6,040 users on 3,706 movies",
       "https://files.grouplens.org/datasets/movielens/ml-1m.zip",
       "ml-1m.zip",
       "",
       "c4d9eecfca2ab87c1945afe126590906",
       -1,
       "ml-1m",
       {{"ml-1m/ratings.dat", "506d64ca44484487c11dc2d9a28de5c54948213e6b96285e298afe28d6ea4e0f"},
        {"ml-1m/movies.dat", "0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9"},
        {"ml-1m/users.dat", ""}},
       "movielens_1m"},
      {"ml_latest_small",
       "MovieLens latest-small: 100,836 ratings (0.5-5) by 610 users on 9,724 movies, with tags",
       "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
       "ml-latest-small.zip",
       "",
       "",
       -1,
       "ml-latest-small",
       {{"ml-latest-small/ratings.csv", "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646"},
        {"ml-latest-small/movies.csv", "5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07"},
        {"ml-latest-small/tags.csv", ""}},
       "movielens_csv"},
      {"ml20m",
       "MovieLens 20M: 20,000,263 ratings (0.5-5) by 138,493 users on 26,744 movies, with tags",
       "https://files.grouplens.org/datasets/movielens/ml-20m.zip",
       "ml-20m.zip",
       "",
       "cd245b17a1ae2cc31bb14903e1204af3",
       198702078,
       "ml-20m",
       {{"ml-20m/ratings.csv", ""}, {"ml-20m/movies.csv", ""}, {"ml-20m/tags.csv", ""}},
       "movielens_csv"},
  };
  return catalog;
}

const CatalogEntry& catalog_entry(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& entry : dataset_catalog()) {
    if (entry.name == name) return entry;
    names.push_back(entry.name);
  }
  fail("unknown dataset '{}'{}; known datasets: {}", name, did_you_mean(name, names), join(names, ", "));
}

}  // namespace tailrec
