#pragma once
// The datasets `tailrec data fetch NAME` knows: where each archive is downloaded from, how to check
// it (sha256 / md5 / size where known), which folder it unpacks to and the sha256 of its key files.
#include <cstdint>
#include <string>
#include <vector>

namespace tailrec {

struct KnownFile {
  std::string path;    // relative to the data folder ("ml-100k/u.data")
  std::string sha256;  // empty: only its presence is checked
};

struct CatalogEntry {
  std::string name;         // "ml100k"
  std::string description;  // one line
  std::string url;
  std::string archive;         // file name of the download ("ml-100k.zip")
  std::string archive_sha256;  // empty when unknown
  std::string archive_md5;     // as published by GroupLens; empty when unknown
  int64_t archive_size = -1;   // bytes; -1 when unknown
  std::string folder;          // what the archive unpacks to, relative to the data folder
  std::vector<KnownFile> files;
  std::string loader;  // dataset loader that reads it
};

const std::vector<CatalogEntry>& dataset_catalog();
// Throws with the known names and a did-you-mean for an unknown name.
const CatalogEntry& catalog_entry(const std::string& name);

}  // namespace tailrec
