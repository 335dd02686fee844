// Each loader on the small fixtures in tests/data/datasets (written by make_test_data.py there):
// dense id order, rows in file order, ratings/timestamps, item content, fixed splits, and errors.
#include <gtest/gtest.h>

#include "test_support.hpp"
#include "unit/datasets/dataset_test_support.hpp"

namespace tailrec {
namespace {

using test::error_of;
using test::fixture;
using test::make_source;

std::string data_dir(const std::string& relative) { return "{data_dir: '" + fixture(relative) + "'}"; }

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "expected '" << part << "' in: " << text;
}

// --- movielens_100k ----------------------------------------------------------------------------

TEST(DatasetsMovieLens100k, LoadsRowsInFileOrderWithNumericIdOrder) {
  const auto data = make_source("movielens_100k", data_dir("ml100k"))->load();  // finds ml100k/ml-100k/u.data
  EXPECT_EQ(data.name, "ml-100k");
  // users {10, 2} -> numeric order 2, 10; items {5, 20, 1} -> 1, 5, 20 (not byte order "1","20","5").
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"2", "10"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"1", "5", "20"}));
  // u.data rows: 10 5 3, 2 5 4, 2 20 1, 10 1 5 -> dense (1,1), (0,1), (0,2), (1,0).
  EXPECT_EQ(data.log.users, (std::vector<int32_t>{1, 0, 0, 1}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{1, 1, 2, 0}));
  EXPECT_EQ(data.log.ratings, (std::vector<float>{3, 4, 1, 5}));
  EXPECT_EQ(data.log.timestamps, (std::vector<int64_t>{881200001, 881200002, 881200003, 881200004}));
  EXPECT_TRUE(data.log.has_ratings);
  EXPECT_TRUE(data.predefined_fold.empty());
}

TEST(DatasetsMovieLens100k, TitlesFromLatin1AndGenresFromFlags) {
  const auto data = make_source("movielens_100k", data_dir("ml100k"))->load();
  ASSERT_EQ(data.content.num_items(), 3);  // item 99 occurs only in u.item: dropped
  EXPECT_EQ(data.content.field_names(), (std::vector<std::string>{"title", "genres"}));
  EXPECT_EQ(data.content.value("title", 1), "Mis\xC3\xA9rables, Les (1995)");  // Latin-1 0xE9 -> UTF-8 C3 A9
  EXPECT_EQ(data.content.value("genres", 1), "Drama Musical");
  EXPECT_EQ(data.content.value("genres", 0), "Animation Children's Comedy");
  EXPECT_EQ(data.content.value("genres", 2), "");  // no flag set
  EXPECT_EQ(data.content.text(0), "Toy Story (1995). Animation Children's Comedy");
}

TEST(DatasetsMovieLens100k, FilesAndFixedSplit) {
  const auto source = make_source("movielens_100k", data_dir("ml100k"));
  const auto files = source->files();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].filename(), "u.data");
  EXPECT_EQ(files[1].filename(), "u.item");
  EXPECT_EQ(files[2].filename(), "u.genre");
  // Relative names resolve inside the dataset folder. u1.base: (1,1) (1,2) (2,1); u1.test: (1,3) (2,2).
  const auto data = source->load_files({"u1.base", "u1.test"});
  EXPECT_EQ(data.predefined_fold, (std::vector<uint8_t>{0, 0, 0, 1, 1}));
  EXPECT_EQ(data.log.users, (std::vector<int32_t>{0, 0, 1, 0, 1}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{0, 1, 0, 2, 1}));
  EXPECT_EQ(data.items.size(), 3);
  EXPECT_EQ(source->describe()["loader"], "movielens_100k");
  EXPECT_EQ(source->describe()["params"]["file"], "u.data");
}

