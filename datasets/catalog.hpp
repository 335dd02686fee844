#pragma once
// The datasets `tailrec data fetch NAME` knows: where each archive is downloaded from, how to check
// it (sha256 / md5 / size where known), where it unpacks, the sha256 of its key files, and the terms
// of use to show before downloading.
#include <cstdint>
#include <string>
#include <vector>

namespace tailrec {

struct KnownFile {
  std::string path;    // relative to the data folder ("ml-100k/u.data")
  std::string sha256;  // empty: only its presence is checked
};

// One downloaded archive. With neither sha256 nor md5 the download cannot be verified: fetch says
// so and prints the sha256 it computed.
struct CatalogArchive {
  std::string url;
  std::string file;            // file name of the download ("ml-100k.zip")
  std::string sha256 = {};     // empty when unknown
  std::string md5 = {};        // empty when unknown
  int64_t size = -1;           // bytes; -1 when unknown
  std::string extract_to = {};  // folder under the data folder it is unpacked into ("" = the data folder)
};

struct CatalogEntry {
  std::string name;         // "ml100k"
  std::string description;  // one line
  std::vector<CatalogArchive> archives;
  std::string folder;  // what the archives unpack to, relative to the data folder
  std::vector<KnownFile> files;
  std::string loader;  // dataset loader that reads it
  std::string terms = {};  // licence notice printed before a download; empty when none is needed
};

const std::vector<CatalogEntry>& dataset_catalog();
// Throws with the known names and a did-you-mean for an unknown name.
const CatalogEntry& catalog_entry(const std::string& name);

}  // namespace tailrec
