#pragma once
// The `fields` parameter of the content algorithms (tfidf, bert, embedding_regression): the item
// text fields to read, with weights. The default set, {title, genres, tags, abstract} with weight
// 1, skips fields a dataset lacks; a set the user wrote differs from it, and each of its fields
// must then exist. Errors are ConfigErrors at the parameter's key.
#include <string>
#include <string_view>
#include <vector>

#include "algorithms/content/item_features.hpp"
#include "framework/config/params.hpp"
#include "framework/data/interactions.hpp"

namespace tailrec {

// "{title: 1, genres: 0.5}" (also part of the embedding cache key: keep the format).
std::string fields_text(const std::vector<FieldWeight>& fields);

struct FieldSelection {
  std::vector<FieldWeight> fields;
  bool by_default = true;  // the default set: fields the dataset lacks are skipped
  std::string key;         // the parameter's dotted key and origin, for errors
  std::string origin;

  // Reads the `fields` parameter: a non-empty map field -> weight > 0, no field twice.
  static FieldSelection parse(const Params& params);
  // The listed fields that `content` has; errors name missing explicit fields and empty content.
  std::vector<FieldWeight> present(const ItemContent& content, std::string_view algorithm) const;
  std::string text() const { return fields_text(fields); }
};

// The `fields` parameter's spec: the default set, with `help`.
ParamSpec fields_param(std::string help);

}  // namespace tailrec
