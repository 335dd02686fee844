#include "experiments/report/strata.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "experiments/report/analysis.hpp"
#include "experiments/report/tables.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* kDimensions[] = {"items", "users"};

std::string dimension_title(const std::string& dimension) {
  return dimension == "items" ? "Accuracy by item popularity" : "Accuracy by user activity";
}

nlohmann::json object_at(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : nlohmann::json::object();
}

// The count columns of a dimension's groups: every count name, in first-seen order.
std::vector<std::string> count_names(const StrataTable& t) {
  std::vector<std::string> names;
  for (const auto& g : t.groups)
    for (const auto& [name, values] : g.counts)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

const std::vector<double>* counts_of(const StrataGroup& g, const std::string& name) {
  for (const auto& [n, values] : g.counts)
    if (n == name) return &values;
  return nullptr;
}

// Per group: whether the setting's mean is the best of the column (ties: all).
std::vector<std::vector<bool>> best_cells(const StrataTable& t) {
  const bool lower = lower_is_better(t.metric);
  std::vector<std::vector<bool>> best(t.settings.size(), std::vector<bool>(t.groups.size(), false));
  for (size_t g = 0; g < t.groups.size(); ++g) {
    std::optional<double> top;
    for (size_t s = 0; s < t.settings.size(); ++s)
      if (t.present[s][g]) {
        const double v = t.values[s][g].mean;
        if (!top || (lower ? v < *top : v > *top)) top = v;
      }
    for (size_t s = 0; s < t.settings.size(); ++s) best[s][g] = top && t.present[s][g] && t.values[s][g].mean == *top;
  }
  return best;
}

}  // namespace

std::vector<StrataTable> strata_tables(const ReportData& data, const Context& context) {
  std::vector<StrataTable> out;
  std::vector<std::string> metrics;
  for (size_t r : context.runs) {
    const auto strata = object_at(data.runs[r].metrics, "strata");
    if (strata.contains("metrics") && strata["metrics"].is_array())
      for (const auto& m : strata["metrics"])
        if (m.is_string() && std::find(metrics.begin(), metrics.end(), m.get<std::string>()) == metrics.end())
          metrics.push_back(m.get<std::string>());
  }
  for (const char* dimension : kDimensions) {
    // The groups: from every run that stratifies this dimension, in the first run's order.
    std::vector<StrataGroup> groups;
    std::vector<std::string> by;
    for (size_t r : context.runs) {
      const auto definition = object_at(object_at(data.runs[r].metrics, "strata"), dimension);
      if (!definition.contains("groups") || !definition["groups"].is_array()) continue;
      const auto how = definition.value("by", std::string("?"));
      if (std::find(by.begin(), by.end(), how) == by.end()) by.push_back(how);
      for (const auto& g : definition["groups"]) {
        if (!g.is_object() || !g.contains("name") || !g["name"].is_string()) continue;
        const auto name = g["name"].get<std::string>();
        auto it = std::find_if(groups.begin(), groups.end(), [&](const StrataGroup& x) { return x.name == name; });
        if (it == groups.end()) {
          groups.push_back({name, g.value("description", std::string()), {}});
          it = groups.end() - 1;
        }
        for (const auto& [key, value] : g.items()) {
          if (!value.is_number()) continue;
          auto c = std::find_if(it->counts.begin(), it->counts.end(), [&](const auto& x) { return x.first == key; });
          if (c == it->counts.end()) {
            it->counts.emplace_back(key, std::vector<double>{});
            c = it->counts.end() - 1;
          }
          c->second.push_back(value.get<double>());
        }
      }
    }
    if (groups.empty()) continue;
    for (const auto& metric : metrics) {
      StrataTable t;
      t.dimension = dimension;
      t.title = dimension_title(dimension) + ": " + metric;
      t.by = join(by, ", ");
      t.metric = metric;
      t.groups = groups;
      for (const auto& s : context.settings) {
        std::vector<Summary> values(groups.size());
        std::vector<bool> present(groups.size(), false);
        bool any = false;
        for (size_t g = 0; g < groups.size(); ++g) {
          std::vector<double> per_run;
          for (size_t r : s.runs) {
            const auto& algorithms = data.runs[r].metrics["algorithms"];
            const auto by_group = algorithms.contains(s.label)
                                      ? object_at(object_at(algorithms[s.label], "strata"), dimension)
                                      : nlohmann::json::object();
            const auto cell = object_at(by_group, groups[g].name.c_str());
            per_run.push_back(cell.contains(metric) && cell[metric].is_number() ? cell[metric].get<double>() : kNaN);
          }
          if (std::any_of(per_run.begin(), per_run.end(), [](double v) { return !std::isnan(v); })) {
            values[g] = summarize(per_run);
            present[g] = any = true;
          }
        }
        if (!any) continue;
        t.settings.push_back(s.name);
        t.values.push_back(std::move(values));
        t.present.push_back(std::move(present));
      }
      if (!t.settings.empty()) out.push_back(std::move(t));
    }
  }
  return out;
}

