#pragma once
// Fetching known datasets (`tailrec data fetch NAME`): resumable libcurl download, archive checks,
// in-process ZIP extraction (zlib; no external unzip), and sha256 verification of the result.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "datasets/catalog.hpp"

namespace tailrec {

// Called with a stage ("download", "extract", "verify", ...), bytes done and total (-1 if unknown).
using FetchProgress = std::function<void(std::string_view stage, int64_t done, int64_t total)>;

// Lower-case hex digests of a file's bytes (OpenSSL EVP).
std::string sha256_file(const std::filesystem::path& file);
std::string md5_file(const std::filesystem::path& file);

// Checks that every known file of the dataset exists under data_dir and has its sha256; the error
// names the file, the expected and the actual hash, and suggests re-fetching.
void verify_dataset(const std::string& name, const std::filesystem::path& data_dir);
void verify_dataset(const CatalogEntry& entry, const std::filesystem::path& data_dir);

// Downloads `url` to `target` through `target`.part, resuming a partial .part with an HTTP Range
// request; the .part is renamed to `target` when complete. file:// URLs work too.
void download_file(const std::string& url, const std::filesystem::path& target, const FetchProgress& progress = {});

// Extracts a ZIP archive (stored or deflated entries) into `dest`; each file is written under a
// temporary name and renamed, and its CRC-32 and size are checked. Entries that would escape
// `dest` (absolute paths, "..") are refused. Returns the number of files written.
size_t extract_zip(const std::filesystem::path& archive, const std::filesystem::path& dest,
                   const FetchProgress& progress = {});

// Download, check, extract and verify. Does nothing (but verify) when the dataset is already there.
void fetch_dataset(const std::string& name, const std::filesystem::path& data_dir, const FetchProgress& progress = {});
void fetch_dataset(const CatalogEntry& entry, const std::filesystem::path& data_dir, const FetchProgress& progress = {});

}  // namespace tailrec
