// Checksums, dataset verification, ZIP extraction and the whole fetch (over a file:// URL, since
// no network is reachable in tests) on small fixtures.
#include "datasets/download.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "datasets/catalog.hpp"
#include "datasets/data_dir.hpp"
#include "unit/datasets/dataset_test_support.hpp"

namespace tailrec {
namespace {

using test::error_of;
using test::fixture;

// sha256 and md5 of the 6 bytes "hello\n" (as printed by `sha256sum` / `md5sum`).
constexpr const char* kHelloSha256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
constexpr const char* kHelloMd5 = "b1946ac92492d2347c6235b4d2611184";
// tiny.zip (make_test_data.py): tiny/ + tiny/hello.txt ("hello world\n" x 100, deflated) + tiny/stored.txt.
constexpr const char* kTinyZipMd5 = "324f5a7831d05de72a127448b7420e9d";
constexpr const char* kTinyHelloSha256 = "ceebb2a573b5e0e36b9d7ddc62b93c353f302dbff63674b72f12478d142da651";

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("tailrec-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(DatasetsDownload, Sha256AndMd5OfKnownFile) {
  EXPECT_EQ(sha256_file(fixture("hello.txt")), kHelloSha256);
  EXPECT_EQ(md5_file(fixture("hello.txt")), kHelloMd5);
  EXPECT_NE(error_of([] { sha256_file("/nonexistent/file"); }).find("/nonexistent/file"), std::string::npos);
}

TEST(DatasetsDownload, VerifySuccessAndFailure) {
  CatalogEntry entry;
  entry.name = "hello";
  entry.files = {{"hello.txt", kHelloSha256}, {"delimited/train.rating", ""}};
  EXPECT_NO_THROW(verify_dataset(entry, fixture("")));
  entry.files[0].sha256 = std::string(64, '0');
  const auto wrong = error_of([&] { verify_dataset(entry, fixture("")); });
  EXPECT_NE(wrong.find("hello.txt has sha256 " + std::string(kHelloSha256) + ", expected " + std::string(64, '0')),
            std::string::npos)
      << wrong;
  entry.files = {{"absent.txt", ""}};
  EXPECT_NE(error_of([&] { verify_dataset(entry, fixture("")); }).find("absent.txt is missing; run `tailrec data fetch hello`"),
            std::string::npos);
}

TEST(DatasetsDownload, CatalogKnowsTheMovieLensReleases) {
  EXPECT_EQ(catalog_entry("ml100k").files[0].sha256, "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490");
  EXPECT_EQ(catalog_entry("ml1m").archives[0].url, "https://files.grouplens.org/datasets/movielens/ml-1m.zip");
  EXPECT_EQ(catalog_entry("ml_latest_small").loader, "movielens_csv");
  EXPECT_EQ(catalog_entry("ml20m").archives[0].size, 198702078);
  EXPECT_NE(error_of([] { catalog_entry("ml100"); }).find("did you mean 'ml100k'"), std::string::npos);
}

TEST(DatasetsDownload, SharedFilesMatchTheCatalog) {
  const std::string shared = std::string(TAILREC_SHARED_DIR) + "/datasets";
  if (!std::filesystem::exists(shared + "/ml-latest-small/ratings.csv")) GTEST_SKIP() << "no shared folder";
  EXPECT_NO_THROW(verify_dataset("ml_latest_small", shared));
  EXPECT_NO_THROW(verify_dataset("ml100k", shared));
  // The shared ML-1M has the reconstructed ratings instead of the official ratings.dat.
  EXPECT_NE(error_of([&] { verify_dataset("ml1m", shared); }).find("ratings.dat is missing"), std::string::npos);
}

TEST(DatasetsDownload, EmbeddedLatestSmallMatchesTheCatalog) {
  // datasets/ml-latest-small is a byte-exact copy of the pinned GroupLens release.
  EXPECT_NO_THROW(verify_dataset("ml_latest_small", std::string(TAILREC_SOURCE_DIR) + "/datasets"));
}

TEST(DatasetsDownload, ExtractsStoredAndDeflatedEntries) {
  TempDir dir("zip");
  EXPECT_EQ(extract_zip(fixture("archive/tiny.zip"), dir.path()), 2u);  // two files; the folder entry is no file
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "hello world\n";
  EXPECT_EQ(slurp(dir.path() / "tiny/hello.txt"), expected);
  EXPECT_EQ(slurp(dir.path() / "tiny/stored.txt"), "abc\n");
  // Each entry went through a temporary name; none is left.
  std::vector<std::string> names;
  for (const auto& file : std::filesystem::directory_iterator(dir.path() / "tiny")) names.push_back(file.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"hello.txt", "stored.txt"}));
}

TEST(DatasetsDownload, RejectsCorruptAndEscapingArchives) {
  TempDir dir("badzip");
  const auto corrupt = error_of([&] { extract_zip(fixture("archive/corrupt.zip"), dir.path()); });
  EXPECT_NE(corrupt.find("entry 'tiny/stored.txt' fails its check"), std::string::npos) << corrupt;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny/stored.txt"));
  ASSERT_TRUE(std::filesystem::is_directory(dir.path() / "tiny"));
  for (const auto& file : std::filesystem::directory_iterator(dir.path() / "tiny"))  // nor its temporary
    EXPECT_FALSE(file.path().filename().string().ends_with(".tmp")) << file.path();
  const auto evil = error_of([&] { extract_zip(fixture("archive/evil.zip"), dir.path() / "inner"); });
  EXPECT_NE(evil.find("refusing ZIP entry '../evil.txt'"), std::string::npos) << evil;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "evil.txt"));
  EXPECT_NE(error_of([&] { extract_zip(fixture("hello.txt"), dir.path()); }).find("not a ZIP archive"), std::string::npos);
}

