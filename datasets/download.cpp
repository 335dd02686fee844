#include "datasets/download.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "framework/util/atomic_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/owned_folder.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

namespace {

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

File open_file(const std::filesystem::path& path, const char* mode) {
  return File(std::fopen(path.c_str(), mode), &std::fclose);
}

// The digest of `prefix` followed by the file's bytes.
std::string digest_file(const std::filesystem::path& file, const EVP_MD* md, std::string_view prefix = {}) {
  auto in = open_file(file, "rb");
  if (!in) fail("cannot read {} to compute its checksum (missing or unreadable)", file.string());
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) fail("OpenSSL could not start a digest");
  EVP_DigestUpdate(ctx.get(), prefix.data(), prefix.size());
  std::vector<unsigned char> buffer(1 << 20);
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), in.get())) > 0)
    EVP_DigestUpdate(ctx.get(), buffer.data(), got);
  if (std::ferror(in.get())) fail("error while reading {} to compute its checksum", file.string());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace

std::string sha256_file(const std::filesystem::path& file) { return digest_file(file, EVP_sha256()); }
std::string md5_file(const std::filesystem::path& file) { return digest_file(file, EVP_md5()); }

std::string git_blob_sha1_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) fail("cannot read {} to compute its checksum (missing or unreadable)", file.string());
  std::string header = "blob " + std::to_string(size);
  header.push_back('\0');
  return digest_file(file, EVP_sha1(), header);
}

void verify_dataset(const std::string& name, const std::filesystem::path& data_dir) {
  verify_dataset(catalog_entry(name), data_dir);
}

void verify_dataset(const CatalogEntry& entry, const std::filesystem::path& data_dir) {
  for (const auto& known : entry.files) {
    const auto file = data_dir / known.path;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
      fail("dataset {}: file {} is missing; run `tailrec data fetch {}`", entry.name, file.string(), entry.name);
    if (known.sha256.empty()) continue;
    const auto actual = sha256_file(file);
    if (actual != known.sha256)
      fail("dataset {}: file {} has sha256 {}, expected {}; it is damaged or from another release: delete it and run "
           "`tailrec data fetch {}`",
           entry.name, file.string(), actual, known.sha256, entry.name);
  }
}

// --- download --------------------------------------------------------------------------------

namespace {

struct Transfer {
  std::FILE* out = nullptr;
  std::filesystem::path part;
  CURL* curl = nullptr;
  curl_off_t resume = 0;
  bool checked_status = false;
  const FetchProgress* progress = nullptr;
};

// The download's .part, opened for appending (a resumed download) without following a symbolic
// link: a link planted at that name would otherwise get the downloaded bytes appended to its target.
std::FILE* open_part_file(const std::filesystem::path& part) {
  const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
  if (fd < 0) {
    const int error = errno;
    if (error == ENXIO || error == EISDIR)  // a FIFO without a reader, a folder
      fail("{} is not a regular file (a folder, FIFO or device); remove it and fetch again", part.string());
    if (error == ELOOP)
      fail("{} is a symbolic link; tailrec writes downloads only to a regular file: remove the link and fetch again",
           part.string());
    fail("cannot write {}: {} (is the data folder writable?)", part.string(), std::strerror(error));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("{} is not a regular file (a folder, FIFO or device); remove it and fetch again", part.string());
  }
  if (st.st_nlink > 1) {  // a hard link: appending would grow the other file
    ::close(fd);
    fail("{} is a hard link to another file; tailrec never writes through one: remove it and fetch again", part.string());
  }
  std::FILE* out = fdopen(fd, "ab");
  if (!out) {
    ::close(fd);
    fail("cannot write {}: {}", part.string(), std::strerror(errno));
  }
  return out;
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  if (!t.checked_status) {
    t.checked_status = true;
    long code = 0;
    curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &code);
    if (t.resume > 0 && code == 200) {  // the server ignored the Range request: start over
      // Truncate the open file (appending writes then start at 0): reopening by name could follow
      // a link planted meanwhile.
      if (std::fflush(t.out) != 0 || ftruncate(fileno(t.out), 0) != 0) return 0;
      t.resume = 0;
    }
  }
  return std::fwrite(data, size, count, t.out);
}

