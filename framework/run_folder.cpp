#include "framework/run_folder.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <vector>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "framework/error.hpp"
#include "framework/test_hooks.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

void write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const auto reason = std::strerror(errno);
      ::close(fd);
      fail("cannot write {}: {}", path.string(), reason);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

void write_file_atomically(const fs::path& path, const std::string& content) {
  const auto temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create {}: {}", temporary, std::strerror(errno));
  try {
    write_all(fd, content.data(), content.size(), temporary);
    test_pause("write", path.filename().string());  // crash_safety.sh kills here: a .tmp, no rename
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const auto reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    fail("cannot write {}: {}", temporary, reason);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const auto reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    fail("cannot rename {} to {}: {}", temporary, path.string(), reason);
  }
}

RunFolder::RunFolder(fs::path path, bool overwrite) : path_(std::move(path)) {
  if (is_complete(path_)) {
    if (!overwrite)
      fail("run folder {} already holds a complete run; choose another run.dir or pass run.overwrite=true",
           path_.string());
    // The old run's results go too, so a failed re-run never sits beside stale files.
    for (const char* name : {"metrics.json", "metrics.csv", "recommendations.tsv", "per_user_metrics.tsv.gz",
                             "item_exposure.tsv.gz", "user_activity.tsv.gz", "run.log"})
      fs::remove(path_ / name);
  }
  std::error_code ec;
  fs::create_directories(path_, ec);
  if (ec) fail("cannot create run folder {}: {}", path_.string(), ec.message());
}

void RunFolder::write(const std::string& name, const std::string& content) const {
  write_file_atomically(path_ / name, content);
}

void RunFolder::write_gzip(const std::string& name, const std::string& content) const {
  // A gzip stream (not raw zlib) so `zcat` and pandas read it directly; fed in chunks, since
  // zlib counts bytes in 32-bit fields.
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail("cannot start gzip compression for {}", name);
  std::string out;
  std::vector<unsigned char> buffer(1 << 20);
  size_t offset = 0;
  int status = Z_OK;
  do {
    const size_t chunk = std::min<size_t>(content.size() - offset, 1u << 30);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data() + offset));
    stream.avail_in = static_cast<uInt>(chunk);
    offset += chunk;
    const int flush = offset == content.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      stream.next_out = buffer.data();
      stream.avail_out = static_cast<uInt>(buffer.size());
      status = deflate(&stream, flush);
      out.append(reinterpret_cast<const char*>(buffer.data()), buffer.size() - stream.avail_out);
    } while (stream.avail_out == 0);
  } while (offset < content.size());
  deflateEnd(&stream);
  if (status != Z_STREAM_END) fail("gzip compression of {} failed", name);
  write_file_atomically(path_ / name, out);
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
