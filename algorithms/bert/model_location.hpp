#pragma once
// Where a `model:` parameter points: a checkpoint folder given as a path, or a Hugging Face model id
// (e.g. sentence-transformers/all-MiniLM-L6-v2) looked up in the model folder that `tailrec model
// fetch` fills. Resolved when the algorithm is constructed, so a missing model fails before any data
// is loaded.
#include <filesystem>
#include <string>
#include <vector>

namespace tailrec {

// $TAILREC_MODEL_DIR, else $XDG_CACHE_HOME/tailrec/models, else ~/.cache/tailrec/models: the folder
// `tailrec model fetch` (experiments/hub_download.hpp) downloads into.
std::filesystem::path model_root_dir();

// A model id's folder name in model_root_dir(): every '/' written as "--" (owner/name -> owner--name).
std::string model_folder_name(const std::string& model_id);

// `model` itself when it is a folder, else <model_root_dir()>/<owner>--<name> for a model id
// owner/name (the layout of `tailrec model fetch`); otherwise a tailrec::Error that names every
// place looked at and the command that fetches the model (the caller names the config key).
std::filesystem::path resolve_model_location(const std::string& model);

}  // namespace tailrec
