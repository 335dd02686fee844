#include "experiments/report/cold_start.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "experiments/report/tables.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

// The split fields every run states (sizes, seed, validation share): not a sign of held-out users or items.
const std::set<std::string> kPlainSplitFields = {"seed", "validation", "train", "test", "validation_interactions"};

nlohmann::json object_at(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : nlohmann::json::object();
}

void add_count(std::vector<std::pair<std::string, std::vector<double>>>& counts, const std::string& what, double value) {
  auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == what; });
  if (it == counts.end()) {
    counts.emplace_back(what, std::vector<double>{});
    it = counts.end() - 1;
  }
  it->second.push_back(value);
}

std::string scores_text(const std::vector<double>& flags) {
  if (flags.empty()) return "not stated";
  const bool all_yes = std::all_of(flags.begin(), flags.end(), [](double f) { return f == 1; });
  const bool all_no = std::all_of(flags.begin(), flags.end(), [](double f) { return f == 0; });
  return all_yes ? "yes" : all_no ? "no" : "in some runs";
}

}  // namespace

std::optional<ColdStartSection> cold_start_section(const ReportData& data, const Context& context) {
  ColdStartSection out;
  out.runs = context.runs.size();
  bool shown = false;
  for (size_t r : context.runs) {
    const auto& m = data.runs[r].metrics;
    for (const char* part : {"cold_users", "candidates", "catalog", "fold_in"}) {
      const auto section = object_at(m, part);
      const auto policy = section.value("policy", std::string());
      if (!policy.empty()) {
        auto text = fmt::format("protocol.{}={}", part, policy);
        if (section.contains("definition") && section["definition"].is_string())
          text += " (" + section["definition"].get<std::string>() + ")";
        if (std::find(out.policies.begin(), out.policies.end(), text) == out.policies.end()) out.policies.push_back(text);
      }
      // Candidates "all" states no count; cold users are worth a section only when there are some.
      if (std::string(part) == "candidates" && !policy.empty() && policy != "all") shown = true;
      for (const auto& [key, value] : section.items())
        if (value.is_number()) {
          add_count(out.counts, std::string(part) + "." + key, value.get<double>());
          if (std::string(part) == "cold_users" && key == "users" && value.get<double>() > 0) shown = true;
          if (std::string(part) == "candidates") shown = true;
          // Held-out users scored from a fold-in history; relevant items outside a train catalog.
          if (std::string(part) == "fold_in" && value.get<double>() > 0) shown = true;
          if (std::string(part) == "catalog" && key == "relevant_dropped" && value.get<double>() > 0) shown = true;
        }
    }
    // Relevant test items without a training interaction (the stratified group `cold`): what a
    // cold-item split tests, and what a warm split holds by chance.
    const auto strata_items = object_at(object_at(m, "strata"), "items");
    if (strata_items.contains("groups") && strata_items["groups"].is_array())
      for (const auto& g : strata_items["groups"])
        if (g.is_object() && g.value("name", std::string()) == "cold") {
          for (const char* key : {"items", "relevant"})
            if (g.contains(key) && g[key].is_number())
              add_count(out.counts, fmt::format("strata.items.cold.{}", key), g[key].get<double>());
          if (g.contains("relevant") && g["relevant"].is_number() && g["relevant"].get<double>() > 0) shown = true;
        }
    const auto split = object_at(m, "split");  // a named copy: the loop must not iterate a destroyed temporary
    for (const auto& [key, value] : split.items())
      if (value.is_number() && key != "seed" && key != "validation") {
        add_count(out.counts, "split." + key, value.get<double>());
        if (!kPlainSplitFields.count(key)) shown = true;  // e.g. a fold-in split's held-out users
      }
  }
  for (const auto& s : context.settings) {
    ColdStartRow row{s.name, {}, {}};
    for (size_t r : s.runs) {
      const auto& algorithms = data.runs[r].metrics["algorithms"];
      if (!algorithms.contains(s.label)) continue;
      const auto& a = algorithms[s.label];
      if (a.contains("scores_cold_items") && a["scores_cold_items"].is_boolean())
        row.scores_cold_items.push_back(a["scores_cold_items"].get<bool>() ? 1 : 0);
      if (a.contains("cold_users_without_list") && a["cold_users_without_list"].is_number())
        row.cold_users_without_list.push_back(a["cold_users_without_list"].get<double>());
    }
    if (!row.scores_cold_items.empty()) shown = true;
    if (std::any_of(row.cold_users_without_list.begin(), row.cold_users_without_list.end(), [](double v) { return v > 0; }))
      shown = true;
    if (std::count(row.scores_cold_items.begin(), row.scores_cold_items.end(), 0.0) > 0)
      out.blind_to_cold_items.push_back(s.name);
    if (std::any_of(row.cold_users_without_list.begin(), row.cold_users_without_list.end(), [](double v) { return v > 0; }))
      out.uninformed_of_cold_users.push_back(s.name);
    out.rows.push_back(std::move(row));
  }
  if (!shown) return std::nullopt;
  return out;
}

