#pragma once
// Folders tailrec owns (a run folder, a sweep folder, a report's output, a data folder) and what
// it creates below them. The owner's own path is the user's choice and may pass through symlinks
// (a results folder linked to scratch space); below it, tailrec follows none: a symlink or a file
// planted where a subfolder belongs (private/, plots/, a job folder) is refused, so no write of a
// run, sweep, report, check or download leaves its folder (docs/security.md).
#include <filesystem>
#include <string_view>
#include <vector>

namespace tailrec {

// Creates `folder` (and its missing parents) as `root` or a folder below it, refusing one that is
// not a folder and, below `root`, any component that is a symlink or lies outside `root`
// ("..", an absolute path elsewhere). `mode` is that of the folders it creates, less the umask
// (0700 for private ones); an existing folder keeps its mode unless `enforce_mode`.
// Throws tailrec::Error naming the path and the cause.
void create_folder_inside(const std::filesystem::path& root, const std::filesystem::path& folder,
                          unsigned mode = 0777, bool enforce_mode = false);

// Creates `folder` and its missing parents, refusing a path one of whose components exists but is
// not a folder (a file where a folder is expected) with a one-line error naming it. For folders the
// user names (--out, --dir, sweep.dir), whose own symlinks are followed.
void create_user_folder(const std::filesystem::path& folder, std::string_view what);

// Refuses an output file the user named (--output) that is one of `inputs` (the same file, also
// through a link) or lies inside one of them (a folder), or that exists and is not a regular file
// or a symlink (a folder, a FIFO, a device): an output replaces only a file it may replace.
// Checked before any work, so the refusal costs nothing. `what` names the option.
void check_output_file(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs,
                       std::string_view what);

// True when `path` is `root` or lexically below it (after making both absolute and normal).
bool is_inside(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace tailrec
