// Loader `recbole`: RecBole atomic files. <name>.inter holds interactions with typed headers
// (user_id:token, item_id:token, rating:float, timestamp:float); the optional <name>.item holds item
// features, whose token and token_seq fields (title, genre, ...) become item text.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/data_dir.hpp"
#include "datasets/delimited_reader.hpp"
#include "datasets/field_parsing.hpp"
#include "datasets/sources.hpp"
#include "datasets/table_source.hpp"
#include "datasets/text_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

namespace {

const std::vector<std::string> kTypes = {"token", "float", "token_seq", "float_seq"};

struct Field {
  std::string name;
  std::string type;
};

// Parses the "name:type" header of an atomic file.
std::vector<Field> read_header(DelimitedReader& reader) {
  if (!reader.next()) reader.fail_here("the file has no header line");
  std::vector<Field> fields;
  std::unordered_map<std::string, size_t> seen;  // field name -> 1-based column
  for (size_t c = 0; c < reader.size(); ++c) {
    const auto text = trim(reader[c]);
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      reader.fail_here(fmt::format("header field '{}' in column {} has no type; RecBole headers read name:type "
                                   "(e.g. user_id:token)",
                                   shown(text), c + 1));
    Field f{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
    if (std::find(kTypes.begin(), kTypes.end(), f.type) == kTypes.end())
      reader.fail_here(fmt::format("header field '{}' has unknown type '{}'{}; valid types: {}", shown(text), shown(f.type),
                                   did_you_mean(f.type, kTypes), join(kTypes, ", ")));
    // A field named twice would make user_id or item_id pick one column silently.
    if (const auto [it, fresh] = seen.emplace(f.name, c + 1); !fresh)
      reader.fail_here(fmt::format("the header names field '{}' twice (columns {} and {}); give each column its own "
                                   "name", shown(f.name), it->second, c + 1));
    fields.push_back(std::move(f));
  }
  return fields;
}

std::optional<size_t> find_field(const std::vector<Field>& fields, std::string_view name) {
  for (size_t c = 0; c < fields.size(); ++c)
    if (fields[c].name == name) return c;
  return std::nullopt;
}

size_t need_field(const std::vector<Field>& fields, std::string_view name, const DelimitedReader& reader) {
  const auto c = find_field(fields, name);
  if (!c) {
    std::vector<std::string> names;
    for (const auto& f : fields) names.push_back(f.name);
    reader.fail_here(fmt::format("the header has no '{}' field (fields: {}){}", name, join(names, ", "),
                                 did_you_mean(name, names)));
  }
  return *c;
}

class RecBoleSource final : public TableSource {
 public:
  explicit RecBoleSource(Params params) : TableSource("recbole", std::move(params)) {
    const auto& p = this->params();
    name_ = p.text("name");
    const std::filesystem::path dir = p.has("data_dir") ? std::filesystem::path(p.text("data_dir")) : default_data_dir();
    // RecBole's own layout is <data_path>/<name>/<name>.inter; accept the flat layout too.
    std::error_code ec;
    folder_ = std::filesystem::exists(dir / (name_ + ".inter"), ec) ? dir : dir / name_;
    // The header decides whether ratings and timestamps exist; peek at it without reading the file.
    peek_header();
  }

 protected:
  std::string dataset_name() const override { return name_; }
  std::vector<std::filesystem::path> interaction_files() const override { return {folder_ / (name_ + ".inter")}; }
  std::vector<std::filesystem::path> side_files() const override {
    std::error_code ec;
    if (std::filesystem::exists(item_file(), ec)) return {item_file()};
    return {};
  }
  std::filesystem::path base_dir() const override { return folder_; }
  bool has_ratings() const override { return has_rating_; }
  bool has_timestamps() const override { return has_timestamp_; }

  void read_interactions(const std::filesystem::path& file, InteractionTable& table) const override {
    DelimitedReader reader(read_text_file(file), file.string(), {"\t", false});
    const auto fields = read_header(reader);
    const size_t user = need_field(fields, "user_id", reader);
    const size_t item = need_field(fields, "item_id", reader);
    const auto rating = find_field(fields, "rating");
    const auto timestamp = find_field(fields, "timestamp");
    if (rating.has_value() != has_rating_ || timestamp.has_value() != has_timestamp_)
      reader.fail_here(fmt::format("the header's rating/timestamp fields differ from those of {}; every file of a "
                                   "split must have the same fields",
                                   interaction_files()[0].string()));
    while (reader.next()) {
      reader.expect_columns(fields.size());
      table.add(read_id(reader, user, "user_id"), read_id(reader, item, "item_id"),
                rating ? read_rating(reader, *rating) : 1.0f, timestamp ? read_timestamp(reader, *timestamp) : kNoTimestamp, reader.line());
    }
  }

  void read_content(Dataset& data) const override {
    std::error_code ec;
    if (!std::filesystem::exists(item_file(), ec)) return;
    DelimitedReader reader(read_text_file(item_file()), item_file().string(), {"\t", false});
    const auto fields = read_header(reader);
    const size_t id = need_field(fields, "item_id", reader);
    data.content = ItemContent(data.items.size());
    std::vector<size_t> text;
    std::vector<std::vector<std::string>*> values;
    for (size_t c = 0; c < fields.size(); ++c) {
      if (c == id || (fields[c].type != "token" && fields[c].type != "token_seq")) continue;
      text.push_back(c);
      values.push_back(&data.content.field(fields[c].name));
    }
    while (reader.next()) {
      reader.expect_columns(fields.size());
      const int32_t item = data.items.find(read_id(reader, id, "item_id"));
      if (item < 0) continue;
      for (size_t k = 0; k < text.size(); ++k) (*values[k])[static_cast<size_t>(item)] = std::string(trim(reader[text[k]]));
    }
  }

 private:
  std::filesystem::path item_file() const { return folder_ / (name_ + ".item"); }

  void peek_header() {
    const auto file = interaction_files()[0];
    std::FILE* in = std::fopen(file.c_str(), "rb");
    if (!in) return;  // reported with a clear message by load()
    std::string line;
    int c = 0;
    while ((c = std::fgetc(in)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
    std::fclose(in);
    DelimitedReader reader(line, file.string(), {"\t", false});
    if (line.empty()) return;
    const auto fields = read_header(reader);
    has_rating_ = find_field(fields, "rating").has_value();
    has_timestamp_ = find_field(fields, "timestamp").has_value();
  }

  std::string name_;
  std::filesystem::path folder_;
  bool has_rating_ = false;
  bool has_timestamp_ = false;
};

}  // namespace

void register_recbole(Registries& registries) {
  registries.datasets.add({
      "recbole",
      "RecBole atomic files: <name>.inter (user_id:token, item_id:token, rating:float, timestamp:float) and "
      "optional <name>.item\nTab-separated, typed headers name:type (token, float, token_seq, float_seq). "
      "Reads <data_dir>/<name>/<name>.inter or <data_dir>/<name>.inter; token and token_seq fields of .item "
      "become item text.",
      {ParamSpec::optional("data_dir", ParamType::String, "folder holding the atomic files (null: the download folder)"),
       ParamSpec::needed("name", ParamType::String, "dataset name: reads <name>.inter and <name>.item")},
      [](const Params& p) -> std::unique_ptr<DatasetSource> { return std::make_unique<RecBoleSource>(p); },
  });
}

}  // namespace tailrec
