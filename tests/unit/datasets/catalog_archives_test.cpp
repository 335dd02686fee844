// Catalog entries with several archives (MIND: train and dev zips): each archive is checked and
// unpacked into its own folder, an archive without a published checksum is reported with the
// sha256 computed, and the mind_small entry carries its licence terms. file:// URLs only.
#include <filesystem>

#include <gtest/gtest.h>

#include "datasets/catalog.hpp"
#include "datasets/download.hpp"
#include "unit/datasets/dataset_test_support.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

using test::error_of;
using test::fixture;

// tests/data/datasets/archive/tiny.zip holds tiny/hello.txt and tiny/stored.txt.
constexpr const char* kTinyZipMd5 = "324f5a7831d05de72a127448b7420e9d";

CatalogEntry two_archive_entry(const std::filesystem::path& copy) {
  const auto url = "file://" + std::filesystem::absolute(fixture("archive/tiny.zip")).string();
  CatalogEntry entry;
  entry.name = "pair";
  entry.archives = {{.url = url, .file = "first.zip", .md5 = kTinyZipMd5, .extract_to = "first"},
                    {.url = "file://" + copy.string(), .file = "second.zip", .extract_to = "second"}};
  entry.files = {{"first/tiny/hello.txt", ""}, {"second/tiny/stored.txt", ""}};
  return entry;
}

TEST(DatasetsCatalogArchives, EachArchiveUnpacksIntoItsFolder) {
  testing::TempDir dir;
  const auto copy = dir.path() / "source" / "tiny-copy.zip";
  std::filesystem::create_directories(copy.parent_path());
  std::filesystem::copy_file(fixture("archive/tiny.zip"), copy);
  const auto data = dir.path() / "data";
  const auto notes = fetch_dataset(two_archive_entry(copy), data);
  EXPECT_TRUE(std::filesystem::exists(data / "first/tiny/hello.txt"));
  EXPECT_TRUE(std::filesystem::exists(data / "second/tiny/stored.txt"));
  EXPECT_FALSE(std::filesystem::exists(data / "first.zip"));  // archives go once everything is verified
  EXPECT_FALSE(std::filesystem::exists(data / "second.zip"));
  // The second archive has no checksum: fetch says so and gives the sha256 it computed.
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "second.zip: no published checksum to verify it against; its sha256 is " + sha256_file(copy));
  EXPECT_TRUE(fetch_dataset(two_archive_entry(copy), data).empty());  // already there: nothing to note
}

TEST(DatasetsCatalogArchives, AWrongChecksumStopsBeforeUnpacking) {
  testing::TempDir dir;
  auto entry = two_archive_entry(fixture("archive/tiny.zip"));
  entry.archives[1].md5 = std::string(32, 'f');
  const auto message = error_of([&] { fetch_dataset(entry, dir.path()); });
  EXPECT_NE(message.find("second.zip has md5 " + std::string(kTinyZipMd5) + ", expected " + std::string(32, 'f')),
            std::string::npos)
      << message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "second"));
}

TEST(DatasetsCatalogArchives, MindSmallIsKnownWithItsTerms) {
  const auto& entry = catalog_entry("mind_small");
  EXPECT_EQ(entry.loader, "mind");
  ASSERT_EQ(entry.archives.size(), 2u);
  EXPECT_EQ(entry.archives[0].url, "https://mind201910small.blob.core.windows.net/release/MINDsmall_train.zip");
  EXPECT_EQ(entry.archives[0].extract_to, "MINDsmall_train");
  EXPECT_EQ(entry.archives[1].url, "https://mind201910small.blob.core.windows.net/release/MINDsmall_dev.zip");
  EXPECT_EQ(entry.archives[1].extract_to, "MINDsmall_dev");
  EXPECT_NE(entry.terms.find("Microsoft Research License Terms"), std::string::npos);
  // The files the loader reads, where the dataset config looks for them.
  EXPECT_EQ(entry.files[0].path, "MINDsmall_train/news.tsv");
  EXPECT_EQ(entry.files[3].path, "MINDsmall_dev/behaviors.tsv");
}

}  // namespace
}  // namespace tailrec
