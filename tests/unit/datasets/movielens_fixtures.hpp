#pragma once
// Tiny files in the MovieLens 100K and 1M formats, written at test time into a temporary folder.
// The rows are made up (ids, ratings and timestamps chosen for the tests; titles in Latin-1 to test
// the conversion): nothing from the real MovieLens files is committed, whose licence forbids
// redistribution. The real datasets are read from ../shared by shared_datasets_test.cpp.
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace tailrec::test {

// The folder holding ml100k/, ml100k_bad/ and ml1m/, created once per test process.
inline const std::filesystem::path& movielens_fixture_root() {
  static const std::filesystem::path root = [] {
    const auto dir = std::filesystem::temp_directory_path() / ("tailrec-ml-fixtures-" + std::to_string(::getpid()));
    const std::vector<std::pair<std::string, std::string>> files = {
      {"ml100k/ml-100k/u.data",
       "10\t5\t3\t881200001\n"
      "2\t5\t4\t881200002\n"
      "2\t20\t1\t881200003\n"
      "10\t1\t5\t881200004\n"
      ""},
      {"ml100k/ml-100k/u.genre",
       "unknown|0\n"
      "Action|1\n"
      "Adventure|2\n"
      "Animation|3\n"
      "Children's|4\n"
      "Comedy|5\n"
      "Crime|6\n"
      "Documentary|7\n"
      "Drama|8\n"
      "Fantasy|9\n"
      "Film-Noir|10\n"
      "Horror|11\n"
      "Musical|12\n"
      "Mystery|13\n"
      "Romance|14\n"
      "Sci-Fi|15\n"
      "Thriller|16\n"
      "War|17\n"
      "Western|18\n"
      "\n"
      ""},
      {"ml100k/ml-100k/u.item",
       "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
      "5|Mis\xE9""rables, Les (1995)|01-Jan-1995||http://x|0|0|0|0|0|0|0|0|1|0|0|0|1|0|0|0|0|0|0\n"
      "20|Plain (1996)|01-Jan-1996||http://x|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
      "99|Never Rated (1990)|01-Jan-1990||http://x|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0\n"
      ""},
      {"ml100k/ml-100k/u1.base",
       "1\t1\t5\t874900001\n"
      "1\t2\t3\t874900002\n"
      "2\t1\t4\t874900003\n"
      ""},
      {"ml100k/ml-100k/u1.test",
       "1\t3\t4\t874900004\n"
      "2\t2\t2\t874900005\n"
      ""},
      {"ml100k_bad/u.data",
       "1\t1\t5\t874900001\n"
      "1\t2\tfive\t874900002\n"
      ""},
      {"ml1m/ml-1m/ratings.dat",
       "1::1193::5::978300001\n"
      "1::73::3::978300003\n"
      "6040::1193::4::956700003\n"
      "3::3::2::978290004\n"
      ""},
      {"ml1m/ml-1m/movies.dat",
       "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n"
      "73::Mis\xE9""rables, Les (1995)::Drama|Musical\n"
      "3::Grumpier Old Men (1995)::Comedy|Romance\n"
      ""},
      {"ml1m/ml-1m/ratings-wrong-columns.dat",
       "1::1193::5::978300001\n"
      "1::73::3\n"
      ""},
    };
    for (const auto& [name, content] : files) {
      std::filesystem::create_directories((dir / name).parent_path());
      std::ofstream(dir / name, std::ios::binary) << content;
    }
    return dir;
  }();
  return root;
}

}  // namespace tailrec::test