TEST(DatasetsMovieLens100k, Errors) {
  // Flat layout (u.data directly in data_dir) with "five" as the rating on line 2.
  const auto bad = error_of([] { make_source("movielens_100k", data_dir("ml100k_bad"))->load(); });
  expect_contains(bad, "ml100k_bad/u.data:2: rating 'five' in column 3 is not a number");
  const auto missing = error_of([] { make_source("movielens_100k", "{data_dir: /nonexistent}")->load(); });
  expect_contains(missing, "/nonexistent/ml-100k/u.data not found");
  expect_contains(missing, "tailrec data fetch ml100k");
  expect_contains(error_of([] { make_source("movielens_100k", "{fiel: u1.base}"); }),
                  "unknown parameter 'fiel' (did you mean 'file'?)");
}

// --- movielens_1m ------------------------------------------------------------------------------

TEST(DatasetsMovieLens1m, LoadsRatingsAndLatin1Movies) {
  const auto data = make_source("movielens_1m", data_dir("ml1m"))->load();
  EXPECT_EQ(data.name, "ml-1m");
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"1", "3", "6040"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"3", "73", "1193"}));
  // 1::1193 5, 1::73 3, 6040::1193 4, 3::3 2
  EXPECT_EQ(data.log.users, (std::vector<int32_t>{0, 0, 2, 1}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{2, 1, 2, 0}));
  EXPECT_EQ(data.log.ratings, (std::vector<float>{5, 3, 4, 2}));
  EXPECT_EQ(data.log.timestamps[2], 956700003);
  EXPECT_EQ(data.content.value("title", 1), "Mis\xC3\xA9rables, Les (1995)");
  EXPECT_EQ(data.content.value("genres", 1), "Drama Musical");
  EXPECT_EQ(data.content.value("genres", 0), "Comedy Romance");
  EXPECT_EQ(data.content.value("title", 2), "One Flew Over the Cuckoo's Nest (1975)");
}

TEST(DatasetsMovieLens1m, WrongColumnCountNamesLine) {
  const auto message = error_of([] {
    make_source("movielens_1m", "{data_dir: '" + fixture("ml1m") + "', ratings_file: ratings-wrong-columns.dat}")->load();
  });
  expect_contains(message, "ratings-wrong-columns.dat:2: expected 4 columns separated by '::', found 3");
}

// --- movielens_csv -----------------------------------------------------------------------------

TEST(DatasetsMovieLensCsv, RatingsMoviesTagsAndAbstracts) {
  const auto data = make_source("movielens_csv", "{data_dir: '" + fixture("mlcsv") + "', abstracts: abstracts.json}")->load();
  EXPECT_EQ(data.name, "mlcsv");
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"1", "3", "10"}));  // 11 is never rated
  EXPECT_EQ(data.log.ratings, (std::vector<float>{4.0f, 4.5f, 0.5f, 3.0f}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{0, 1, 1, 2}));
  EXPECT_EQ(data.content.field_names(), (std::vector<std::string>{"title", "genres", "tags", "abstract"}));
  EXPECT_EQ(data.content.value("title", 1), "Grumpier Old Men, The (1995)");  // quoted, embedded comma
  EXPECT_EQ(data.content.value("title", 2), "Am\xC3\xA9lie (Fabuleux destin d'Am\xC3\xA9lie Poulain, Le) (2001)");
  EXPECT_EQ(data.content.value("genres", 0), "Adventure Animation Children Comedy Fantasy");
  EXPECT_EQ(data.content.value("genres", 2), "");  // "(no genres listed)" is not a genre
  // Movie 3 tags: funny, "old, grumpy", Funny (same as funny, ignoring case) -> two distinct tags.
  EXPECT_EQ(data.content.value("tags", 1), "funny, old, grumpy");
  EXPECT_EQ(data.content.value("tags", 0), "pixar");
  EXPECT_EQ(data.content.value("abstract", 0), "A cowboy doll is threatened by a new spaceman toy.");
  EXPECT_EQ(data.content.value("abstract", 1), "");  // "Abstract not found." is ignored
  const auto files = make_source("movielens_csv", "{data_dir: '" + fixture("mlcsv") + "', abstracts: abstracts.json}")->files();
  ASSERT_EQ(files.size(), 4u);  // ratings, movies, tags, abstracts
  EXPECT_EQ(files[3].filename(), "abstracts.json");
}