int report_progress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  if (t.progress && *t.progress)
    (*t.progress)("download", static_cast<int64_t>(t.resume + done), total > 0 ? static_cast<int64_t>(t.resume + total) : -1);
  return 0;
}

void init_curl() {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using HeaderList = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

HeaderList header_list(const std::vector<std::string>& headers) {
  HeaderList list(nullptr, &curl_slist_free_all);
  for (const auto& h : headers) {
    curl_slist* grown = curl_slist_append(list.get(), h.c_str());
    if (!grown) fail("libcurl could not store the request header '{}'", h.substr(0, h.find(':')));
    list.release();
    list.reset(grown);
  }
  return list;
}

// Collects the headers of the last response (a new status line starts over).
size_t collect_header(char* data, size_t size, size_t count, void* user) {
  auto& headers = *static_cast<std::map<std::string, std::string>*>(user);
  const std::string_view line(data, size * count);
  if (line.substr(0, 5) == "HTTP/") {
    headers.clear();
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    headers[name] = std::string(value);
  }
  return size * count;
}

}  // namespace

HttpResponse http_head(const std::string& url, const std::vector<std::string>& request_headers) {
  init_curl();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) fail("libcurl could not be initialised");
  const auto headers = header_list(request_headers);
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &collect_header);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "tailrec/" TAILREC_VERSION);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) fail("request to {} failed: {}", url, error[0] ? error : curl_easy_strerror(code));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

void download_file(const std::string& url, const std::filesystem::path& target, const FetchProgress& progress,
                   const DownloadOptions& options) {
  init_curl();
  if (!target.parent_path().empty()) std::filesystem::create_directories(target.parent_path());
  Transfer t;
  t.part = target;
  t.part += ".part";
  std::error_code ec;
  t.out = open_part_file(t.part);
  struct stat st {};
  t.resume = fstat(fileno(t.out), &st) == 0 ? static_cast<curl_off_t>(st.st_size) : 0;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    std::fclose(t.out);
    fail("libcurl could not be initialised");
  }
  t.curl = curl.get();
  t.progress = &progress;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(t.curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(t.curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, &write_body);
  curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, &report_progress);
  curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);  // abort a transfer stalled for a minute
  curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "tailrec/" TAILREC_VERSION);
  const auto headers = header_list(options.headers);
  curl_easy_setopt(t.curl, CURLOPT_HTTPHEADER, headers.get());
  if (t.resume > 0) curl_easy_setopt(t.curl, CURLOPT_RESUME_FROM_LARGE, t.resume);
  const CURLcode code = curl_easy_perform(t.curl);
  long status = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  const bool flushed = t.out && std::fclose(t.out) == 0;
  // 416: the Range starts at the end, i.e. the .part is already complete.
  const bool complete = code == CURLE_OK || (t.resume > 0 && status == 416);
  if (!complete) {
    const std::string reason = error[0] ? error : curl_easy_strerror(code);
    if (std::filesystem::file_size(t.part, ec) == 0 && !ec) {
      std::filesystem::remove(t.part, ec);  // nothing to resume
      fail("download of {} failed: {}", url, reason);
    }
    fail("download of {} failed: {}; the partial file {} is kept and running the same fetch again resumes it", url,
         reason, t.part.string());
  }
  if (!flushed) fail("could not write {} (disk full?)", t.part.string());
  if (options.check) {
    try {
      options.check(t.part);
    } catch (...) {
      std::filesystem::remove(t.part, ec);
      throw;
    }
  }
  // The .part stays the resumable download until here; the commit is AtomicFile's (fsync, rename,
  // fsync of the folder), and a failed rename keeps the complete .part for the next fetch.
  commit_file(t.part, target);
}

