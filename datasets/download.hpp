#pragma once
// Fetching known datasets (`tailrec data fetch NAME`): resumable libcurl download, archive checks,
// in-process ZIP extraction (zlib; no external unzip), and sha256 verification of the result.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/catalog.hpp"

namespace tailrec {

// Called with a stage ("download", "extract", "verify", ...), bytes done and total (-1 if unknown).
using FetchProgress = std::function<void(std::string_view stage, int64_t done, int64_t total)>;

// Lower-case hex digests of a file's bytes (OpenSSL EVP).
std::string sha256_file(const std::filesystem::path& file);
std::string md5_file(const std::filesystem::path& file);
// The id git gives the file's content: sha1 of "blob <size>\0" followed by the bytes (what the
// Hugging Face hub sends as the ETag of files not stored in LFS).
std::string git_blob_sha1_file(const std::filesystem::path& file);

// Checks that every known file of the dataset exists under data_dir and has its sha256; the error
// names the file, the expected and the actual hash, and suggests re-fetching.
void verify_dataset(const std::string& name, const std::filesystem::path& data_dir);
void verify_dataset(const CatalogEntry& entry, const std::filesystem::path& data_dir);

struct DownloadOptions {
  // Extra request headers, e.g. "Authorization: Bearer ..." (curl drops it on a redirect to another host).
  std::vector<std::string> headers;
  // Called with the complete .part before it is renamed to the target. If it throws, the .part is
  // removed (a damaged download must not be resumed) and the target is left as it was.
  std::function<void(const std::filesystem::path& part)> check;
};

// Downloads `url` to `target` through `target`.part, resuming a partial .part with an HTTP Range
// request; the .part is renamed to `target` when complete. Redirects are followed; an HTTP error
// status fails. file:// URLs work too.
void download_file(const std::string& url, const std::filesystem::path& target, const FetchProgress& progress = {},
                   const DownloadOptions& options = {});

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased, values trimmed
  std::string header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A HEAD request that does not follow redirects (a 3xx comes back with its Location and headers).
// Any HTTP status is returned; only a transport failure (no connection, timeout) is an Error.
HttpResponse http_head(const std::string& url, const std::vector<std::string>& request_headers = {});

// Extracts a ZIP archive (stored or deflated entries) into `dest`; each file is written under a
// temporary name and renamed, and its CRC-32 and size are checked. Entries that would escape
// `dest` (absolute paths, "..") are refused. Returns the number of files written.
size_t extract_zip(const std::filesystem::path& archive, const std::filesystem::path& dest,
                   const FetchProgress& progress = {});

// Download, check and extract each archive, then verify. Does nothing (but verify) when the dataset
// is already there. Returns notes for the user: archives without a published checksum (unverified,
// with the sha256 computed here).
std::vector<std::string> fetch_dataset(const std::string& name, const std::filesystem::path& data_dir,
                                       const FetchProgress& progress = {});
std::vector<std::string> fetch_dataset(const CatalogEntry& entry, const std::filesystem::path& data_dir,
                                       const FetchProgress& progress = {});

}  // namespace tailrec
