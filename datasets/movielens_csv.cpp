// Loader `movielens_csv`: the CSV generation of MovieLens (ml-latest-small, ml-20m, ml-25m, ...):
// ratings.csv, titles and genres from movies.csv, each movie's tags from tags.csv, and optionally
// plot abstracts from a JSON file {"movieId": "text"}.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "datasets/data_dir.hpp"
#include "datasets/delimited_reader.hpp"
#include "datasets/field_parsing.hpp"
#include "datasets/sources.hpp"
#include "datasets/table_source.hpp"
#include "datasets/text_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

constexpr std::string_view kNoAbstract = "Abstract not found.";

// Reads the header record and returns the index of each wanted column.
std::vector<size_t> header_columns(DelimitedReader& reader, const std::vector<std::string>& wanted) {
  if (!reader.next()) reader.fail_here("the file has no header line");
  std::vector<std::string> names;
  for (auto f : reader.fields()) names.emplace_back(trim(f));
  std::vector<size_t> out;
  for (const auto& w : wanted) {
    const auto it = std::find(names.begin(), names.end(), w);
    if (it == names.end())
      reader.fail_here(fmt::format("column '{}' is missing from the header ({}){}", w, join(names, ","),
                                   did_you_mean(w, names)));
    out.push_back(static_cast<size_t>(it - names.begin()));
  }
  return out;
}

class MovieLensCsv final : public TableSource {
 public:
  explicit MovieLensCsv(Params params)
      : TableSource("movielens_csv", std::move(params)),
        folder_(this->params().has("data_dir") ? std::filesystem::path(this->params().text("data_dir"))
                                               : embedded_dataset_dir()) {
    if (this->params().has("abstracts")) abstracts_ = resolve_in(folder_, this->params().text("abstracts"));
  }

 protected:
  std::string dataset_name() const override {
    auto name = folder_.filename().string();
    if (name.empty()) name = folder_.parent_path().filename().string();  // "ml-20m/"
    return name.empty() ? "movielens" : name;
  }
  std::vector<std::filesystem::path> interaction_files() const override { return {folder_ / "ratings.csv"}; }
  std::vector<std::filesystem::path> side_files() const override {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const char* name : {"movies.csv", "tags.csv"})
      if (std::filesystem::exists(folder_ / name, ec)) out.push_back(folder_ / name);
    if (!abstracts_.empty()) out.push_back(abstracts_);  // required when configured
    return out;
  }
  std::filesystem::path base_dir() const override { return folder_; }
  bool has_ratings() const override { return true; }
  bool has_timestamps() const override { return true; }

  void read_interactions(const std::filesystem::path& file, InteractionTable& table) const override {
    DelimitedReader reader(read_text_file(file, fetch_name()), file.string(), {",", true});
    const auto c = header_columns(reader, {"userId", "movieId", "rating", "timestamp"});
    const size_t columns = reader.size();
    while (reader.next()) {
      reader.expect_columns(columns);
      table.add(read_positive_id(reader, c[0], "userId"), read_positive_id(reader, c[1], "movieId"), read_rating(reader, c[2]),
                read_epoch_timestamp(reader, c[3]), reader.line());
    }
  }

  void read_content(Dataset& data) const override {
    data.content = ItemContent(data.items.size());
    std::error_code ec;
    if (std::filesystem::exists(folder_ / "movies.csv", ec)) read_movies(data);
    if (std::filesystem::exists(folder_ / "tags.csv", ec)) read_tags(data);
    if (!abstracts_.empty()) read_abstracts(data);
  }

 private:
  std::string fetch_name() const {
    const auto name = dataset_name();
    if (name == "ml-20m") return "ml20m";
    return "ml_latest_small";
  }

  void read_movies(Dataset& data) const {
    const auto file = folder_ / "movies.csv";
    DelimitedReader reader(read_text_file(file), file.string(), {",", true});
    const auto c = header_columns(reader, {"movieId", "title", "genres"});
    const size_t columns = reader.size();
    auto& titles = data.content.field("title");
    auto& genres = data.content.field("genres");
    while (reader.next()) {
      reader.expect_columns(columns);
      const int32_t item = data.items.find(read_id(reader, c[0], "movieId"));
      if (item < 0) continue;  // a movie nobody rated
      titles[static_cast<size_t>(item)] = std::string(trim(reader[c[1]]));
      auto names = split(trim(reader[c[2]]), '|');
      std::erase_if(names, [](const std::string& g) { return g.empty() || g == "(no genres listed)"; });
      genres[static_cast<size_t>(item)] = join(names, " ");
    }
  }

  // Each movie's distinct tags (case-insensitive), in file order, joined with ", ".
  void read_tags(Dataset& data) const {
    const auto file = folder_ / "tags.csv";
    DelimitedReader reader(read_text_file(file), file.string(), {",", true});
    const auto c = header_columns(reader, {"movieId", "tag"});
    const size_t columns = reader.size();
    auto& tags = data.content.field("tags");
    std::vector<std::set<std::string>> seen(static_cast<size_t>(data.items.size()));
    while (reader.next()) {
      reader.expect_columns(columns);
      const int32_t item = data.items.find(read_id(reader, c[0], "movieId"));
      if (item < 0) continue;
      const auto tag = std::string(trim(reader[c[1]]));
      if (tag.empty() || !seen[static_cast<size_t>(item)].insert(to_lower_ascii(tag)).second) continue;
      auto& text = tags[static_cast<size_t>(item)];
      text += (text.empty() ? "" : ", ") + tag;
    }
  }

  void read_abstracts(Dataset& data) const {
    const auto text = read_text_file(abstracts_);
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
      fail("{}: not valid JSON ({}); expected an object {{\"movieId\": \"abstract text\"}}", abstracts_.string(),
           e.what());
    }
    if (!json.is_object())
      fail("{}: expected a JSON object {{\"movieId\": \"abstract text\"}}, found a {}", abstracts_.string(),
           json.type_name());
    auto& abstracts = data.content.field("abstract");
    for (const auto& [id, value] : json.items()) {
      if (!value.is_string())
        fail("{}: the abstract of movie '{}' is a {}, expected a string", abstracts_.string(), id, value.type_name());
      const int32_t item = data.items.find(id);
      const auto& abstract = value.get_ref<const std::string&>();
      if (item < 0 || trim(abstract).empty() || trim(abstract) == kNoAbstract) continue;
      abstracts[static_cast<size_t>(item)] = std::string(trim(abstract));
    }
  }

  std::filesystem::path folder_;
  std::filesystem::path abstracts_;
};

}  // namespace

void register_movielens_csv(Registries& registries) {
  registries.datasets.add({
      "movielens_csv",
      "MovieLens CSV releases (ml-latest-small, ml-20m, ml-25m): ratings.csv, movies.csv, tags.csv\n"
      "Item text: title, genres, the movie's distinct tags and, when `abstracts` is given, its plot abstract. "
      "A null data_dir reads the embedded ml-latest-small.",
      {ParamSpec::optional("data_dir", ParamType::String,
                           "folder holding ratings.csv, movies.csv, tags.csv (null: the embedded ml-latest-small)"),
       ParamSpec::optional("abstracts", ParamType::String,
                           "JSON file {\"movieId\": \"abstract\"} (relative to data_dir when found there); "
                           "fills the 'abstract' field")},
      [](const Params& p) -> std::unique_ptr<DatasetSource> { return std::make_unique<MovieLensCsv>(p); },
  });
}

}  // namespace tailrec