// --- delimited ---------------------------------------------------------------------------------

const std::string kQuotedConfig = "{path: '" + fixture("delimited/quoted.csv") +
                                  "', columns: {user: user, item: item, rating: score, timestamp: when}, "
                                  "items: {path: items.csv, id: id, text: [title, genres]}}";  // found next to path

TEST(DatasetsDelimited, QuotedUtf8BomCrlfWithItemText) {
  const auto data = make_source("delimited", kQuotedConfig)->load();
  EXPECT_EQ(data.name, "quoted");
  // Text ids in byte order: "i,1" < "i2" because ',' (0x2C) < '2' (0x32).
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"i,1", "i2"}));
  EXPECT_EQ(data.log.users, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{0, 1, 1}));
  EXPECT_EQ(data.log.ratings, (std::vector<float>{4.5f, 3.0f, 2.0f}));
  EXPECT_EQ(data.log.timestamps, (std::vector<int64_t>{100, 200, 300}));
  EXPECT_TRUE(data.log.has_ratings);
  EXPECT_EQ(data.content.field_names(), (std::vector<std::string>{"title", "genres"}));
  EXPECT_EQ(data.content.value("title", 0), "Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e, the movie");
  EXPECT_EQ(data.content.value("genres", 1), "Comedy");
  EXPECT_EQ(make_source("delimited", kQuotedConfig)->files().size(), 2u);
}

TEST(DatasetsDelimited, HeaderlessTabFilesAsFixedSplit) {
  const auto source = make_source("delimited", "{path: '" + fixture("delimited/train.rating") +
                                                   "', sep: '\\t', header: false, "
                                                   "columns: {user: 0, item: 1, rating: 2, timestamp: 3}}");
  // train: (0,0) (0,1) (1,0); test: (0,2) (1,1) -- relative names resolve next to `path`.
  const auto data = source->load_files({"train.rating", "test.rating"});
  EXPECT_EQ(data.predefined_fold, (std::vector<uint8_t>{0, 0, 0, 1, 1}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{0, 1, 0, 2, 1}));
  EXPECT_EQ(data.log.ratings, (std::vector<float>{5, 3, 4, 4, 1}));
  EXPECT_EQ(data.items.size(), 3);
}

TEST(DatasetsDelimited, ImplicitWithoutRatingOrTime) {
  const auto data = make_source("delimited", "{path: '" + fixture("delimited/train.rating") +
                                                 "', sep: tab, header: false, columns: {user: 0, item: 1}}")->load();
  EXPECT_FALSE(data.log.has_ratings);
  EXPECT_FALSE(data.log.has_timestamps());
  EXPECT_EQ(data.log.ratings, (std::vector<float>{1, 1, 1}));
}

TEST(DatasetsDelimited, IdOrderNumericOrBytes) {
  const auto mixed = make_source("delimited", "{path: '" + fixture("delimited/mixed_ids.csv") +
                                                  "', columns: {user: user, item: item}}")->load();
  EXPECT_EQ(mixed.users.externals(), (std::vector<std::string>{"9", "10", "100"}));  // all integers
  EXPECT_EQ(mixed.items.externals(), (std::vector<std::string>{"10", "9", "a"}));     // "a" -> byte order
  const auto numeric = make_source("delimited", "{path: '" + fixture("delimited/numeric_ids.csv") +
                                                    "', columns: {user: user, item: item}}")->load();
  EXPECT_EQ(numeric.items.externals(), (std::vector<std::string>{"9", "10", "100"}));
  // Rows 10,9 / 9,100 / 100,10 -> items 0, 2, 1.
  EXPECT_EQ(numeric.log.items, (std::vector<int32_t>{0, 2, 1}));
}