PlotSource strata_plot(const StrataTable& t, const std::string& stem, const ColourMap& colours) {
  PlotSource p;
  p.stem = stem;
  p.title = t.title;
  p.caption = fmt::format(
      "x: the {} groups in the runs' order ({}); y: mean {} over each setting's runs, bars the sample standard "
      "deviation over them. A missing point: no case of the group was counted (null in metrics.json).",
      t.dimension == "items" ? "item-popularity" : "user-activity", t.by, t.metric);
  std::string dat = "# " + gnuplot_comment(p.title) + ": per group, mean and std over runs\n# group";
  for (const auto& s : t.settings) dat += "\t" + gnuplot_comment(s) + "_mean\t" + gnuplot_comment(s) + "_std";
  dat += "\n";
  for (size_t g = 0; g < t.groups.size(); ++g) {
    dat += gnuplot_data_string(t.groups[g].name);
    for (size_t s = 0; s < t.settings.size(); ++s)
      dat += t.present[s][g] ? fmt::format("\t{:.10g}\t{:.10g}", t.values[s][g].mean, t.values[s][g].std)
                             : std::string("\t?\t?");
    dat += "\n";
  }
  std::string gp = preamble(stem, p.title);
  gp += fmt::format(
      "set xrange [-0.4:{}]\n"
      "set yrange [0:*]\n"
      "set xtics scale 0\n"
      "set xlabel {} offset 0,-0.4\n"
      "set ylabel {} offset 1,0\n"
      "set key outside right top vertical\n",
      static_cast<double>(t.groups.size()) - 0.6,
      gnuplot_string(t.dimension == "items" ? "item popularity group" : "user activity group"), gnuplot_string(t.metric));
  std::string plot = "plot ";
  for (size_t s = 0; s < t.settings.size(); ++s) {
    if (s > 0) plot += ", \\\n     ";
    // Column 0 is the group's index; xticlabels(1) names it by the (untrusted) group name from the data file.
    plot += fmt::format("data using 0:{}:{}{} title {} with yerrorlines linecolor rgb \"{}\" lw 2 pt 7 ps 1.1", 2 + 2 * s,
                        3 + 2 * s, s == 0 ? ":xticlabels(1)" : "", gnuplot_string(t.settings[s]),
                        colours.at(t.settings[s]));
  }
  gp += draw_both(stem, plot);
  p.files = {{stem + ".dat", dat}, {stem + ".gp", gp}};
  return p;
}

std::string strata_markdown(const std::vector<StrataTable>& tables) {
  std::string md;
  std::string shown_groups;  // the dimension whose groups were last listed
  for (const auto& t : tables) {
    if (shown_groups != t.dimension) {
      shown_groups = t.dimension;
      const auto names = count_names(t);
      md += fmt::format("\n**{}**: groups by {}\n\n| group | definition |", dimension_title(t.dimension), escape_markdown_cell(t.by));
      for (const auto& n : names) md += " " + escape_markdown_cell(n) + " |";
      md += "\n|---|---|" + [&] {
        std::string s;
        for (size_t i = 0; i < names.size(); ++i) s += "---:|";
        return s;
      }() + "\n";
      for (const auto& g : t.groups) {
        md += "| " + escape_markdown_cell(g.name) + " | " + escape_markdown_cell(g.description) + " |";
        for (const auto& n : names) {
          const auto* values = counts_of(g, n);
          md += " " + (values ? counts_text(*values) : std::string("—")) + " |";
        }
        md += "\n";
      }
    }
    const auto best = best_cells(t);
    md += fmt::format("\n*{}* {}\n\n| setting |", escape_markdown_cell(t.title), lower_is_better(t.metric) ? "↓" : "↑");
    for (const auto& g : t.groups) md += " " + escape_markdown_cell(g.name) + " |";
    md += "\n|---|";
    for (size_t g = 0; g < t.groups.size(); ++g) md += "---:|";
    md += "\n";
    for (size_t s = 0; s < t.settings.size(); ++s) {
      md += "| " + escape_markdown_cell(t.settings[s]) + " |";
      for (size_t g = 0; g < t.groups.size(); ++g) {
        std::string text = t.present[s][g] ? format_mean_std(t.values[s][g]) : "—";
        if (best[s][g]) text = "**" + text + "**";
        md += " " + text + " |";
      }
      md += "\n";
    }
  }
  if (!md.empty())
    md += "\nMean ± sample standard deviation over each setting's runs; bold: the best mean of a group; —: no case "
          "of the group was counted. Groups and their counts are the runs' own (metrics.json `strata`); a count that "
          "differs between runs shows its mean (smallest–largest). Not tested for significance.\n";
  return md;
}

