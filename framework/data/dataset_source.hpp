#pragma once
// A dataset source (MovieLens, delimited file, RecBole atomic files, ...) knows its files and how
// to load them into a Dataset. Registered by loader name; implementations live in datasets/.
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/data/interactions.hpp"

namespace tailrec {

class DatasetSource {
 public:
  virtual ~DatasetSource() = default;
  // The files load() reads (for cache keys: path, size, mtime).
  virtual std::vector<std::filesystem::path> files() const = 0;
  virtual Dataset load() const = 0;
  // Loads interaction files in this source's format (a fixed split's train and test files) with
  // this source's item side data; result.predefined_fold[i] = index of the file row i came from.
  // The interactions are the union of the files; ids are numbered over that union.
  virtual Dataset load_files(const std::vector<std::filesystem::path>& interaction_files) const = 0;
  virtual nlohmann::json describe() const = 0;
};

}  // namespace tailrec
