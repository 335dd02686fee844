// framework/data/dataset_cache: a loaded dataset survives a save/load round trip bit for bit; every
// truncation or corruption yields nullopt instead of a crash; the key follows files and recipe.
#include "framework/data/dataset_cache.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "unit/datasets/dataset_test_support.hpp"

namespace tailrec {
namespace {

using test::fixture;
using test::make_source;

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("tailrec-cache-test-" + std::to_string(::getpid()) + "-" + name);
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void expect_same(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.users.externals(), b.users.externals());
  EXPECT_EQ(a.items.externals(), b.items.externals());
  EXPECT_EQ(a.items.numeric(), b.items.numeric());
  EXPECT_EQ(a.log.users, b.log.users);
  EXPECT_EQ(a.log.items, b.log.items);
  EXPECT_EQ(a.log.ratings, b.log.ratings);
  EXPECT_EQ(a.log.timestamps, b.log.timestamps);
  EXPECT_EQ(a.log.has_ratings, b.log.has_ratings);
  EXPECT_EQ(a.content.num_items(), b.content.num_items());
  EXPECT_EQ(a.content.field_names(), b.content.field_names());
  for (const auto& field : a.content.field_names())
    for (int32_t i = 0; i < a.content.num_items(); ++i) EXPECT_EQ(a.content.value(field, i), b.content.value(field, i));
  EXPECT_EQ(a.predefined_fold, b.predefined_fold);
}

TEST(DatasetsCache, RoundTripWithContentTimestampsAndFolds) {
  const auto source = make_source("delimited", "{path: '" + fixture("delimited/quoted.csv") +
                                                   "', columns: {user: user, item: item, rating: score, timestamp: when}, "
                                                   "items: {path: '" + fixture("delimited/items.csv") +
                                                   "', id: id, text: [title, genres]}}");
  auto data = source->load();
  data.predefined_fold = {0, 1, 1};
  const auto file = temp_file("roundtrip.bin");
  save_dataset_cache(file, data);
  const auto loaded = load_dataset_cache(file);
  ASSERT_TRUE(loaded.has_value());
  expect_same(data, *loaded);
  EXPECT_EQ(loaded->log.hash(), data.log.hash());
  std::filesystem::remove(file);
}

TEST(DatasetsCache, ImplicitDatasetWithoutTimeOrContent) {
  const auto data = make_source("delimited", "{path: '" + fixture("delimited/mixed_ids.csv") +
                                                 "', columns: {user: user, item: item}}")->load();
  const auto file = temp_file("implicit.bin");
  save_dataset_cache(file, data);
  const auto loaded = load_dataset_cache(file);
  ASSERT_TRUE(loaded.has_value());
  expect_same(data, *loaded);
  EXPECT_FALSE(loaded->items.numeric());  // "a" among the items
  EXPECT_FALSE(loaded->log.has_timestamps());
  std::filesystem::remove(file);
}

TEST(DatasetsCache, EveryTruncationAndCorruptionIsRejected) {
  const auto data = make_source("movielens_100k", "{data_dir: '" + fixture("ml100k") + "'}")->load();
  const auto file = temp_file("corrupt.bin");
  save_dataset_cache(file, data);
  const auto bytes = slurp(file);
  ASSERT_GT(bytes.size(), 100u);
  // Every cut inside the header and the first records, then every 7th (file writes are slow here).
  for (size_t size = 0; size < bytes.size(); size += size < 64 ? 1 : 7) {
    spit(file, bytes.substr(0, size));
    EXPECT_FALSE(load_dataset_cache(file).has_value()) << "truncated to " << size << " bytes";
  }
  spit(file, bytes + "x");  // trailing garbage
  EXPECT_FALSE(load_dataset_cache(file).has_value());
  auto other_version = bytes;
  other_version[8] = static_cast<char>(other_version[8] + 1);  // the format version follows the 8-byte magic
  spit(file, other_version);
  EXPECT_FALSE(load_dataset_cache(file).has_value());
  // Flipping any single byte never crashes; it either fails or yields some dataset.
  for (size_t at = 0; at < bytes.size(); at += 11) {
    auto flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5A);
    spit(file, flipped);
    (void)load_dataset_cache(file);
  }
  std::filesystem::remove(file);
  EXPECT_FALSE(load_dataset_cache(file).has_value());  // missing
}

TEST(DatasetsCache, KeyFollowsRecipeAndFiles) {
  const auto file = temp_file("keyed.csv");
  spit(file, "user,item\n1,2\n");
  const auto key = dataset_cache_key("recipe-a", {file});
  EXPECT_EQ(key.size(), 16u);
  EXPECT_EQ(key, dataset_cache_key("recipe-a", {file}));  // stable
  EXPECT_NE(key, dataset_cache_key("recipe-b", {file}));
  spit(file, "user,item\n1,2\n3,4\n");  // size changes
  const auto grown = dataset_cache_key("recipe-a", {file});
  EXPECT_NE(key, grown);
  // Same size, later mtime.
  std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(5));
  EXPECT_NE(grown, dataset_cache_key("recipe-a", {file}));
  std::filesystem::remove(file);
  EXPECT_EQ(dataset_cache_key("recipe-a", {file}).size(), 16u);  // a missing file still gives a key
}

}  // namespace
}  // namespace tailrec