CatalogEntry tiny_entry() {
  CatalogEntry entry;
  entry.name = "tiny";
  entry.archives = {{.url = "file://" + std::filesystem::absolute(fixture("archive/tiny.zip")).string(),
                     .file = "tiny.zip",
                     .md5 = kTinyZipMd5}};
  entry.folder = "tiny";
  entry.files = {{"tiny/hello.txt", kTinyHelloSha256}, {"tiny/stored.txt", ""}};
  return entry;
}

TEST(DatasetsDownload, FetchDownloadsChecksExtractsAndVerifies) {
  TempDir dir("fetch");
  std::vector<std::string> stages;
  fetch_dataset(tiny_entry(), dir.path(), [&](std::string_view stage, int64_t, int64_t) {
    if (stages.empty() || stages.back() != stage) stages.emplace_back(stage);
  });
  EXPECT_EQ(sha256_file(dir.path() / "tiny/hello.txt"), kTinyHelloSha256);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny.zip"));  // removed once extracted and verified
  EXPECT_EQ(stages.back(), "verify");
  // A second fetch finds everything in place.
  stages.clear();
  fetch_dataset(tiny_entry(), dir.path(), [&](std::string_view stage, int64_t, int64_t) { stages.emplace_back(stage); });
  EXPECT_EQ(stages, (std::vector<std::string>{"present"}));
}

TEST(DatasetsDownload, FetchRejectsAnArchiveWithTheWrongChecksum) {
  TempDir dir("fetchbad");
  auto entry = tiny_entry();
  entry.archives[0].md5 = std::string(32, 'f');
  const auto message = error_of([&] { fetch_dataset(entry, dir.path()); });
  EXPECT_NE(message.find("has md5 " + std::string(kTinyZipMd5) + ", expected " + std::string(32, 'f')), std::string::npos)
      << message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny.zip"));  // deleted so the next fetch starts clean
}

// The archive is checked while it is still tiny.zip.part: the final name appears only for bytes
// that matched, so a crash between download and check never leaves a complete-looking archive.
TEST(DatasetsDownload, FetchChecksTheArchiveBeforeRenamingIt) {
  TempDir dir("fetchorder");
  auto entry = tiny_entry();
  entry.archives[0].md5 = std::string(32, 'f');
  bool checked = false;
  const auto message = error_of([&] {
    fetch_dataset(entry, dir.path(), [&](std::string_view stage, int64_t, int64_t) {
      if (stage != "check") return;
      checked = true;
      EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny.zip")) << "renamed before its checksum was checked";
      EXPECT_EQ(md5_file(dir.path() / "tiny.zip.part"), kTinyZipMd5);
    });
  });
  EXPECT_TRUE(checked);
  EXPECT_NE(message.find("tiny.zip has md5 " + std::string(kTinyZipMd5)), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny.zip"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny.zip.part"));  // a bad download is not resumed
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny"));          // nor unpacked
}

TEST(DatasetsDownload, ResumesAPartialDownload) {
  TempDir dir("resume");
  const auto whole = slurp(fixture("archive/tiny.zip"));
  {
    std::ofstream part(dir.path() / "tiny.zip.part", std::ios::binary);
    part.write(whole.data(), static_cast<std::streamsize>(whole.size() / 2));  // first half only
  }
  download_file(tiny_entry().archives[0].url, dir.path() / "tiny.zip");
  EXPECT_EQ(md5_file(dir.path() / "tiny.zip"), kTinyZipMd5);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny.zip.part"));
  const auto failed = error_of([&] { download_file("file:///nonexistent/x.zip", dir.path() / "x.zip"); });
  EXPECT_NE(failed.find("download of file:///nonexistent/x.zip failed"), std::string::npos) << failed;
}

TEST(DatasetsDataDir, EnvironmentOrder) {
  const char* saved_data = std::getenv("TAILREC_DATA_DIR");
  const char* saved_xdg = std::getenv("XDG_CACHE_HOME");
  const std::string keep_data = saved_data ? saved_data : "", keep_xdg = saved_xdg ? saved_xdg : "";
  ::setenv("TAILREC_DATA_DIR", "/data/here", 1);
  ::setenv("XDG_CACHE_HOME", "/xdg", 1);
  EXPECT_EQ(default_data_dir(), std::filesystem::path("/data/here"));
  ::unsetenv("TAILREC_DATA_DIR");
  EXPECT_EQ(default_data_dir(), std::filesystem::path("/xdg/tailrec/data"));
  ::unsetenv("XDG_CACHE_HOME");
  if (const char* home = std::getenv("HOME")) {
    EXPECT_EQ(default_data_dir(), std::filesystem::path(home) / ".cache/tailrec/data");
  }
  if (saved_data) ::setenv("TAILREC_DATA_DIR", keep_data.c_str(), 1);
  if (saved_xdg) ::setenv("XDG_CACHE_HOME", keep_xdg.c_str(), 1);
}

}  // namespace
}  // namespace tailrec