// --- ZIP extraction --------------------------------------------------------------------------

namespace {

uint32_t u16(const unsigned char* p) { return static_cast<uint32_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

void read_at(std::FILE* in, uint64_t offset, unsigned char* out, size_t size, const std::filesystem::path& archive) {
  if (fseeko(in, static_cast<off_t>(offset), SEEK_SET) != 0 || std::fread(out, 1, size, in) != size)
    fail("{}: truncated or damaged ZIP archive (cannot read {} bytes at offset {}); delete it and fetch again",
         archive.string(), size, offset);
}

// An entry name as a relative path inside the target folder: no NUL or control byte (a NUL would
// cut the name short where the OS reads it), no absolute path or drive, no backslash, and no "..",
// "." or empty component ("zip slip"). Checked for every entry before anything is written.
std::filesystem::path safe_entry_path(const std::string& name, const std::filesystem::path& archive) {
  const auto refuse = [&](std::string_view why) {
    fail("{}: refusing ZIP entry '{}': {}; the archive is damaged or hostile, nothing was extracted",
         archive.string(), shown(name, 120), why);
  };
  if (name.empty()) refuse("an empty name");
  for (const char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) refuse("its name holds a NUL or control byte");
  if (name.find('\\') != std::string::npos) refuse("its name holds a backslash");
  if (name.front() == '/' || std::filesystem::path(name).has_root_path()) refuse("an absolute path");
  const bool folder = name.back() == '/';
  const auto parts = split(folder ? name.substr(0, name.size() - 1) : name, '/');
  for (const auto& part : parts)
    if (part.empty() || part == "." || part == "..") refuse("a '..', '.' or empty path component");
  return std::filesystem::path(name);
}

// Extraction is bounded while it inflates: each entry by the size its header declares, the whole
// archive by this cap (above every catalog dataset, far below a disk-filling "zip bomb").
constexpr uint64_t kMaxExtractedBytes = uint64_t{16} << 30;  // 16 GiB

struct Entry {
  std::string name;
  uint32_t method, flags, crc, compressed, size, local_offset;
};

}  // namespace

size_t extract_zip(const std::filesystem::path& archive, const std::filesystem::path& dest,
                   const FetchProgress& progress) {
  auto in = open_file(archive, "rb");
  if (!in) fail("cannot open ZIP archive {}", archive.string());
  std::error_code ec;
  const auto file_size = std::filesystem::file_size(archive, ec);
  if (ec || file_size < 22) fail("{}: not a ZIP archive (too small)", archive.string());

  // End of central directory: the last "PK\5\6" record, within the final 64 KiB + 22 bytes.
  const size_t tail = static_cast<size_t>(std::min<uint64_t>(file_size, 65535 + 22));
  std::vector<unsigned char> end(tail);
  read_at(in.get(), file_size - tail, end.data(), tail, archive);
  size_t eocd = std::string::npos;
  for (size_t p = tail - 22 + 1; p-- > 0;)
    if (u32(&end[p]) == 0x06054b50) {
      eocd = p;
      break;
    }
  if (eocd == std::string::npos) fail("{}: not a ZIP archive (no end-of-central-directory record)", archive.string());
  const uint32_t count = u16(&end[eocd + 10]);
  const uint32_t cd_size = u32(&end[eocd + 12]);
  const uint32_t cd_offset = u32(&end[eocd + 16]);
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF)
    fail("{}: ZIP64 archives are not supported", archive.string());
  if (uint64_t{cd_offset} + cd_size > file_size) fail("{}: damaged ZIP archive (central directory out of range)", archive.string());

