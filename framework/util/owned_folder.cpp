#include "framework/util/owned_folder.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include <sys/stat.h>

#include "framework/util/error.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

fs::path normal_absolute(const fs::path& path) { return fs::absolute(path).lexically_normal(); }

const char* kind_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISREG(mode)) return "a file";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a folder";
}

// mkdir, or accepts an existing real folder (not a symlink to one).
void make_one(const fs::path& folder, unsigned mode, bool enforce_mode, const fs::path& root) {
  if (::mkdir(folder.c_str(), mode) == 0) {
    if (enforce_mode && ::chmod(folder.c_str(), mode) != 0)
      fail("cannot set the permissions of {}: {}", folder.string(), std::strerror(errno));
    return;
  }
  const int error = errno;
  if (error != EEXIST) fail("cannot create the folder {}: {}", folder.string(), std::strerror(error));
  struct stat st {};
  if (::lstat(folder.c_str(), &st) != 0) fail("cannot create the folder {}: {}", folder.string(), std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    fail("{} is {}, where tailrec writes a folder of its own inside {}; tailrec never writes through a link or over "
         "a file it did not make: remove it and run again",
         folder.string(), kind_of(st.st_mode), root.string());
  if (enforce_mode && (st.st_mode & 07777) != mode && ::chmod(folder.c_str(), mode) != 0)
    fail("cannot set the permissions of {}: {}", folder.string(), std::strerror(errno));
}

}  // namespace

bool is_inside(const fs::path& root, const fs::path& path) {
  const auto r = normal_absolute(root);
  const auto p = normal_absolute(path);
  const auto relative = p.lexically_relative(r);
  if (relative.empty()) return false;
  for (const auto& part : relative)
    if (part == "..") return false;
  return true;
}

void create_folder_inside(const fs::path& root, const fs::path& folder, unsigned mode, bool enforce_mode) {
  const auto r = normal_absolute(root);
  const auto target = normal_absolute(folder);
  if (!is_inside(r, target))
    fail("{} lies outside {}, the folder it belongs to; tailrec writes nothing outside it", folder.string(),
         root.string());
  create_user_folder(r, "folder");
  fs::path at = r;
  for (const auto& part : target.lexically_relative(r)) {
    if (part == ".") continue;
    at /= part;
    make_one(at, mode, enforce_mode && at == target, r);
  }
}

void create_user_folder(const fs::path& folder, std::string_view what) {
  const auto target = normal_absolute(folder);
  fs::path at;
  for (const auto& part : target) {
    at /= part;
    if (at == at.root_path()) continue;
    struct stat st {};
    if (::stat(at.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        fail("cannot use {} as {}: {} is {}, not a folder; choose another path", folder.string(), what, at.string(),
             kind_of(st.st_mode));
      continue;
    }
    if (::mkdir(at.c_str(), 0777) != 0 && errno != EEXIST)
      fail("cannot create {} ({}): {}: {}", folder.string(), what, at.string(), std::strerror(errno));
  }
}

void check_output_file(const fs::path& output, const std::vector<fs::path>& inputs, std::string_view what) {
  struct stat st {};
  if (::lstat(output.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
    fail("{} {}: it exists and is {}; name a new file or a regular file to replace", what, output.string(),
         S_ISDIR(st.st_mode) ? "a folder" : kind_of(st.st_mode));
  std::error_code ec;
  for (const auto& input : inputs) {
    if (fs::equivalent(output, input, ec))
      fail("{} {} is the input {}; writing it would destroy what is read: name another file", what, output.string(),
           input.string());
    if (fs::is_directory(input, ec) && (is_inside(input, output) || is_inside(fs::canonical(input, ec), fs::weakly_canonical(output, ec))))
      fail("{} {} lies inside the input folder {}; name a file outside it", what, output.string(), input.string());
  }
}

}  // namespace tailrec