namespace {

// Whether some run states, for some setting, whether it scores cold items or left cold users without
// a list: without either, the per-setting table would say "not stated" only.
bool any_stated(const ColdStartSection& c) {
  return std::any_of(c.rows.begin(), c.rows.end(),
                     [](const auto& r) { return !r.scores_cold_items.empty() || !r.cold_users_without_list.empty(); });
}

// The statements of the section, as plain text.
std::vector<std::string> statements(const ColdStartSection& c) {
  std::vector<std::string> out;
  const bool scores_stated = std::any_of(c.rows.begin(), c.rows.end(), [](const auto& r) { return !r.scores_cold_items.empty(); });
  const bool users_stated =
      std::any_of(c.rows.begin(), c.rows.end(), [](const auto& r) { return !r.cold_users_without_list.empty(); });
  if (scores_stated)
    out.push_back(c.blind_to_cold_items.empty()
                      ? "Every model scored the cold candidate items."
                      : "Could not score cold items (empty lists among cold candidates): " + join(c.blind_to_cold_items, ", ") + ".");
  if (users_stated)
    out.push_back(c.uninformed_of_cold_users.empty()
                      ? "Every model had information about the cold users (a list for each)."
                      : "No information about some cold users (an empty list for them): " +
                            join(c.uninformed_of_cold_users, ", ") + ".");
  return out;
}

}  // namespace

std::string cold_start_markdown(const ColdStartSection& c) {
  std::string md;
  for (const auto& p : c.policies) md += "- " + escape_markdown_cell(p) + "\n";
  if (!c.counts.empty()) {
    md += fmt::format("\n| count (metrics.json) | {} |\n|---|---:|\n", c.runs > 1 ? "value (mean (smallest–largest) over runs)" : "value");
    for (const auto& [what, values] : c.counts)
      md += "| " + escape_markdown_cell(what) + " | " + counts_text(values) + " |\n";
  }
  for (const auto& s : statements(c)) md += "\n" + escape_markdown_cell(s) + "\n";
  if (!any_stated(c)) return md;
  md += "\n| setting | scores cold items | cold users without a list |\n|---|---|---:|\n";
  for (const auto& r : c.rows)
    md += "| " + escape_markdown_cell(r.setting) + " | " + scores_text(r.scores_cold_items) + " | " +
          (r.cold_users_without_list.empty() ? std::string("not stated") : counts_text(r.cold_users_without_list)) + " |\n";
  return md;
}

std::string cold_start_html(const ColdStartSection& c) {
  std::string html;
  if (!c.policies.empty()) {
    html += "<ul class=\"legend\">\n";
    for (const auto& p : c.policies) html += "<li>" + escape_html(p) + "</li>\n";
    html += "</ul>\n";
  }
  html += "<div class=\"prov\"><div class=\"table-wrap\"><table class=\"timing\"><thead><tr><th>count (metrics.json)</th><th>" +
          std::string(c.runs > 1 ? "value (mean (smallest–largest) over runs)" : "value") + "</th></tr></thead><tbody>\n";
  for (const auto& [what, values] : c.counts)
    html += "<tr><td>" + escape_html(what) + "</td><td>" + escape_html(counts_text(values)) + "</td></tr>\n";
  html += "</tbody></table></div>\n";
  if (any_stated(c)) {
    html += "<div class=\"table-wrap\"><table class=\"timing\"><thead><tr><th>setting</th><th>scores cold items</th><th>cold "
            "users without a list</th></tr></thead><tbody>\n";
    for (const auto& r : c.rows)
      html += "<tr><td>" + escape_html(r.setting) + "</td><td>" + escape_html(scores_text(r.scores_cold_items)) + "</td><td>" +
              escape_html(r.cold_users_without_list.empty() ? std::string("not stated") : counts_text(r.cold_users_without_list)) +
              "</td></tr>\n";
    html += "</tbody></table></div>";
  }
  html += "</div>\n";
  for (const auto& s : statements(c)) html += "<p class=\"legend\">" + escape_html(s) + "</p>\n";
  return html;
}

}  // namespace tailrec
