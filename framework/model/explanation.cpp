#include "framework/model/explanation.hpp"

#include <fmt/format.h>

#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

// Quotes and separators inside titles and terms would make the cell ambiguous.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) out += (c == '"') ? '\'' : (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  return out + "\"";
}

std::string render_one(const Reason& r, const Dataset& data, const UserNames& users) {
  const auto weight = fmt::format("{:.3g}", r.weight);
  switch (r.kind) {
    case Reason::Kind::Item: {
      std::string text = "item " + data.items.external(r.id);
      if (data.content.has_field("title")) {
        const auto& title = data.content.value("title", r.id);
        if (!title.empty()) text += " " + quoted(title);
      }
      return text + " " + weight;
    }
    case Reason::Kind::User: return "user " + users(r.id) + " " + weight;
    case Reason::Kind::Term: return "term " + quoted(r.text) + " " + weight;
    case Reason::Kind::Component: {
      std::string text = r.text + " " + weight;
      if (!r.detail.empty()) text += ": " + render_reasons(r.detail, data, users);
      return text;
    }
  }
  return {};
}

}  // namespace

std::string render_reasons(const std::vector<Reason>& reasons, const Dataset& data, const UserNames& users) {
  std::vector<std::string> parts;
  bool components = false;
  for (const auto& r : reasons) {
    parts.push_back(render_one(r, data, users));
    components = components || r.kind == Reason::Kind::Component;
  }
  return join(parts, components ? "; " : ", ");
}

}  // namespace tailrec
