#pragma once
// Where datasets live on disk: the download folder used when a config says `data_dir: null`, and
// the folder of the embedded default dataset (ml-latest-small) that ships with the sources.
#include <filesystem>

namespace tailrec {

// TAILREC_DATA_DIR, else $XDG_CACHE_HOME/tailrec/data, else ~/.cache/tailrec/data.
std::filesystem::path default_data_dir();
// $TAILREC_HOME/datasets/ml-latest-small, else the source tree's datasets/ml-latest-small.
std::filesystem::path embedded_dataset_dir();

}  // namespace tailrec
