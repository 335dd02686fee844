#include "algorithms/bert/model_location.hpp"

#include <cstdlib>

#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {


std::filesystem::path model_root_dir() { return user_cache_dir("TAILREC_MODEL_DIR", "models"); }

std::string model_folder_name(const std::string& model_id) {
  std::string folder = model_id;
  for (size_t at = 0; (at = folder.find('/', at)) != std::string::npos; at += 2) folder.replace(at, 1, "--");
  return folder;
}

std::filesystem::path resolve_model_location(const std::string& model) {
  if (model.empty())
    fail("the model is empty; give a checkpoint folder or a model id such as "
         "sentence-transformers/all-MiniLM-L6-v2 (fetched with `tailrec model fetch <id>`)");
  const std::filesystem::path given(model);
  std::error_code ec;
  if (std::filesystem::is_directory(given, ec)) return given;
  std::vector<std::string> looked{given.string()};
  if (given.is_relative()) {
    const auto in_model_dir = model_root_dir() / model_folder_name(model);
    if (std::filesystem::is_directory(in_model_dir, ec)) return in_model_dir;
    looked.push_back(in_model_dir.string());
  }
  fail("no checkpoint folder '{}' (looked at {}). Fetch it with `tailrec model fetch {}` (into "
       "$TAILREC_MODEL_DIR, else ~/.cache/tailrec/models), or set model to the folder of a Hugging Face "
       "BERT checkpoint (config.json, vocab.txt, model.safetensors)",
       model, join(looked, " and "), given.is_relative() ? model : std::string("<model id>"));
}

}  // namespace tailrec
