// Loader `delimited`: any delimited interaction file (CSV, TSV, NCF's .rating files, ...) with the
// columns named in the config, plus an optional item file whose listed columns become item text.
#include <algorithm>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "datasets/delimited_reader.hpp"
#include "datasets/field_parsing.hpp"
#include "datasets/sources.hpp"
#include "datasets/table_source.hpp"
#include "datasets/text_file.hpp"
#include "framework/config/config.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

namespace {

// "\t", a literal backslash-t (single-quoted YAML) and "tab" all mean a tab.
std::string separator_from(const std::string& text) {
  if (text == "\\t" || to_lower_ascii(text) == "tab") return "\t";
  return text;
}

// A column given by header name or 0-based index.
struct ColumnRef {
  std::string name;
  std::optional<size_t> index;
  std::string key;  // config key, for errors ("columns.user")
};

std::string show(const YAML::Node& node) {
  if (!node || node.IsNull()) return "null";
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

ColumnRef column_ref(const YAML::Node& node, const std::string& key, bool header, const std::string& origin) {
  if (!node.IsScalar() || node.Scalar().empty())
    fail_config(key, origin, "expected a column {}, got {}",
         header ? "name (or 0-based index)" : "0-based index", show(node));
  ColumnRef ref{node.Scalar(), std::nullopt, key};
  if (const auto index = parse_int(node.Scalar())) {
    if (*index < 0) fail_config(key, origin, "column index {} is negative", *index);
    ref.index = static_cast<size_t>(*index);
  } else if (!header) {
    fail_config(key, origin, "'{}' is a column name, but the file has no header (header: false); give a 0-based column index",
                node.Scalar());
  }
  return ref;
}

// Rejects keys outside `valid` with a did-you-mean.
void check_keys(const YAML::Node& map, const std::string& key, const std::vector<std::string>& valid,
                const std::string& origin) {
  if (!map.IsMap())
    fail_config(key, origin, "expected a map with keys {}, got {}", join(valid, ", "), show(map));
  for (const auto& kv : map) {
    const auto name = kv.first.Scalar();
    if (std::find(valid.begin(), valid.end(), name) == valid.end())
      fail_config(join_path(key, name), origin, "unknown key '{}'{}; valid keys: {}", name,
           did_you_mean(name, valid), join(valid, ", "));
  }
}

// Column index of `ref` in a file whose header is `names` (empty without header).
size_t locate(const ColumnRef& ref, const std::vector<std::string>& names, const DelimitedReader& reader) {
  if (!names.empty()) {
    const auto it = std::find(names.begin(), names.end(), ref.name);
    if (it != names.end()) return static_cast<size_t>(it - names.begin());
    if (!ref.index)
      reader.fail_here(fmt::format("column '{}' ({}) is not in the header ({}){}", ref.name, ref.key,
                                   join(names, ","), did_you_mean(ref.name, names)));
  }
  if (*ref.index >= reader.size())
    reader.fail_here(fmt::format("column index {} ({}) is out of range: the line has {} columns (0-based indices "
                                 "0..{})",
                                 *ref.index, ref.key, reader.size(), reader.size() - 1));
  return *ref.index;
}


// A column named twice would make `columns.item: item` pick one of them silently.
std::vector<std::string> header_names(const DelimitedReader& reader) {
  std::vector<std::string> names;
  std::unordered_map<std::string_view, size_t> column_of;  // views into reader's fields
  for (auto f : reader.fields()) {
    const auto name = trim(f);
    names.emplace_back(name);
    if (const auto [it, fresh] = column_of.emplace(name, names.size()); !fresh)
      reader.fail_here(fmt::format("the header names column '{}' twice (columns {} and {}); give each column its own "
                                   "name, or set header: false and use 0-based column indices",
                                   shown(name), it->second, names.size()));
  }
  return names;
}

class DelimitedSource final : public TableSource {
 public:
  // The dotted config key of a (nested) parameter, for errors: "dataset.columns.user".
  std::string key(const std::string& name) const { return join_path(params().where(), name); }

  explicit DelimitedSource(Params params) : TableSource("delimited", std::move(params)) {
    const auto& p = this->params();
    path_ = p.text("path");
    format_ = {separator_from(p.text("sep")), true};
    header_ = p.boolean("header");
    const auto origin = p.origin("columns");
    const auto columns = p.node("columns");
    if (!columns || columns.IsNull())
      fail_config(key("columns"), origin, "is missing: give at least {{user: ..., item: ...}} (column names with a "
                  "header, 0-based indices without)");
    check_keys(columns, key("columns"), {"user", "item", "rating", "timestamp"}, origin);
    for (const char* needed : {"user", "item"})
      if (!columns[needed] || columns[needed].IsNull())
        fail_config(key("columns"), origin, "the '{}' column is required", needed);
    user_ = column_ref(columns["user"], key("columns.user"), header_, origin);
    item_ = column_ref(columns["item"], key("columns.item"), header_, origin);
    if (columns["rating"] && !columns["rating"].IsNull())
      rating_ = column_ref(columns["rating"], key("columns.rating"), header_, origin);
    if (columns["timestamp"] && !columns["timestamp"].IsNull())
      timestamp_ = column_ref(columns["timestamp"], key("columns.timestamp"), header_, origin);
    parse_items(p.node("items"), p.origin("items"));
  }

 protected:
  std::string dataset_name() const override { return path_.stem().string(); }
  std::vector<std::filesystem::path> interaction_files() const override { return {path_}; }
  std::vector<std::filesystem::path> side_files() const override {
    if (items_path_.empty()) return {};
    return {items_path_};
  }
  std::filesystem::path base_dir() const override { return path_.parent_path(); }
  bool has_ratings() const override { return rating_.has_value(); }
  bool has_timestamps() const override { return timestamp_.has_value(); }

  void read_interactions(const std::filesystem::path& file, InteractionTable& table) const override {
    DelimitedReader reader(read_text_file(file), file.string(), format_);
    std::vector<std::string> names;
    if (header_) {
      if (!reader.next()) return;
      names = header_names(reader);
    }
    size_t columns = 0;
    size_t u = 0, i = 0, r = 0, t = 0;
    bool first = true;
    while (reader.next()) {
      if (first) {
        columns = header_ ? names.size() : reader.size();
        reader.expect_columns(columns);
        u = locate(user_, names, reader);
        i = locate(item_, names, reader);
        if (rating_) r = locate(*rating_, names, reader);
        if (timestamp_) t = locate(*timestamp_, names, reader);
        first = false;
      }
      reader.expect_columns(columns);
      table.add(read_id(reader, u, "user id"), read_id(reader, i, "item id"), rating_ ? read_rating(reader, r) : 1.0f,
                timestamp_ ? read_timestamp(reader, t) : kNoTimestamp, reader.line());
    }
  }

  void read_content(Dataset& data) const override {
    if (items_path_.empty()) return;
    DelimitedReader reader(read_text_file(items_path_), items_path_.string(), items_format_);
    std::vector<std::string> names;
    if (items_header_ && reader.next()) names = header_names(reader);
    data.content = ItemContent(data.items.size());
    std::vector<std::vector<std::string>*> fields;
    size_t columns = 0, id = 0;
    std::vector<size_t> text;
    bool first = true;
    while (reader.next()) {
      if (first) {
        columns = items_header_ ? names.size() : reader.size();
        reader.expect_columns(columns);
        id = locate(items_id_, names, reader);
        for (const auto& ref : items_text_) {
          text.push_back(locate(ref, names, reader));
          // Field named after the header column, or "column<i>" without a header.
          fields.push_back(&data.content.field(items_header_ ? names[text.back()] : fmt::format("column{}", text.back())));
        }
        first = false;
      }
      reader.expect_columns(columns);
      const int32_t item = data.items.find(read_id(reader, id, "item id"));
      if (item < 0) continue;  // only in the item file
      for (size_t k = 0; k < text.size(); ++k) {
        const auto value = trim(reader[text[k]]);
        // Item text feeds tokenizers that expect UTF-8; a Latin-1 file would be read as garbage.
        if (const auto bad = invalid_utf8_at(value); bad != std::string_view::npos)
          reader.fail_here(fmt::format("column {} is not valid UTF-8 (byte 0x{:02X} at offset {}); the item file must "
                                       "be UTF-8: convert it, e.g. `iconv -f latin1 -t utf-8`",
                                       text[k] + 1, static_cast<unsigned char>(value[bad]), bad));
        (*fields[k])[static_cast<size_t>(item)] = std::string(value);
      }
    }
  }

 private:
  void parse_items(const YAML::Node& items, const std::string& origin) {
    if (!items || items.IsNull()) return;
    check_keys(items, key("items"), {"path", "id", "text", "sep", "header"}, origin);
    if (!items["path"] || !items["path"].IsScalar())
      fail_config(key("items.path"), origin, "the item file's path is required");
    items_path_ = resolve_in(path_.parent_path(), items["path"].Scalar());  // next to `path` when found there
    items_format_ = format_;
    if (items["sep"]) {
      if (!items["sep"].IsScalar() || items["sep"].Scalar().empty())
        fail_config(key("items.sep"), origin, "expected a separator such as \",\" or \"\\t\", got {}",
             show(items["sep"]));
      items_format_.separator = separator_from(items["sep"].Scalar());
    }
    items_header_ = header_;
    if (items["header"]) {
      const auto h = items["header"].IsScalar() ? to_lower_ascii(items["header"].Scalar()) : "";
      if (h != "true" && h != "false")
        fail_config(key("items.header"), origin, "expected true or false, got {}", show(items["header"]));
      items_header_ = h == "true";
    }
    if (!items["id"] || items["id"].IsNull())
      fail_config(key("items.id"), origin, "the item id column is required");
    items_id_ = column_ref(items["id"], key("items.id"), items_header_, origin);
    const auto text = items["text"];
    if (!text || text.IsNull())
      fail_config(key("items.text"), origin, "list the columns that make the item text, e.g. [title, genres]");
    if (text.IsSequence()) {
      for (size_t k = 0; k < text.size(); ++k)
        items_text_.push_back(column_ref(text[k], join_path(key("items.text"), k), items_header_, origin));
    } else {
      items_text_.push_back(column_ref(text, key("items.text"), items_header_, origin));
    }
  }

  std::filesystem::path path_;
  DelimitedFormat format_;
  bool header_ = true;
  ColumnRef user_, item_;
  std::optional<ColumnRef> rating_, timestamp_;
  std::filesystem::path items_path_;
  DelimitedFormat items_format_;
  bool items_header_ = true;
  ColumnRef items_id_;
  std::vector<ColumnRef> items_text_;
};

}  // namespace

void register_delimited(Registries& registries) {
  auto columns = ParamSpec::node(
      "columns",
      "map user|item|rating|timestamp -> column name (with a header) or 0-based index; user and item required; "
      "without rating every interaction is 1, without timestamp there is no time");
  columns.required = true;
  registries.datasets.add({
      "delimited",
      "Any delimited interaction file (CSV, TSV, ...) with configurable columns and optional item text file\n"
      "RFC 4180 quotes, UTF-8 (BOM skipped) and CRLF are accepted. items: {path, id, text: [columns], sep, header}; "
      "each text column becomes an item content field named after it (column<i> without a header). A relative "
      "items.path is looked up next to `path` first.",
      {ParamSpec::needed("path", ParamType::String, "the interaction file"),
       ParamSpec::text("sep", ",", "column separator: \",\", \"\\t\" (or tab), \"::\", \"|\", ..."),
       ParamSpec::boolean("header", true, "the first line names the columns"), columns,
       ParamSpec::node("items", "optional item file: {path, id, text: [columns], sep (default: sep), header "
                                "(default: header)}")},
      [](const Params& p) -> std::unique_ptr<DatasetSource> { return std::make_unique<DelimitedSource>(p); },
  });
}

}  // namespace tailrec
