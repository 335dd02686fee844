// Checksums, dataset verification, ZIP extraction and the whole fetch (over a file:// URL, since
// no network is reachable in tests) on small fixtures.
#include "datasets/download.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

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

// --- Hostile archives, built here byte by byte (never a dataset's row) -------------------------

struct ZipMember {
  std::string name;
  std::string bytes;       // as stored in the archive (raw deflate when method is 8)
  uint16_t method = 0;
  uint32_t declared_size;  // what the headers claim the entry inflates to
  uint32_t crc = 0;
};

ZipMember stored(const std::string& name, const std::string& data) {
  return {name, data, 0, static_cast<uint32_t>(data.size()),
          static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())))};
}

// `zeros` zero bytes, raw-deflated in 1 MiB steps (a 300 MB entry without a 300 MB buffer).
std::string deflated_zeros(uint64_t zeros) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string input(1 << 20, '\0');
  std::string out, buffer(1 << 16, '\0');
  for (uint64_t left = zeros;;) {
    const auto chunk = static_cast<uInt>(std::min<uint64_t>(left, input.size()));
    left -= chunk;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z.avail_in = chunk;
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    int status;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer.data());
      z.avail_out = static_cast<uInt>(buffer.size());
      status = deflate(&z, flush);
      out.append(buffer.data(), buffer.size() - z.avail_out);
    } while (z.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
    if (left == 0) break;
  }
  deflateEnd(&z);
  return out;
}

void put16(std::string& out, uint32_t v) { out += static_cast<char>(v & 0xff), out += static_cast<char>((v >> 8) & 0xff); }
void put32(std::string& out, uint32_t v) { put16(out, v & 0xffff), put16(out, v >> 16); }

// A ZIP archive (APPNOTE 4.3: local headers + data, central directory, end record) of `members`.
void write_zip(const std::filesystem::path& path, const std::vector<ZipMember>& members) {
  std::string out, central;
  for (const auto& m : members) {
    const auto offset = static_cast<uint32_t>(out.size());
    const auto header = [&](std::string& h, bool local) {
      put32(h, local ? 0x04034b50 : 0x02014b50);
      if (!local) put16(h, 20);  // version made by
      put16(h, 20), put16(h, 0), put16(h, m.method), put16(h, 0), put16(h, 0);  // version, flags, method, time, date
      put32(h, m.crc), put32(h, static_cast<uint32_t>(m.bytes.size())), put32(h, m.declared_size);
      put16(h, static_cast<uint32_t>(m.name.size())), put16(h, 0);  // name length, extra length
      if (!local) put16(h, 0), put16(h, 0), put16(h, 0), put32(h, 0), put32(h, offset);  // comment .. local offset
      h += m.name;
    };
    header(out, true);
    out += m.bytes;
    header(central, false);
  }
  const auto central_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50), put16(out, 0), put16(out, 0);
  put16(out, static_cast<uint32_t>(members.size())), put16(out, static_cast<uint32_t>(members.size()));
  put32(out, static_cast<uint32_t>(central.size())), put32(out, central_offset), put16(out, 0);
  std::ofstream(path, std::ios::binary).write(out.data(), static_cast<std::streamsize>(out.size()));
}

bool is_empty_folder(const std::filesystem::path& dir) {
  return !std::filesystem::exists(dir) || std::filesystem::is_empty(dir);
}

// An entry that declares 10 bytes but inflates to 64 MB is stopped at byte 10 while inflating (the
// message of that check, not the size/crc check after the entry), and leaves nothing behind.
TEST(DatasetsDownload, StopsAnEntryThatInflatesPastItsDeclaredSize) {
  TempDir dir("zipbomb");
  ZipMember bomb{"bomb.bin", deflated_zeros(64ull << 20), 8, 10, 0};  // 300 MB stops alike; 64 keeps it fast
  ASSERT_LT(bomb.bytes.size(), 1u << 20);  // 64 MB of zeros deflate to ~64 KB
  write_zip(dir.path() / "bomb.zip", {bomb});
  const auto error = error_of([&] { extract_zip(dir.path() / "bomb.zip", dir.path() / "out"); });
  EXPECT_NE(error.find("entry 'bomb.bin' inflates past the 10 bytes its header declares"), std::string::npos) << error;
  EXPECT_TRUE(is_empty_folder(dir.path() / "out"));
}

