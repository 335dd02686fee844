#pragma once
// The shared skeleton of every loader: read one or more interaction files of one format into an
// InteractionTable (rows kept in file order), number the ids, then attach item side data. Concrete
// sources say which files they read and how one file is parsed; load() and load_files() (fixed
// splits, with predefined_fold) are implemented once here.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/interaction_table.hpp"
#include "framework/config/params.hpp"
#include "framework/data/dataset_source.hpp"

namespace tailrec {

class TableSource : public DatasetSource {
 public:
  TableSource(std::string loader, Params params) : loader_(std::move(loader)), params_(std::move(params)) {}

  std::vector<std::filesystem::path> files() const override;
  Dataset load() const override;
  Dataset load_files(const std::vector<std::filesystem::path>& interaction_files) const override;
  nlohmann::json describe() const override;

 protected:
  // Dataset.name (e.g. "ml-100k").
  virtual std::string dataset_name() const = 0;
  // What load() reads.
  virtual std::vector<std::filesystem::path> interaction_files() const = 0;
  // Side-data files (item content); optional ones are listed only when they exist.
  virtual std::vector<std::filesystem::path> side_files() const { return {}; }
  // Where a relative path given to load_files() is looked up (the dataset's folder).
  virtual std::filesystem::path base_dir() const { return {}; }
  virtual bool has_ratings() const = 0;
  virtual bool has_timestamps() const = 0;
  // Appends the rows of one interaction file.
  virtual void read_interactions(const std::filesystem::path& file, InteractionTable& table) const = 0;
  // Fills data.content for the items in data.items (items only in side data are dropped).
  virtual void read_content(Dataset& data) const { (void)data; }

  const Params& params() const { return params_; }
  const std::string& loader() const { return loader_; }

 private:
  std::string loader_;
  Params params_;
};

// The folder a MovieLens-style loader reads: `data_dir` itself when it holds `probe`, else
// `data_dir/subfolder` (a download folder holding several datasets). A null data_dir means
// default_data_dir().
std::filesystem::path dataset_folder(const Params& params, const std::string& subfolder, const std::string& probe);
// Absolute-or-relative resolution against the dataset folder, as load_files() does.
std::filesystem::path resolve_in(const std::filesystem::path& base, const std::filesystem::path& file);

}  // namespace tailrec