  std::vector<unsigned char> cd(cd_size);
  read_at(in.get(), cd_offset, cd.data(), cd_size, archive);
  std::vector<Entry> entries;
  uint64_t total = 0;
  for (size_t p = 0, k = 0; k < count; ++k) {
    if (p + 46 > cd.size() || u32(&cd[p]) != 0x02014b50)
      fail("{}: damaged ZIP archive (central directory entry {})", archive.string(), k);
    const uint32_t name_length = u16(&cd[p + 28]), extra = u16(&cd[p + 30]), comment = u16(&cd[p + 32]);
    if (p + 46 + name_length > cd.size()) fail("{}: damaged ZIP archive (entry name)", archive.string());
    Entry e{std::string(reinterpret_cast<const char*>(&cd[p + 46]), name_length), u16(&cd[p + 10]), u16(&cd[p + 8]),
            u32(&cd[p + 16]), u32(&cd[p + 20]), u32(&cd[p + 24]), u32(&cd[p + 42])};
    safe_entry_path(e.name, archive);
    if (e.compressed == 0xFFFFFFFF || e.size == 0xFFFFFFFF || e.local_offset == 0xFFFFFFFF)
      fail("{}: ZIP64 entry '{}' is not supported", archive.string(), e.name);
    total += e.size;
    entries.push_back(std::move(e));
    p += 46 + name_length + extra + comment;
  }

  if (total > kMaxExtractedBytes)
    fail("{}: its entries declare {} bytes in all, more than the {} GiB tailrec extracts; the archive is not a dataset "
         "of the catalog", archive.string(), total, kMaxExtractedBytes >> 30);
  size_t written = 0;
  uint64_t done = 0;
  std::vector<unsigned char> input(1 << 16), output(1 << 16);
  for (const auto& e : entries) {
    const auto relative = safe_entry_path(e.name, archive);
    const auto target = dest / relative;
    if (e.name.back() == '/') {
      create_folder_inside(dest, target);  // a link planted in the data folder is refused, not followed
      continue;
    }
    if (e.flags & 1u) fail("{}: entry '{}' is encrypted; not supported", archive.string(), e.name);
    if (e.method != 0 && e.method != 8)
      fail("{}: entry '{}' uses compression method {}; only stored (0) and deflate (8) are supported",
           archive.string(), e.name, e.method);
    unsigned char local[30];
    read_at(in.get(), e.local_offset, local, sizeof local, archive);
    if (u32(local) != 0x04034b50) fail("{}: damaged ZIP archive (local header of '{}')", archive.string(), e.name);
    const uint64_t data_offset = uint64_t{e.local_offset} + 30 + u16(&local[26]) + u16(&local[28]);
    if (data_offset + e.compressed > file_size)
      fail("{}: truncated ZIP archive (data of '{}' ends past the file)", archive.string(), e.name);
    if (fseeko(in.get(), static_cast<off_t>(data_offset), SEEK_SET) != 0)
      fail("{}: cannot seek to '{}'", archive.string(), e.name);

    create_folder_inside(dest, target.parent_path());
    AtomicFile out(target);
    uLong crc = crc32(0L, Z_NULL, 0);
    uint64_t produced = 0;
    auto emit = [&](const unsigned char* data, size_t size) {
      if (produced + size > e.size)  // stop a lying header before the disk fills, not after
        fail("{}: entry '{}' inflates past the {} bytes its header declares; the archive is damaged or hostile: delete "
             "it and fetch again", archive.string(), shown(e.name, 120), e.size);
      out.write(data, size);
      crc = crc32(crc, data, static_cast<uInt>(size));
      produced += size;
      done += size;
      if (progress) progress("extract", static_cast<int64_t>(done), static_cast<int64_t>(total));
    };
    uint64_t left = e.compressed;
    if (e.method == 0) {
      while (left > 0) {
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, input.size()));
        if (std::fread(input.data(), 1, chunk, in.get()) != chunk)
          fail("{}: truncated ZIP archive in '{}'", archive.string(), e.name);
        emit(input.data(), chunk);
        left -= chunk;
      }
    } else {
      z_stream z{};
      if (inflateInit2(&z, -MAX_WBITS) != Z_OK) fail("zlib could not start inflating '{}'", e.name);
      std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, &inflateEnd);
      int status = Z_OK;
      while (status != Z_STREAM_END) {
        if (z.avail_in == 0) {
          if (left == 0) fail("{}: truncated deflate data in '{}'", archive.string(), e.name);
          const size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, input.size()));
          if (std::fread(input.data(), 1, chunk, in.get()) != chunk)
            fail("{}: truncated ZIP archive in '{}'", archive.string(), e.name);
          left -= chunk;
          z.next_in = input.data();
          z.avail_in = static_cast<uInt>(chunk);
        }
        z.next_out = output.data();
        z.avail_out = static_cast<uInt>(output.size());
        status = inflate(&z, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END)
          fail("{}: damaged deflate data in '{}' ({})", archive.string(), e.name, z.msg ? z.msg : "zlib error");
        emit(output.data(), output.size() - z.avail_out);
      }
    }
    if (produced != e.size || crc != e.crc)
      fail("{}: entry '{}' fails its check (size {} vs {}, crc32 {:08x} vs {:08x}); the archive is damaged: delete it "
           "and fetch again",
           archive.string(), e.name, produced, e.size, crc, e.crc);
    out.commit();
    ++written;
  }
  return written;
}

