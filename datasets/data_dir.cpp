#include "datasets/data_dir.hpp"

#include "framework/util/system_info.hpp"

namespace tailrec {

std::filesystem::path default_data_dir() { return user_cache_dir("TAILREC_DATA_DIR", "data"); }

std::filesystem::path embedded_dataset_dir() { return tailrec_home() / "datasets" / "ml-latest-small"; }

}  // namespace tailrec