std::string load_error(const std::string& file, const std::string& extra = "") {
  return error_of([&] {
    make_source("delimited", "{path: '" + fixture("delimited/" + file) + "', columns: {user: user, item: item, rating: " +
                                 "rating}" + extra + "}")->load();
  });
}

TEST(DatasetsDelimited, ParseErrorsNameFileLineAndValue) {
  expect_contains(load_error("bad_rating.csv"), "bad_rating.csv:3: rating 'abc' in column 3 is not a number");
  expect_contains(load_error("inf_rating.csv"), "inf_rating.csv:2: rating 'inf' in column 3 is not a finite number");
  expect_contains(load_error("short_row.csv"), "short_row.csv:4: expected 3 columns separated by ',', found 2");
  expect_contains(load_error("unclosed.csv"), "unclosed.csv:2: a quoted field opened here is never closed");
  expect_contains(load_error("empty.csv"), "empty.csv is empty");
  expect_contains(load_error("header_only.csv"), "no interactions found");
  expect_contains(load_error("missing.csv"), "missing.csv not found");
  // The NaN sits on line 5: the quoted record before it spans lines 3-4.
  expect_contains(error_of([] {
                    make_source("delimited", "{path: '" + fixture("delimited/quoted_bad.csv") +
                                                 "', columns: {user: user, item: item, rating: score}}")->load();
                  }),
                  "quoted_bad.csv:5: rating 'NaN' in column 3 is not a finite number");
}

TEST(DatasetsDelimited, ConfigErrors) {
  const auto path = "{path: '" + fixture("delimited/numeric_ids.csv") + "', ";
  expect_contains(error_of([&] { make_source("delimited", path + "columns: {usr: user, item: item}}"); }),
                  "config key 'dataset.columns.usr' (inline): unknown key 'usr' (did you mean 'user'?)");
  expect_contains(error_of([&] { make_source("delimited", path + "columns: {user: user}}"); }),
                  "config key 'dataset.columns' (inline): the 'item' column is required");
  expect_contains(error_of([&] { make_source("delimited", path + "header: false, columns: {user: user, item: 1}}"); }),
                  "'user' is a column name, but the file has no header");
  expect_contains(error_of([&] { make_source("delimited", path + "columns: {user: usr_id, item: item}}")->load(); }),
                  "numeric_ids.csv:2: column 'usr_id' (dataset.columns.user) is not in the header");
  expect_contains(error_of([&] { make_source("delimited", path + "sep: ','}"); }), "'dataset.columns' is missing");
  expect_contains(error_of([&] {
                    make_source("delimited", path + "columns: {user: user, item: item}, items: {path: x, id: id, txt: [a]}}");
                  }),
                  "unknown key 'txt' (did you mean 'text'?)");
}

// A header that names a column twice is refused (columns.item: item would pick one silently), in
// the ratings file and in the item file alike.
TEST(DatasetsDelimited, DuplicateHeaderColumnsAreRefused) {
  testing::TempDir dir;
  dir.write("ratings.csv", "user,item,rating,item\n1,10,4,11\n");
  expect_contains(error_of([&] {
                    make_source("delimited", "{path: '" + (dir / "ratings.csv").string() +
                                                 "', columns: {user: user, item: item, rating: rating}}")->load();
                  }),
                  "ratings.csv:1: the header names column 'item' twice (columns 2 and 4)");
  dir.write("ok.csv", "user,item\n1,10\n");
  dir.write("items.csv", "id,title,title\n10,a,b\n");
  expect_contains(error_of([&] {
                    make_source("delimited", "{path: '" + (dir / "ok.csv").string() +
                                                 "', columns: {user: user, item: item}, items: {path: '" +
                                                 (dir / "items.csv").string() + "', id: id, text: [title]}}")->load();
                  }),
                  "items.csv:1: the header names column 'title' twice (columns 2 and 3)");
}

