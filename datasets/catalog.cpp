#include "datasets/catalog.hpp"

#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

const std::vector<CatalogEntry>& dataset_catalog() {
  // MovieLens archive md5 sums are those GroupLens publishes beside the downloads; the file sha256
  // sums were computed on the official files. ml-latest-small is re-released now and then, so only
  // its files (the 2018 release, also embedded in datasets/ml-latest-small) are pinned. For ml-20m no
  // sha256 of the files is recorded: the archive's md5 and size are checked, the files only for
  // presence.
  static const std::vector<CatalogEntry> catalog = {
      {.name = "ml100k",
       .description = "MovieLens 100K: 100,000 ratings (1-5) by 943 users on 1,682 movies, with u1..u5/ua/ub splits",
       .archives = {{.url = "https://files.grouplens.org/datasets/movielens/ml-100k.zip",
                     .file = "ml-100k.zip",
                     .md5 = "0e33842e24a9c977be4e0107933c0723"}},
       .folder = "ml-100k",
       .files = {{"ml-100k/u.data", "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490"},
                 {"ml-100k/u.item", ""},
                 {"ml-100k/u.genre", ""},
                 {"ml-100k/u1.base", ""},
                 {"ml-100k/u1.test", ""}},
       .loader = "movielens_100k"},
      {.name = "ml1m",
       .description = "MovieLens 1M: 1,000,209 ratings (1-5) by 6,040 users on 3,706 movies",
       .archives = {{.url = "https://files.grouplens.org/datasets/movielens/ml-1m.zip",
                     .file = "ml-1m.zip",
                     .md5 = "c4d9eecfca2ab87c1945afe126590906"}},
       .folder = "ml-1m",
       .files = {{"ml-1m/ratings.dat", "506d64ca44484487c11dc2d9a28de5c54948213e6b96285e298afe28d6ea4e0f"},
                 {"ml-1m/movies.dat", "0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9"},
                 {"ml-1m/users.dat", ""}},
       .loader = "movielens_1m"},
      {.name = "ml_latest_small",
       .description = "MovieLens latest-small: 100,836 ratings (0.5-5) by 610 users on 9,724 movies, with tags",
       .archives = {{.url = "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
                     .file = "ml-latest-small.zip"}},
       .folder = "ml-latest-small",
       .files = {{"ml-latest-small/ratings.csv", "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646"},
                 {"ml-latest-small/movies.csv", "5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07"},
                 {"ml-latest-small/tags.csv", ""}},
       .loader = "movielens_csv"},
      {.name = "ml20m",
       .description = "MovieLens 20M: 20,000,263 ratings (0.5-5) by 138,493 users on 26,744 movies, with tags",
       .archives = {{.url = "https://files.grouplens.org/datasets/movielens/ml-20m.zip",
                     .file = "ml-20m.zip",
                     .md5 = "cd245b17a1ae2cc31bb14903e1204af3",
                     .size = 198702078}},
       .folder = "ml-20m",
       .files = {{"ml-20m/ratings.csv", ""}, {"ml-20m/movies.csv", ""}, {"ml-20m/tags.csv", ""}},
       .loader = "movielens_csv"},
      // MIND small: two archives whose files sit at the archive root, so each is unpacked into its
      // own folder. Microsoft publishes no checksum; the md5 sums are those DataRec
      // (sisinflab/DataRec, datarec/datasets/mind/mindSmall.py) checks, and the dev one also appears
      // in a DVC lock file (30,948,560 bytes). They match the archives re-released in 2024; the 2019
      // archives were other files (Microsoft Recommenders' tests: 52,952,752 and 30,945,572 bytes).
      {.name = "mind_small",
       .description = "MIND small (Microsoft News Dataset): 50,000 users' news clicks and impressions, train and dev weeks",
       .archives = {{.url = "https://mind201910small.blob.core.windows.net/release/MINDsmall_train.zip",
                     .file = "MINDsmall_train.zip",
                     .md5 = "8ab752c7d11564622d93132be05dcf6b",
                     .extract_to = "MINDsmall_train"},
                    {.url = "https://mind201910small.blob.core.windows.net/release/MINDsmall_dev.zip",
                     .file = "MINDsmall_dev.zip",
                     .md5 = "e3bac5485be8fc7a9934e85e3b78615f",
                     .extract_to = "MINDsmall_dev"}},
       .folder = "MINDsmall_train, MINDsmall_dev",
       .files = {{"MINDsmall_train/news.tsv", ""},
                 {"MINDsmall_train/behaviors.tsv", ""},
                 {"MINDsmall_dev/news.tsv", ""},
                 {"MINDsmall_dev/behaviors.tsv", ""}},
       .loader = "mind",
       .terms = "MIND is released by Microsoft under the Microsoft Research License Terms\n"
                "(https://github.com/msnews/MIND/blob/master/MSR%20License_Data.pdf), for non-commercial research.\n"
                "They do not allow redistribution: tailrec downloads MIND into your data folder and never ships it.\n"
                "By fetching it you accept those terms; cite Wu et al., MIND: A Large-scale Dataset for News\n"
                "Recommendation, ACL 2020."},
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
