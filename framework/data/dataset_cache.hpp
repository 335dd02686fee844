#pragma once
// Binary cache of a loaded, preprocessed dataset, keyed by the recipe's hash and the source files'
// sizes and mtimes, so repeated runs skip parsing. A corrupt or stale entry is ignored and rebuilt.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "framework/data/interactions.hpp"

namespace tailrec {

// Cache key from a recipe hash (loader params + preprocessing) and the files' path/size/mtime.
std::string dataset_cache_key(const std::string& recipe_hash, const std::vector<std::filesystem::path>& files);
// Writes atomically (an AtomicFile); throws tailrec::Error naming the file and the reason.
void save_dataset_cache(const std::filesystem::path& file, const Dataset& data);
// nullopt when the file is missing, truncated, of another format version, or otherwise unreadable.
std::optional<Dataset> load_dataset_cache(const std::filesystem::path& file);

}  // namespace tailrec