// A fixed split whose test file repeats a training interaction names both files and lines.
TEST(DatasetsDelimited, FixedSplitInteractionInBothFilesNamesBoth) {
  testing::TempDir dir;
  dir.write("train.csv", "user,item\n1,10\n\n2,11\n1,12\n");
  dir.write("test.csv", "user,item\n2,12\n1,12\n");
  const auto source = make_source("delimited", "{path: '" + (dir / "train.csv").string() + "', columns: {user: user, item: item}}");
  const auto message = error_of([&] { source->load_files({"train.csv", "test.csv"}); });
  expect_contains(message, "user '1', item '12' is in both");
  expect_contains(message, "train.csv:5 and ");  // the blank line 3 counts
  expect_contains(message, "test.csv:3;");
  // Disjoint files load, each row in its fold.
  dir.write("test.csv", "user,item\n2,12\n");
  EXPECT_EQ(source->load_files({"train.csv", "test.csv"}).predefined_fold, (std::vector<uint8_t>{0, 0, 0, 1}));
}

// --- recbole -----------------------------------------------------------------------------------

TEST(DatasetsRecBole, AtomicFilesWithItemText) {
  const auto source = make_source("recbole", "{data_dir: '" + fixture("recbole") + "', name: toy}");
  const auto data = source->load();
  EXPECT_EQ(data.name, "toy");
  EXPECT_EQ(data.users.externals(), (std::vector<std::string>{"u2", "u7"}));
  EXPECT_EQ(data.items.externals(), (std::vector<std::string>{"i1", "i3"}));
  // u7 i3 4, u7 i1 3.5, u2 i3 1; the second timestamp is written "881250950.0".
  EXPECT_EQ(data.log.users, (std::vector<int32_t>{1, 1, 0}));
  EXPECT_EQ(data.log.items, (std::vector<int32_t>{1, 0, 1}));
  EXPECT_EQ(data.log.ratings, (std::vector<float>{4.0f, 3.5f, 1.0f}));
  EXPECT_EQ(data.log.timestamps, (std::vector<int64_t>{881250949, 881250950, 881250951}));
  // token / token_seq fields become text; the float field "score" does not.
  EXPECT_EQ(data.content.field_names(), (std::vector<std::string>{"movie_title", "release_year", "class"}));
  EXPECT_EQ(data.content.value("movie_title", 0), "Toy Story");
  EXPECT_EQ(data.content.value("class", 0), "Animation Comedy");
  const auto split = source->load_files({"toy.inter", "toy.test.inter"});
  EXPECT_EQ(split.predefined_fold, (std::vector<uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(split.log.ratings.back(), 5.0f);
}

TEST(DatasetsRecBole, BadHeaderType) {
  expect_contains(error_of([] { make_source("recbole", "{data_dir: '" + fixture("recbole") + "', name: bad}")->load(); }),
                  "unknown type 'tokn' (did you mean 'token'?)");
}

TEST(DatasetsRecBole, DuplicateHeaderFieldIsRefused) {
  testing::TempDir dir;
  dir.write("dup/dup.inter", "user_id:token\titem_id:token\titem_id:token\n1\t10\t11\n");
  expect_contains(error_of([&] { make_source("recbole", "{data_dir: '" + dir.path().string() + "', name: dup}")->load(); }),
                  "dup.inter:1: the header names field 'item_id' twice (columns 2 and 3)");
}

TEST(DatasetsRegistry, EveryLoaderIsRegisteredWithDescriptionAndSchema) {
  const auto& registry = test::dataset_registries().datasets;
  EXPECT_EQ(registry.names(),
            (std::vector<std::string>{"delimited", "mind", "movielens_100k", "movielens_1m", "movielens_csv", "recbole"}));
  for (const auto& entry : registry.entries()) {
    EXPECT_FALSE(entry.description.empty()) << entry.name;
    EXPECT_FALSE(entry.params.empty()) << entry.name;
  }
}

}  // namespace
}  // namespace tailrec
