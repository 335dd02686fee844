#include "framework/run_folder.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "framework/error.hpp"

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
    for (const char* name : {"metrics.json", "metrics.csv", "recommendations.tsv", "per_user_metrics.tsv.gz", "run.log"})
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
  uLongf bound = compressBound(static_cast<uLong>(content.size())) + 64;
  std::string out;
  // A gzip stream (not raw zlib) so `zcat` and pandas read it directly.
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fail("cannot start gzip compression for {}", name);
  out.resize(bound);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
  stream.avail_in = static_cast<uInt>(content.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
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
