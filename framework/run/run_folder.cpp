#include "framework/run/run_folder.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "framework/util/error.hpp"
#include "framework/util/folder_lock.hpp"
#include "framework/util/owned_folder.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

// The entries of `folder` that belong to a run (not the lock, not the set-aside old run).
std::vector<fs::path> run_entries(const fs::path& folder) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const auto name = entry.path().filename().string();
    if (name != RunFolder::kPrevious && name != FolderLock::file_name) out.push_back(entry.path());
  }
  return out;
}

void move_entry(const fs::path& from, const fs::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    fail("cannot move {} to {}: {}", from.string(), to.string(), std::strerror(errno));
}

}  // namespace

bool RunFolder::is_run_folder(const fs::path& folder) {
  const auto has = [&](const char* name) {
    struct stat st {};
    return ::lstat((folder / name).c_str(), &st) == 0;
  };
  // A sweep's or tune's folder is a tailrec folder too, but not a run's: a run there would bury it.
  if (has("multirun.yaml") || has("tune.jsonl")) return false;
  // What a run writes first (overrides.yaml right after its log; a failed sweep job's error.txt),
  // never just a common name such as run.log or config.yaml that another tool may have left.
  return has("metrics.json") || has("overrides.yaml") || has("error.txt") || has(kPrevious) ||
         (has("run.log") && has(FolderLock::file_name));
}

RunFolder::RunFolder(fs::path path, bool overwrite) : path_(std::move(path)) {
  create_user_folder(path_, "run.dir");
  const auto entries = run_entries(path_);
  if (!entries.empty() && !is_run_folder(path_)) {
    std::vector<std::string> names;
    for (size_t i = 0; i < entries.size() && i < 3; ++i) names.push_back(entries[i].filename().string());
    fail("run.dir {} is a folder that holds other files ({}{}) and no tailrec run (or a sweep's or tune's files): a "
         "run would replace or bury them; choose a new or empty folder for run.dir",
         path_.string(), fmt::join(names, ", "), entries.size() > 3 ? fmt::format(" and {} more", entries.size() - 3) : "");
  }
  lock_ = std::make_unique<FolderLock>(path_, "run folder", "run.dir");
  if (!lock_->stale_note().empty()) notes_.push_back(lock_->stale_note());
  // A re-run that was killed before it completed left the old run aside: bring it back first.
  struct stat st {};
  if (::lstat((path_ / kPrevious).c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      fail("{} is not a folder (tailrec keeps an overwritten run there); remove it", (path_ / kPrevious).string());
    if (is_complete(path_)) {
      fs::remove_all(path_ / kPrevious);
      notes_.push_back("removed the run that an earlier run.overwrite=true replaced (it completed; only the cleanup was cut short)");
    } else {
      holds_previous_ = true;
      restore_previous();
      notes_.push_back("restored the complete run that an interrupted run.overwrite=true re-run had set aside");
    }
  }
  if (is_complete(path_)) {
    if (!overwrite)
      fail("run folder {} already holds a complete run; choose another run.dir or pass run.overwrite=true",
           path_.string());
    set_aside_previous();
  }
}

RunFolder::~RunFolder() {
  if (!holds_previous_) return;
  try {
    if (is_complete(path_)) {
      fs::remove_all(path_ / kPrevious);
    } else {
      restore_previous();
    }
  } catch (const std::exception&) {
    // The old run stays whole in .tailrec-previous/; the next run in this folder restores it.
  }
}

// The old run's files move into .tailrec-previous/ (the folder stops looking complete at once), so
// this run starts in an empty folder and a failure can put them back.
void RunFolder::set_aside_previous() {
  const auto aside = path_ / kPrevious;
  create_folder_inside(path_, aside, 0700);
  holds_previous_ = true;
  // metrics.json first: from here on the folder is not complete, whatever happens next.
  std::vector<fs::path> entries = run_entries(path_);
  std::stable_partition(entries.begin(), entries.end(), [](const fs::path& p) { return p.filename() == "metrics.json"; });
  for (const auto& entry : entries) move_entry(entry, aside / entry.filename());
}

// This run's files go, the old run's come back (metrics.json last), and .tailrec-previous/ goes.
void RunFolder::restore_previous() {
  const auto aside = path_ / kPrevious;
  for (const auto& entry : run_entries(path_)) fs::remove_all(entry);
  std::vector<fs::path> old;
  for (const auto& entry : fs::directory_iterator(aside)) old.push_back(entry.path());
  std::stable_partition(old.begin(), old.end(), [](const fs::path& p) { return p.filename() != "metrics.json"; });
  for (const auto& entry : old) move_entry(entry, path_ / entry.filename());
  fs::remove(aside);
  holds_previous_ = false;
}

void RunFolder::write(const std::string& name, const std::string& content) const {
  const auto file = path_ / name;
  if (file.parent_path() != path_) create_folder_inside(path_, file.parent_path());
  write_file_atomically(file, content);
}

void RunFolder::write_gzip(const std::string& name, const std::string& content) const {
  const auto file = path_ / name;
  if (file.parent_path() != path_) create_folder_inside(path_, file.parent_path());
  write_gzip_file_atomically(file, content);
}

fs::path RunFolder::subfolder(const std::string& relative, bool private_to_owner) const {
  const auto folder = path_ / relative;
  create_folder_inside(path_, folder, private_to_owner ? 0700 : 0777, private_to_owner);
  return folder;
}

bool RunFolder::is_complete(const fs::path& folder) {
  std::ifstream in(folder / "metrics.json");
  if (!in) return false;
  try {
    const auto json = nlohmann::json::parse(in);
    return json.value("status", "") == "complete";
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace tailrec
