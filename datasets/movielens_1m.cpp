// Loader `movielens_1m`: GroupLens MovieLens 1M ("::"-separated ratings.dat, or another ratings
// file of that format such as the reconstructed one in shared/), titles and genres from movies.dat
// (Latin-1, converted to UTF-8).
#include <fmt/format.h>

#include "datasets/delimited_reader.hpp"
#include "datasets/field_parsing.hpp"
#include "datasets/sources.hpp"
#include "datasets/table_source.hpp"
#include "datasets/text_file.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

class MovieLens1m final : public TableSource {
 public:
  explicit MovieLens1m(Params params)
      : TableSource("movielens_1m", std::move(params)),
        folder_(dataset_folder(this->params(), "ml-1m", this->params().text("ratings_file"))) {}

 protected:
  std::string dataset_name() const override { return "ml-1m"; }
  std::vector<std::filesystem::path> interaction_files() const override {
    return {folder_ / params().text("ratings_file")};
  }
  std::vector<std::filesystem::path> side_files() const override {
    std::error_code ec;
    if (std::filesystem::exists(folder_ / "movies.dat", ec)) return {folder_ / "movies.dat"};
    return {};
  }
  std::filesystem::path base_dir() const override { return folder_; }
  bool has_ratings() const override { return true; }
  bool has_timestamps() const override { return true; }

  void read_interactions(const std::filesystem::path& file, InteractionTable& table) const override {
    DelimitedReader reader(read_text_file(file, "ml1m"), file.string(), {"::", false});
    table.reserve(table.size() + 1000209);
    while (reader.next()) {
      reader.expect_columns(4);  // UserID::MovieID::Rating::Timestamp
      table.add(read_positive_id(reader, 0, "user id"), read_positive_id(reader, 1, "movie id"), read_rating(reader, 2),
                read_epoch_timestamp(reader, 3), reader.line());
    }
  }

  void read_content(Dataset& data) const override {
    const auto file = folder_ / "movies.dat";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return;
    DelimitedReader reader(latin1_to_utf8(read_text_file(file)), file.string(), {"::", false});
    data.content = ItemContent(data.items.size());
    auto& titles = data.content.field("title");
    auto& genres = data.content.field("genres");
    while (reader.next()) {
      reader.expect_columns(3);  // MovieID::Title::Genres
      const int32_t item = data.items.find(read_positive_id(reader, 0, "movie id"));
      if (item < 0) continue;
      titles[static_cast<size_t>(item)] = std::string(trim(reader[1]));
      auto names = split(trim(reader[2]), '|');
      std::erase_if(names, [](const std::string& g) { return g.empty(); });
      genres[static_cast<size_t>(item)] = join(names, " ");
    }
  }

 private:
  std::filesystem::path folder_;
};

}  // namespace

void register_movielens_1m(Registries& registries) {
  registries.datasets.add({
      "movielens_1m",
      "MovieLens 1M (GroupLens): ratings.dat (UserID::MovieID::Rating::Timestamp), titles and genres from movies.dat\n"
      "Reads <data_dir>/ml-1m/<ratings_file> or <data_dir>/<ratings_file>. Get it with `tailrec data fetch ml1m`.",
      {ParamSpec::optional("data_dir", ParamType::String,
                           "folder holding ml-1m/ or the MovieLens 1M files (null: the download folder)"),
       ParamSpec::text("ratings_file", "ratings.dat",
                       "ratings file in the same format (e.g. ratings-reconstructed.dat)")},
      [](const Params& p) -> std::unique_ptr<DatasetSource> { return std::make_unique<MovieLens1m>(p); },
  });
}

}  // namespace tailrec