std::string strata_html(const std::vector<StrataTable>& tables) {
  std::string html;
  std::string shown_groups;
  for (const auto& t : tables) {
    if (shown_groups != t.dimension) {
      shown_groups = t.dimension;
      const auto names = count_names(t);
      html += "<p class=\"legend\"><b>" + escape_html(dimension_title(t.dimension)) + "</b>: groups by " +
              escape_html(t.by) + "</p>\n<div class=\"table-wrap\"><table class=\"timing\"><thead><tr><th>group</th><th style=\"text-align:left\">definition</th>";
      for (const auto& n : names) html += "<th>" + escape_html(n) + "</th>";
      html += "</tr></thead><tbody>\n";
      for (const auto& g : t.groups) {
        html += "<tr><td>" + escape_html(g.name) + "</td><td style=\"text-align:left;white-space:normal\">" +
                escape_html(g.description) + "</td>";
        for (const auto& n : names) {
          const auto* values = counts_of(g, n);
          html += "<td>" + escape_html(values ? counts_text(*values) : std::string("—")) + "</td>";
        }
        html += "</tr>\n";
      }
      html += "</tbody></table></div>\n";
    }
    const auto best = best_cells(t);
    html += "<p class=\"legend\"><b>" + escape_html(t.title) + "</b> " + (lower_is_better(t.metric) ? "↓" : "↑") +
            "</p>\n<div class=\"table-wrap\"><table class=\"results\"><thead><tr><th>setting</th>";
    for (const auto& g : t.groups) html += "<th>" + escape_html(g.name) + "</th>";
    html += "</tr></thead><tbody>\n";
    for (size_t s = 0; s < t.settings.size(); ++s) {
      html += "<tr><td class=\"setting\">" + escape_html(t.settings[s]) + "</td>";
      for (size_t g = 0; g < t.groups.size(); ++g) {
        if (!t.present[s][g]) {
          html += "<td class=\"na\">—</td>";
          continue;
        }
        const auto& v = t.values[s][g];
        html += fmt::format("<td{}>{}", best[s][g] ? " class=\"best\"" : "", escape_html(format_number(v.mean)));
        if (v.n > 1) html += "<span class=\"pm\">± " + escape_html(format_number(v.std)) + "</span>";
        html += "</td>";
      }
      html += "</tr>\n";
    }
    html += "</tbody></table></div>\n";
  }
  if (!html.empty())
    html += "<p class=\"legend\">Mean ± sample standard deviation over each setting's runs; bold: the best mean of a "
            "group; —: no case of the group was counted. Groups and counts are the runs' own; a count that differs "
            "between runs shows its mean (smallest–largest). Not tested for significance.</p>\n";
  return html;
}

std::string strata_csv(const std::string& context, const std::vector<StrataTable>& tables) {
  std::string csv;
  const auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.10g}", v); };
  for (const auto& t : tables) {
    const auto best = best_cells(t);
    for (size_t s = 0; s < t.settings.size(); ++s)
      for (size_t g = 0; g < t.groups.size(); ++g) {
        const auto& v = t.values[s][g];
        const bool present = t.present[s][g];
        const std::vector<std::string> row = {escape_csv_cell(context),
                                              escape_csv_cell(t.settings[s]),
                                              escape_csv_cell(t.metric + "[" + t.dimension + "=" + t.groups[g].name + "]"),
                                              lower_is_better(t.metric) ? "lower" : "higher",
                                              "",
                                              present ? std::to_string(v.n) : "0",
                                              present ? num(v.mean) : "",
                                              present ? num(v.std) : "",
                                              present ? num(v.ci_low) : "",
                                              present ? num(v.ci_high) : "",
                                              best[s][g] ? "1" : "0",
                                              "", "", "", "", "", "", ""};
        csv += join(row, ",") + "\n";
      }
  }
  return csv;
}

}  // namespace tailrec