// Declared sizes beyond the global cap (5 x 4 GiB > 16 GiB) are refused before anything is written.
TEST(DatasetsDownload, RefusesAnArchiveDeclaringMoreThanTheCap) {
  TempDir dir("zipcap");
  std::vector<ZipMember> members;
  for (const char* name : {"a", "b", "c", "d", "e"}) members.push_back({name, "x", 0, 0xFFFFFFFEu, 0});
  write_zip(dir.path() / "big.zip", members);
  const auto error = error_of([&] { extract_zip(dir.path() / "big.zip", dir.path() / "out"); });
  EXPECT_NE(error.find("more than the 16 GiB tailrec extracts"), std::string::npos) << error;
  EXPECT_TRUE(is_empty_folder(dir.path() / "out"));
}

// A NUL or control byte, an absolute path, or a '..'/'.'/empty component in any entry name refuses
// the whole archive before its first (good) entry is written.
TEST(DatasetsDownload, RefusesHostileEntryNamesBeforeWritingAnything) {
  TempDir dir("zipnames");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("ok.txt\0.part", 12), "NUL or control byte"},
      {"bell\x07.txt", "NUL or control byte"},
      {"line\nbreak.txt", "NUL or control byte"},
      {"/etc/evil.txt", "an absolute path"},
      {"../evil.txt", "'..'"},
      {"sub/../../evil.txt", "'..'"},
      {"sub/./x.txt", "'..', '.' or empty"},
      {"sub//x.txt", "'..', '.' or empty"},
      {"sub\\..\\x.txt", "backslash"},
  };
  for (const auto& [name, why] : cases) {
    write_zip(dir.path() / "bad.zip", {stored("good.txt", "fine\n"), stored(name, "evil\n")});
    const auto out = dir.path() / "out";
    const auto error = error_of([&] { extract_zip(dir.path() / "bad.zip", out); });
    EXPECT_NE(error.find("refusing ZIP entry"), std::string::npos) << error;
    EXPECT_NE(error.find(why), std::string::npos) << error;
    EXPECT_EQ(error.find('\0'), std::string::npos) << "the name is echoed escaped";
    EXPECT_TRUE(is_empty_folder(out)) << "something was written for " << error;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "evil.txt"));
  }
  // The same builder's honest archive extracts (the checks above are about the names alone).
  write_zip(dir.path() / "good.zip", {stored("sub/good.txt", "fine\n")});
  EXPECT_EQ(extract_zip(dir.path() / "good.zip", dir.path() / "good"), 1u);
  EXPECT_EQ(slurp(dir.path() / "good/sub/good.txt"), "fine\n");
}

// A symbolic link planted at the download's .part name gets nothing appended to its target; a FIFO
// there is refused too (not waited on).
TEST(DatasetsDownload, PartFileIsNeverALinkOrAFifo) {
  TempDir dir("partlink");
  {
    std::ofstream(dir.path() / "victim.txt") << "victim\n";
  }
  std::filesystem::create_symlink(dir.path() / "victim.txt", dir.path() / "tiny.zip.part");
  const auto linked = error_of([&] { download_file(tiny_entry().archives[0].url, dir.path() / "tiny.zip"); });
  EXPECT_NE(linked.find("tiny.zip.part is a symbolic link"), std::string::npos) << linked;
  EXPECT_EQ(slurp(dir.path() / "victim.txt"), "victim\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "tiny.zip"));
  ASSERT_EQ(::mkfifo((dir.path() / "fifo.zip.part").c_str(), 0600), 0);
  const auto fifo = error_of([&] { download_file(tiny_entry().archives[0].url, dir.path() / "fifo.zip"); });
  EXPECT_NE(fifo.find("fifo.zip.part is not a regular file"), std::string::npos) << fifo;
}

}  // namespace
}  // namespace tailrec