// --- fetch -----------------------------------------------------------------------------------

std::vector<std::string> fetch_dataset(const std::string& name, const std::filesystem::path& data_dir,
                                       const FetchProgress& progress) {
  return fetch_dataset(catalog_entry(name), data_dir, progress);
}

std::vector<std::string> fetch_dataset(const CatalogEntry& entry, const std::filesystem::path& data_dir,
                                       const FetchProgress& progress) {
  create_user_folder(data_dir, "the data folder");
  try {
    verify_dataset(entry, data_dir);
    if (progress) progress("present", 0, 0);
    return {};
  } catch (const Error&) {
    // not there yet (or damaged): fetch it
  }
  std::vector<std::string> notes;
  std::error_code ec;
  for (const auto& a : entry.archives) {
    const auto archive = data_dir / a.file;
    // The archive is checked as its .part, before the rename: a crash or a bad download never
    // leaves a complete-looking archive with the wrong bytes. A failed check removes the file.
    auto check = [&](const std::filesystem::path& file) {
      if (progress) progress("check", 0, 0);
      auto reject = [&](const std::string& what, const std::string& actual, const std::string& expected) {
        fail("dataset {}: the download {} has {} {}, expected {}; it was deleted: run `tailrec data fetch {}` again (a "
             "copy from another release can be unpacked by hand: the loader reads the unpacked files)",
             entry.name, archive.string(), what, actual, expected, entry.name);
      };
      if (a.size >= 0) {
        const auto size = static_cast<int64_t>(std::filesystem::file_size(file));
        if (size != a.size) reject("size", std::to_string(size), std::to_string(a.size));
      }
      if (!a.sha256.empty())
        if (auto actual = sha256_file(file); actual != a.sha256) reject("sha256", actual, a.sha256);
      if (!a.md5.empty())
        if (auto actual = md5_file(file); actual != a.md5) reject("md5", actual, a.md5);
    };
    if (std::filesystem::exists(archive, ec)) {
      try {
        check(archive);  // an archive put there by hand
      } catch (...) {
        std::filesystem::remove(archive, ec);
        throw;
      }
    } else {
      DownloadOptions options;
      options.check = check;
      download_file(a.url, archive, progress, options);
    }
    if (a.sha256.empty() && a.md5.empty())
      notes.push_back(fmt::format("{}: no published checksum to verify it against; its sha256 is {}", a.file,
                                  sha256_file(archive)));

    extract_zip(archive, data_dir / a.extract_to, progress);
  }
  if (progress) progress("verify", 0, 0);
  verify_dataset(entry, data_dir);
  for (const auto& a : entry.archives)
    std::filesystem::remove(data_dir / a.file, ec);  // the extracted files are what the loaders read
  return notes;
}

}  // namespace tailrec
