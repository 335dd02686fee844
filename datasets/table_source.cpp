#include "datasets/table_source.hpp"

#include "datasets/data_dir.hpp"
#include "framework/util/error.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

std::vector<std::filesystem::path> TableSource::files() const {
  auto out = interaction_files();
  for (auto& f : side_files()) out.push_back(std::move(f));
  return out;
}

Dataset TableSource::load() const {
  Dataset data = load_files(interaction_files());
  data.predefined_fold.clear();  // one file: no fixed split
  return data;
}

Dataset TableSource::load_files(const std::vector<std::filesystem::path>& given) const {
  if (given.empty()) fail("{}: load_files needs at least one interaction file", loader_);
  if (given.size() > 255) fail("{}: at most 255 interaction files in a fixed split, got {}", loader_, given.size());
  InteractionTable table(has_ratings(), has_timestamps());
  if (given.size() > 1) table.keep_lines();
  std::vector<uint8_t> fold;
  std::vector<std::filesystem::path> files;
  std::string source;
  for (size_t f = 0; f < given.size(); ++f) {
    const auto file = resolve_in(base_dir(), given[f]);
    const size_t first_row = table.size();
    read_interactions(file, table);
    // A fixed split's test interaction that training also holds leaks the answer to every model.
    if (const auto repeat = table.pair_repeated_across(first_row)) {
      const auto where = [&](size_t row) {
        const auto line = table.line(row);
        return line ? fmt::format("{}:{}", files[fold[row]].string(), line) : files[fold[row]].string();
      };
      files.push_back(file);
      fold.resize(table.size(), static_cast<uint8_t>(f));
      fail("{}: user '{}', item '{}' is in both {} and {}; a fixed split's files must not share an interaction "
           "(the later file's copy would be known in training): remove it from one file",
           loader_, shown(table.user_id(repeat->second)), shown(table.item_id(repeat->second)), where(repeat->first),
           where(repeat->second));
    }
    files.push_back(file);
    fold.resize(table.size(), static_cast<uint8_t>(f));
    source += (f ? ", " : "") + file.string();
  }
  if (table.size() == 0) fail("{}: no interactions found in {}", loader_, source);
  auto result = table.finish();
  Dataset data;
  data.name = dataset_name();
  data.users = std::move(result.users);
  data.items = std::move(result.items);
  data.log = std::move(result.log);
  data.log.has_ratings = has_ratings();
  data.source = loader_ + ": " + source;
  data.predefined_fold = std::move(fold);
  read_content(data);
  return data;
}

nlohmann::json TableSource::describe() const {
  return nlohmann::json{{"loader", loader_}, {"params", params_.to_json()}};
}

std::filesystem::path dataset_folder(const Params& params, const std::string& subfolder, const std::string& probe) {
  const std::filesystem::path dir = params.has("data_dir") ? std::filesystem::path(params.text("data_dir"))
                                                           : default_data_dir();
  std::error_code ec;
  if (std::filesystem::exists(dir / probe, ec)) return dir;
  return dir / subfolder;  // also where a missing dataset is reported (with the fetch hint)
}

std::filesystem::path resolve_in(const std::filesystem::path& base, const std::filesystem::path& file) {
  if (file.is_absolute() || base.empty()) return file;
  std::error_code ec;
  if (std::filesystem::exists(base / file, ec) || !std::filesystem::exists(file, ec)) return base / file;
  return file;  // relative to the working directory
}

}  // namespace tailrec
