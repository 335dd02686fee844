#include "framework/util/folder_lock.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::error_of;
using testing::TempDir;


// Reads what a child wrote to the pipe until it closes it.
std::string read_all(int fd) {
  std::string text;
  char buffer[512];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  return text;
}

TEST(FolderLock, WritesItsHolderAndRemovesTheFileOnRelease) {
  TempDir dir;
  const auto file = dir / ".tailrec.lock";
  {
    FolderLock lock(dir.path(), "sweep folder", "sweep.dir");
    ASSERT_TRUE(fs::is_regular_file(file));
    const auto text = read_text(file);
    // "pid host since command", the pid being this process's.
    EXPECT_EQ(text.rfind(std::to_string(::getpid()) + " ", 0), 0u) << text;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    EXPECT_NE(text.find(std::string(" ") + host + " "), std::string::npos) << text;
    EXPECT_TRUE(lock.stale_note().empty());
  }
  EXPECT_FALSE(fs::exists(file));
}

TEST(FolderLock, AnotherProcessCannotTakeAHeldLockAndIsToldWhoHoldsIt) {
  TempDir dir;
  FolderLock lock(dir.path(), "sweep folder", "sweep.dir");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    const auto message = error_of([&] { FolderLock second(dir.path(), "sweep folder", "sweep.dir"); });
    const auto written = ::write(fds[1], message.data(), message.size());
    ::_exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  const auto message = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(message.find("sweep folder " + dir.path().string() + " is in use by pid " + std::to_string(::getpid()) +
                         " on host "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("wait for it to finish, or choose another sweep.dir"), std::string::npos) << message;
  // The refused process left the holder's file alone.
  EXPECT_EQ(read_text(dir / ".tailrec.lock").rfind(std::to_string(::getpid()) + " ", 0), 0u);
}

TEST(FolderLock, ALockOfAProcessThatDiedIsTakenOverWithANote) {
  TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    FolderLock lock(dir.path(), "run folder", "run.dir");
    const auto written = ::write(ready[1], "x", 1);
    (void)written;
    ::pause();  // killed below, never unlocking: its lock file stays
    ::_exit(0);
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  // While it lives, it holds the lock.
  const auto held = error_of([&] { FolderLock lock(dir.path(), "run folder", "run.dir"); });
  EXPECT_NE(held.find("is in use by pid " + std::to_string(child)), std::string::npos) << held;
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(fs::exists(dir / ".tailrec.lock"));  // left behind by the dead process
  FolderLock lock(dir.path(), "run folder", "run.dir");
  EXPECT_NE(lock.stale_note().find("a stale lock of pid " + std::to_string(child) + " on host "), std::string::npos)
      << lock.stale_note();
  EXPECT_NE(lock.stale_note().find("that process no longer holds it"), std::string::npos);
  EXPECT_EQ(read_text(dir / ".tailrec.lock").rfind(std::to_string(::getpid()) + " ", 0), 0u);
}

TEST(FolderLock, AStaleFileCopiedFromAnotherHostIsTakenOver) {
  TempDir dir;
  dir.write(".tailrec.lock", "12345 node17 2026-01-02T03:04:05+0000 tailrec run --multirun\n");
  FolderLock lock(dir.path(), "sweep folder", "sweep.dir");
  EXPECT_EQ(lock.stale_note(),
            "a stale lock of pid 12345 on host node17 since 2026-01-02T03:04:05+0000 was taken over: that process no "
            "longer holds it");
}

TEST(FolderLock, RefusesASymlinkAtTheLockFileAndLeavesItsTargetAlone) {
  TempDir dir;
  const auto victim = dir.write("victim.txt", "precious\n");
  fs::create_directory(dir / "folder");
  fs::create_symlink(victim, dir / "folder" / ".tailrec.lock");
  const auto message = error_of([&] { FolderLock lock(dir / "folder", "sweep folder", "sweep.dir"); });
  EXPECT_NE(message.find("is a symbolic link"), std::string::npos) << message;
  EXPECT_EQ(read_text(victim), "precious\n");
  EXPECT_TRUE(fs::is_symlink(dir / "folder" / ".tailrec.lock"));
  // A dangling link is not followed to create its target either.
  fs::remove(dir / "folder" / ".tailrec.lock");
  fs::create_symlink(dir / "created-through-link", dir / "folder" / ".tailrec.lock");
  EXPECT_NE(error_of([&] { FolderLock lock(dir / "folder", "sweep folder", "sweep.dir"); }).find("symbolic link"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "created-through-link"));
}

TEST(FolderLock, RefusesANonRegularLockFileAndAMissingOrFileFolder) {
  TempDir dir;
  fs::create_directory(dir / "a");
  ASSERT_EQ(::mkfifo((dir / "a" / ".tailrec.lock").c_str(), 0600), 0);
  EXPECT_NE(error_of([&] { FolderLock lock(dir / "a", "sweep folder", "sweep.dir"); }).find("is not a regular file"),
            std::string::npos);
  fs::create_directories(dir / "b" / ".tailrec.lock");
  EXPECT_NE(error_of([&] { FolderLock lock(dir / "b", "sweep folder", "sweep.dir"); }).find("is a folder, not a lock file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { FolderLock lock(dir / "missing", "sweep folder", "sweep.dir"); }).find("does not exist"),
            std::string::npos);
  dir.write("file", "x");
  EXPECT_NE(error_of([&] { FolderLock lock(dir / "file", "sweep folder", "sweep.dir"); }).find("is not a folder"),
            std::string::npos);
}

}  // namespace
}  // namespace tailrec
