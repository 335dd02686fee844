#include "framework/run/run_folder.hpp"

#include <string>

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

void complete_run(const fs::path& dir, const std::string& tag) {
  RunFolder folder(dir, true);
  folder.write("metrics.csv", tag + "\n");
  folder.write("private/anonymization_salt", "salt " + tag + "\n");
  folder.write("metrics.json", "{\"status\": \"complete\", \"tag\": \"" + tag + "\"}\n");
}

TEST(RunFolder, OverwriteKeepsTheOldRunUntilTheNewOneCompletes) {
  TempDir dir;
  const auto run = dir / "run";
  complete_run(run, "old");
  {
    RunFolder again(run, /*overwrite=*/true);
    EXPECT_FALSE(RunFolder::is_complete(run));  // set aside at once: the folder no longer looks complete
    EXPECT_FALSE(fs::exists(run / "metrics.csv"));
    EXPECT_TRUE(fs::exists(run / RunFolder::kPrevious / "metrics.json"));
    again.write("metrics.csv", "new, but it fails before metrics.json\n");
  }  // the new run did not complete: the old one comes back whole
  EXPECT_TRUE(RunFolder::is_complete(run));
  EXPECT_EQ(read_text(run / "metrics.csv"), "old\n");
  EXPECT_EQ(read_text(run / "private" / "anonymization_salt"), "salt old\n");
  EXPECT_FALSE(fs::exists(run / RunFolder::kPrevious));

  complete_run(run, "new");  // completes: the old run is gone
  EXPECT_EQ(read_text(run / "metrics.csv"), "new\n");
  EXPECT_FALSE(fs::exists(run / RunFolder::kPrevious));
}

TEST(RunFolder, AKilledOverwriteIsRestoredByTheNextRun) {
  TempDir dir;
  const auto run = dir / "run";
  complete_run(run, "old");
  // What a re-run killed mid-way leaves: the old run aside, a partial new one in place.
  fs::create_directories(run / RunFolder::kPrevious);
  for (const char* name : {"metrics.json", "metrics.csv", "private"}) fs::rename(run / name, run / RunFolder::kPrevious / name);
  write_file_atomically(run / "run.log", "the killed re-run's log\n");
  EXPECT_EQ(error_of([&] { RunFolder next(run, /*overwrite=*/false); }),
            "run folder " + run.string() + " already holds a complete run; choose another run.dir or pass run.overwrite=true");
  EXPECT_TRUE(RunFolder::is_complete(run));  // restored before the refusal
  EXPECT_FALSE(fs::exists(run / "run.log"));
  EXPECT_EQ(read_text(run / "metrics.csv"), "old\n");
}

TEST(RunFolder, ARunLogOrAStaleLockAloneDoesNotMakeARunFolder) {
  TempDir dir;
  dir.write("project/run.log", "another tool's log\n");
  dir.write("project/config.yaml", "mine\n");
  EXPECT_NE(error_of([&] { RunFolder folder(dir / "project", true); }).find("holds other files"), std::string::npos);
  dir.write("sweep/multirun.yaml", "jobs: []\n");
  dir.write("sweep/.tailrec.lock", "");  // left by a killed sweep
  EXPECT_NE(error_of([&] { RunFolder folder(dir / "sweep", true); }).find("a sweep's or tune's"), std::string::npos);
  EXPECT_EQ(read_text(dir / "project" / "config.yaml"), "mine\n");
}

TEST(RunFolder, RefusesAFolderThatHoldsOtherFiles) {
  TempDir dir;
  dir.write("configs/config.yaml", "x: 1\n");
  dir.write("configs/notes.txt", "mine\n");
  const auto message = error_of([&] { RunFolder folder(dir / "configs", true); });
  EXPECT_NE(message.find("holds other files"), std::string::npos) << message;
  EXPECT_NE(message.find("config.yaml"), std::string::npos) << message;
  EXPECT_EQ(read_text(dir / "configs" / "config.yaml"), "x: 1\n");
  EXPECT_FALSE(fs::exists(dir / "configs" / ".tailrec.lock"));
}

TEST(RunFolder, LocksTheFolderWhileInUse) {
  TempDir dir;
  RunFolder first(dir / "run", false);
  EXPECT_TRUE(fs::exists(dir / "run" / ".tailrec.lock"));
  // flock is per open file: a second RunFolder in this process is refused like another process.
  const auto message = error_of([&] { RunFolder second(dir / "run", false); });
  EXPECT_NE(message.find("is in use by pid"), std::string::npos) << message;
}

TEST(RunFolder, NeverWritesThroughALinkPlantedForAFolder) {
  TempDir dir;
  fs::create_directories(dir / "elsewhere");
  dir.write("run/overrides.yaml", "[]\n");  // an unfinished run's folder, not someone's folder
  fs::create_symlink(dir / "elsewhere", dir / "run" / "private");
  RunFolder folder(dir / "run", false);
  const auto message = error_of([&] { folder.write("private/anonymization_salt", "secret\n"); });
  EXPECT_NE(message.find("is a symbolic link"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(dir / "elsewhere"));
  EXPECT_NE(error_of([&] { folder.subfolder("../outside"); }).find("outside"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "outside"));
  const auto made = folder.subfolder("private2", /*private_to_owner=*/true);
  struct stat st {};
  ASSERT_EQ(::stat(made.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace tailrec
