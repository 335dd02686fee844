#include "algorithms/content/text_fields.hpp"

#include <optional>

#include <fmt/format.h>

#include "framework/config/config.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

const std::vector<std::string> kDefaultFields{"title", "genres", "tags", "abstract"};
constexpr const char* kExample = "e.g. fields: {title: 1, genres: 0.5}";

}  // namespace

FieldSelection FieldSelection::parse(const Params& params) {
  FieldSelection s;
  s.key = join_path(params.where(), "fields");
  s.origin = params.origin("fields");
  const YAML::Node node = params.node("fields");
  if (!node || !node.IsMap() || node.size() == 0)
    fail_config(s.key, s.origin, "expected a non-empty map of text field -> weight, {}", kExample);
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    const auto weight = kv.second.IsScalar() ? parse_double(kv.second.Scalar()) : std::nullopt;
    if (!weight || *weight <= 0)
      fail_config(s.key, s.origin, "the weight of '{}' must be a number > 0 (drop the field to leave it out), {}", name,
                  kExample);
    for (const auto& f : s.fields)
      if (f.field == name) fail_config(s.key, s.origin, "field '{}' is listed twice", name);
    s.fields.push_back({name, *weight});
  }
  bool same_as_default = s.fields.size() == kDefaultFields.size();
  for (size_t i = 0; same_as_default && i < s.fields.size(); ++i)
    same_as_default = s.fields[i].field == kDefaultFields[i] && s.fields[i].weight == 1.0;
  s.by_default = s.origin == "default" || same_as_default;
  return s;
}

std::vector<FieldWeight> FieldSelection::present(const ItemContent& content, std::string_view algorithm) const {
  if (content.empty())
    fail("{} needs item text, but the dataset has no item content; use a dataset with text fields "
         "(e.g. dataset=ml_latest_small) or another algorithm",
         algorithm);
  std::vector<FieldWeight> found;
  for (const auto& f : fields) {
    if (content.has_field(f.field)) found.push_back(f);
    else if (!by_default)
      fail_config(key, origin, "the dataset has no text field '{}'{}; its fields are: {}", f.field,
                  did_you_mean(f.field, content.field_names()), join(content.field_names(), ", "));
  }
  if (found.empty())
    fail_config(key, origin, "the dataset has none of the default text fields; its fields are: {}. Set {}, e.g. {{{}: 1}}",
                join(content.field_names(), ", "), key, content.field_names().front());
  return found;
}

std::string fields_text(const std::vector<FieldWeight>& fields) {
  std::vector<std::string> parts;
  for (const auto& f : fields) parts.push_back(fmt::format("{}: {}", f.field, f.weight));
  return fmt::format("{{{}}}", join(parts, ", "));
}

ParamSpec fields_param(std::string help) {
  YAML::Node fields;
  for (const auto& f : kDefaultFields) fields[f] = 1;
  return ParamSpec{"fields", ParamType::Node, fields, std::move(help), {}, {}, {}, false};
}

}  // namespace tailrec
