// Loader `movielens_100k`: GroupLens MovieLens 100K (u.data, or a fixed split such as u1.base /
// u1.test) with titles and genres from u.item (Latin-1, converted to UTF-8) and u.genre.
#include <fmt/format.h>

#include "datasets/delimited_reader.hpp"
#include "datasets/field_parsing.hpp"
#include "datasets/sources.hpp"
#include "datasets/table_source.hpp"
#include "datasets/text_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

// u.genre order, used when u.genre is absent.
const std::vector<std::string> kGenres = {
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
    "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};
constexpr size_t kItemColumns = 5;  // id|title|release date|video release date|IMDb URL, then genre flags

class MovieLens100k final : public TableSource {
 public:
  explicit MovieLens100k(Params params)
      : TableSource("movielens_100k", std::move(params)),
        folder_(dataset_folder(this->params(), "ml-100k", this->params().text("file"))) {}

 protected:
  std::string dataset_name() const override { return "ml-100k"; }
  std::vector<std::filesystem::path> interaction_files() const override { return {folder_ / params().text("file")}; }
  std::vector<std::filesystem::path> side_files() const override {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const char* name : {"u.item", "u.genre"})
      if (std::filesystem::exists(folder_ / name, ec)) out.push_back(folder_ / name);
    return out;
  }
  std::filesystem::path base_dir() const override { return folder_; }
  bool has_ratings() const override { return true; }
  bool has_timestamps() const override { return true; }

  void read_interactions(const std::filesystem::path& file, InteractionTable& table) const override {
    DelimitedReader reader(read_text_file(file, "ml100k"), file.string(), {"\t", false});
    table.reserve(table.size() + 100000);
    while (reader.next()) {
      reader.expect_columns(4);  // user \t item \t rating \t timestamp
      table.add(read_positive_id(reader, 0, "user id"), read_positive_id(reader, 1, "item id"), read_rating(reader, 2),
                read_epoch_timestamp(reader, 3), reader.line());
    }
  }

  void read_content(Dataset& data) const override {
    std::error_code ec;
    if (!std::filesystem::exists(folder_ / "u.item", ec)) return;
    const auto genres = genre_names();
    DelimitedReader reader(latin1_to_utf8(read_text_file(folder_ / "u.item")), (folder_ / "u.item").string(),
                           {"|", false});
    data.content = ItemContent(data.items.size());
    auto& titles = data.content.field("title");
    auto& genre_text = data.content.field("genres");
    while (reader.next()) {
      reader.expect_columns(kItemColumns + genres.size());
      const int32_t item = data.items.find(read_positive_id(reader, 0, "movie id"));
      if (item < 0) continue;  // never rated
      titles[static_cast<size_t>(item)] = std::string(trim(reader[1]));
      std::string text;
      for (size_t g = 0; g < genres.size(); ++g) {
        const auto flag = trim(reader[kItemColumns + g]);
        if (flag == "1") {
          text += (text.empty() ? "" : " ") + genres[g];
        } else if (flag != "0") {
          reader.fail_here(fmt::format("genre flag '{}' in column {} ({}) must be 0 or 1", reader[kItemColumns + g],
                                       kItemColumns + g + 1, genres[g]));
        }
      }
      genre_text[static_cast<size_t>(item)] = std::move(text);
    }
  }

 private:
  std::vector<std::string> genre_names() const {
    const auto file = folder_ / "u.genre";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return kGenres;
    DelimitedReader reader(latin1_to_utf8(read_text_file(file)), file.string(), {"|", false});
    std::vector<std::string> names;
    while (reader.next()) {
      reader.expect_columns(2);  // name|index
      const auto index = parse_int(reader[1]);
      if (!index || *index != static_cast<int64_t>(names.size()))
        reader.fail_here(fmt::format("genre index '{}' should be {} (genres are listed in order)", reader[1],
                                     names.size()));
      names.emplace_back(trim(reader[0]));
    }
    return names;
  }

  std::filesystem::path folder_;
};

}  // namespace

void register_movielens_100k(Registries& registries) {
  registries.datasets.add({
      "movielens_100k",
      "MovieLens 100K (GroupLens): u.data ratings 1-5 with timestamps, titles and genres from u.item\n"
      "Reads <data_dir>/ml-100k/<file> or <data_dir>/<file>; fixed splits (u1.base/u1.test, ...) via load_files. "
      "Get it with `tailrec data fetch ml100k`.",
      {ParamSpec::optional("data_dir", ParamType::String,
                           "folder holding ml-100k/ or the MovieLens 100K files (null: the download folder)"),
       ParamSpec::text("file", "u.data", "ratings file inside the dataset folder (u.data, u1.base, ...)")},
      [](const Params& p) -> std::unique_ptr<DatasetSource> { return std::make_unique<MovieLens100k>(p); },
  });
}

}  // namespace tailrec
