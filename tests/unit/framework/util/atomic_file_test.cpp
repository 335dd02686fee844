#include "framework/util/atomic_file.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::error_of;
using testing::TempDir;

std::vector<std::string> names_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}


TEST(AtomicFile, WritesUnderATemporaryNameAndRenamesOnCommit) {
  TempDir dir;
  const auto target = dir / "result.tsv";
  AtomicFile file(target);
  EXPECT_EQ(file.path(), target);
  EXPECT_EQ(file.temporary_path().parent_path(), dir.path());
  const auto temporary = file.temporary_path().filename().string();
  EXPECT_EQ(temporary.rfind(".result.tsv.", 0), 0u) << temporary;  // hidden, beside the target
  EXPECT_TRUE(temporary.ends_with(".tmp")) << temporary;
  file.write("a\tb\n");
  file.write(std::string_view("c\td\n"));
  EXPECT_FALSE(fs::exists(target));
  file.commit();
  EXPECT_EQ(read_text(target), "a\tb\nc\td\n");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"result.tsv"});  // no temporary left
}

TEST(AtomicFile, WithoutCommitLeavesNeitherTheFileNorTheTemporary) {
  TempDir dir;
  {
    AtomicFile file(dir / "result.tsv");
    file.write("half a file");
    EXPECT_TRUE(fs::exists(file.temporary_path()));
  }
  EXPECT_TRUE(names_in(dir.path()).empty());
  {
    AtomicFile file(dir / "never-written");
  }
  EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(AtomicFile, TwoWritersOfOneTargetUseTwoTemporaries) {
  TempDir dir;
  AtomicFile a(dir / "cache.bin"), b(dir / "cache.bin");
  EXPECT_NE(a.temporary_path(), b.temporary_path());
  a.write("a");
  b.write("b");
  a.commit();
  b.commit();
  EXPECT_EQ(read_text(dir / "cache.bin"), "b");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"cache.bin"});
}

TEST(AtomicFile, AFailedRenameIsAUserErrorNamingBothPathsAndLeavesNoTemporary) {
  TempDir dir;
  const auto target = dir / "taken";
  fs::path temporary;
  const auto message = error_of([&] {
    AtomicFile file(target);
    temporary = file.temporary_path();
    file.write("content");
    fs::create_directories(target / "inside");  // a folder appears at the target while the file is written
    file.commit();
  });
  EXPECT_NE(message.find("cannot rename " + temporary.string() + " to " + target.string() + ": "), std::string::npos)
      << message;
  EXPECT_NE(message.find("directory"), std::string::npos) << message;  // the system's reason
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"taken"});
  EXPECT_TRUE(fs::is_directory(target / "inside"));
}

TEST(AtomicFile, RefusesATargetThatIsAFolderOrAFifoBeforeWritingAnything) {
  TempDir dir;
  fs::create_directories(dir / "folder" / "inside");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { AtomicFile file(dir / "folder"); }),
            "cannot write " + (dir / "folder").string() +
                ": it exists and is a folder; tailrec replaces only regular files, choose another path");
  EXPECT_NE(error_of([&] { AtomicFile file(dir / "fifo"); }).find("is a FIFO"), std::string::npos);
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"fifo", "folder"}));  // no temporary left
}

TEST(AtomicFile, ReplacesALinkAtTheTargetWithoutWritingThroughIt) {
  TempDir dir;
  fs::create_directories(dir / "elsewhere");
  write_file_atomically(dir / "elsewhere" / "victim", "victim\n");
  fs::create_symlink(dir / "elsewhere" / "victim", dir / "result.tsv");
  write_file_atomically(dir / "result.tsv", "mine\n");
  EXPECT_FALSE(fs::is_symlink(dir / "result.tsv"));
  EXPECT_EQ(read_text(dir / "result.tsv"), "mine\n");
  EXPECT_EQ(read_text(dir / "elsewhere" / "victim"), "victim\n");
}

TEST(AtomicFile, AMissingFolderIsAUserErrorNamingTheFile) {
  TempDir dir;
  const auto target = dir / "no such folder" / "result.tsv";
  const auto message = error_of([&] { AtomicFile file(target); });
  EXPECT_NE(message.find("cannot write " + target.string()), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
}

TEST(AtomicFile, ReplacesAnExistingFileWhole) {
  TempDir dir;
  const auto target = dir.write("metrics.json", "old content, longer than the new one\n");
  AtomicFile file(target);
  file.write("new\n");
  EXPECT_EQ(read_text(target), "old content, longer than the new one\n");  // untouched until the commit
  file.commit();
  EXPECT_EQ(read_text(target), "new\n");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"metrics.json"});
}

TEST(AtomicFile, ReplacesASymlinkInsteadOfWritingThroughIt) {
  TempDir dir;
  const auto elsewhere = dir.write("elsewhere.txt", "the link's target\n");
  const auto link = dir / "result.txt";
  fs::create_symlink(elsewhere, link);
  write_file_atomically(link, "the new file\n");
  EXPECT_FALSE(fs::is_symlink(link));
  EXPECT_EQ(read_text(link), "the new file\n");
  EXPECT_EQ(read_text(elsewhere), "the link's target\n");
}

TEST(AtomicFile, StreamsManyChunksOfAnySize) {
  TempDir dir;
  std::string expected;
  {
    AtomicFile file(dir / "big.csv");
    for (int i = 0; i < 20000; ++i) {  // small writes, gathered in the buffer
      const auto line = std::to_string(i) + ",x\n";
      file.write(line);
      expected += line;
    }
    const std::string large(300000, 'y');  // larger than the buffer: written through
    file.write(large.data(), large.size());
    expected += large;
    const std::string medium(40000, 'z');  // fills the buffer past its size
    for (int i = 0; i < 3; ++i) {
      file.write(medium);
      expected += medium;
    }
    file.write("", 0);
    file.commit();
  }
  EXPECT_EQ(read_text(dir / "big.csv"), expected);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"big.csv"});
}

TEST(AtomicFile, NewFilesGetTheUsualModeLessTheUmask) {
  TempDir dir;
  const mode_t old = ::umask(027);
  write_file_atomically(dir / "private.txt", "x");
  ::umask(old);
  struct stat info {};
  ASSERT_EQ(::stat((dir / "private.txt").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST(AtomicFile, GzipVariantWritesAGzipStream) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 100000; ++i) content += "user\t" + std::to_string(i % 97) + "\n";
  write_gzip_file_atomically(dir / "per_user.tsv.gz", content);
  const auto bytes = read_text(dir / "per_user.tsv.gz");
  ASSERT_GE(bytes.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x8b);
  EXPECT_LT(bytes.size(), content.size() / 4);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"per_user.tsv.gz"});
}

TEST(AtomicFile, CommitFileRenamesAFinishedFileAndNamesBothPathsOnFailure) {
  TempDir dir;
  const auto part = dir.write("model.bin.part", "weights");
  commit_file(part, dir / "model.bin");
  EXPECT_EQ(read_text(dir / "model.bin"), "weights");
  EXPECT_FALSE(fs::exists(part));

  const auto again = dir.write("vocab.txt.part", "tokens");
  fs::create_directories(dir / "vocab.txt" / "inside");
  const auto message = error_of([&] { commit_file(again, dir / "vocab.txt"); });
  EXPECT_NE(message.find("cannot rename " + again.string() + " to " + (dir / "vocab.txt").string()), std::string::npos)
      << message;
  EXPECT_EQ(read_text(again), "tokens");  // a complete download is kept for the next try
}

}  // namespace
}  // namespace tailrec
