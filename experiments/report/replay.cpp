#include "experiments/report/replay.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "experiments/report/tables.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Sums and counts per round index, NaN skipped; mean() gives NaN where nothing was added.
struct RoundMeans {
  std::vector<double> sum;
  std::vector<int> n;
  explicit RoundMeans(size_t rounds) : sum(rounds, 0.0), n(rounds, 0) {}
  void add(size_t index, double value) {
    if (std::isnan(value)) return;
    sum[index] += value;
    ++n[index];
  }
  std::vector<double> mean() const {
    std::vector<double> out(sum.size(), kNaN);
    for (size_t i = 0; i < sum.size(); ++i)
      if (n[i] > 0) out[i] = sum[i] / n[i];
    return out;
  }
};

std::string num(double v) { return std::isnan(v) ? std::string("?") : fmt::format("{:.10g}", v); }

// Counts stay integers; a mean over runs of counts gets one decimal.
std::string count_text(double v) {
  if (std::isnan(v)) return "—";
  if (v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.1f}", v);
}

std::string date_of(int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d", &tm);
  return buffer;
}

struct Column {
  const char* header;
  std::vector<double> ReplaySeries::*values;
  bool count;
};
const Column kColumns[] = {{"hit rate", &ReplaySeries::hit_rate, false},
                           {"precision", &ReplaySeries::precision, false},
                           {"tail share of hits", &ReplaySeries::tail_share_of_hits, false},
                           {"coverage so far", &ReplaySeries::coverage_so_far, false},
                           {"cumulative hits", &ReplaySeries::cumulative_hits, true}};

std::string cell_text(const ReplaySeries& s, const Column& c, size_t i) {
  if (!s.present[i]) return "—";
  const double v = (s.*c.values)[i];
  return c.count ? count_text(v) : format_number(v);
}

std::string intro(const ReplayTable& t) {
  int64_t later = 0;
  for (auto n : t.interactions) later += n;
  std::string text = fmt::format("{} round{}", t.rounds.size(), t.rounds.size() == 1 ? "" : "s");
  if (!t.by.empty()) text += fmt::format(" of equal {}", t.by == "time" ? "time windows" : "interaction counts");
  text += fmt::format(" replaying {} later interactions", later);
  if (t.initial_train >= 0) text += fmt::format(" after {} initial training interactions", t.initial_train);
  text += fmt::format(
      ". In each round every active user with earlier interactions gets a top-{k} list; a hit is a listed item "
      "she interacted with during the round; then every model learns the round's interactions. Per round: hit rate = "
      "share of the evaluated users with at least one hit, precision = hits / ({k} × evaluated users), tail share of "
      "hits = share of the hits on long-tail items, coverage so far = share of the catalogue shown in some list up to "
      "this round, cumulative hits = hits up to this round.",
      fmt::arg("k", t.k));
  if (t.max_runs > 1) text += " Values are means over each setting's runs (seeds).";
  text +=
      " In the table above hits, hit_rate, pooled_precision, tail_share_of_hits, coverage_so_far and gini_so_far pool "
      "every round's lists and the configured metrics are means over rounds; replay runs have no per-user values, so no column is tested for significance.";
  return text;
}

// One line chart over rounds: a .dat with one column per curve and its script.
PlotSource round_plot(const ReplayTable& t, const std::string& stem, const std::string& title, const std::string& caption,
                      const std::string& ylabel, const std::vector<std::string>& names,
                      const std::vector<std::string>& colours, const std::vector<int>& dashes,
                      const std::vector<std::vector<double>>& values) {
  PlotSource p;
  p.stem = stem;
  p.title = title;
  p.caption = caption;
  std::string dat = "# " + gnuplot_comment(title) + " (? = no value)\n# round";
  for (const auto& n : names) dat += "\t" + gnuplot_comment(n);
  dat += "\n";
  bool negative = false;
  for (size_t i = 0; i < t.rounds.size(); ++i) {
    dat += std::to_string(t.rounds[i]);
    for (const auto& v : values) {
      dat += "\t" + num(v[i]);
      if (v[i] < 0) negative = true;
    }
    dat += "\n";
  }
  std::string gp = preamble(stem, title) + fmt::format(
      "set key outside right top vertical\n"
      "set xlabel \"round\" offset 0,0.3\n"
      "set ylabel {ylabel} offset 1,0\n"
      "set xrange [{lo}:{hi}]\n"
      "{yrange}"
      "{xtics}",
      fmt::arg("ylabel", gnuplot_string(ylabel)),
      fmt::arg("lo", t.rounds.empty() ? 0.0 : static_cast<double>(t.rounds.front()) - 0.3),
      fmt::arg("hi", t.rounds.empty() ? 1.0 : static_cast<double>(t.rounds.back()) + 0.3),
      fmt::arg("yrange", negative ? "" : "set yrange [0:*]\n"),
      fmt::arg("xtics", t.rounds.size() <= 25 ? "set xtics 1\n" : ""));
  std::string plot = "plot ";
  for (size_t c = 0; c < names.size(); ++c) {
    if (c > 0) plot += ", \\\n     ";
    plot += fmt::format(
        "data using 1:{} with linespoints linewidth 2.4 dashtype {} pointtype 7 pointsize 1.1 linecolor rgb \"{}\" "
        "title {}",
        c + 2, dashes[c], colours[c], gnuplot_string(names[c]));
  }
  gp += draw_both(stem, plot);
  p.files = {{stem + ".dat", dat}, {stem + ".gp", gp}};
  return p;
}

}  // namespace

std::string replay_window(int64_t start, int64_t end) {
  const auto a = date_of(start), b = date_of(end);
  return a == b ? a : a + " – " + b;
}

std::optional<ReplayTable> replay_table(const ReportData& data, const Context& context) {
  if (context.runs.empty() || !data.runs[context.runs.front()].replay) return std::nullopt;
  ReplayTable t;
  t.title = context.title;
  // Round numbers: every round of every label of the context's runs.
  std::vector<int64_t> rounds;
  const RunRecord* first = nullptr;
  for (size_t r : context.runs) {
    const auto& run = data.runs[r];
    if (!run.replay_rounds) continue;
    if (!first) first = &run;
    for (const auto& [label, rows] : run.replay_rounds->rows)
      for (const auto& row : rows) rounds.push_back(row.round);
  }
  if (!first || rounds.empty()) return std::nullopt;
  std::sort(rounds.begin(), rounds.end());
  rounds.erase(std::unique(rounds.begin(), rounds.end()), rounds.end());
  t.rounds = rounds;
  const size_t R = rounds.size();
  const auto index_of = [&](int64_t round) {
    return static_cast<size_t>(std::lower_bound(rounds.begin(), rounds.end(), round) - rounds.begin());
  };
  t.k = first->replay_rounds->k;
  const auto replay = first->metrics.value("replay", nlohmann::json::object());
  if (replay.is_object()) {
    t.by = replay.value("by", std::string());
    if (replay.contains("initial_train") && replay["initial_train"].is_number_integer())
      t.initial_train = replay["initial_train"].get<int64_t>();
  }
  if (t.by.empty() && first->metrics.contains("protocol") && first->metrics["protocol"].is_object())
    t.by = first->metrics["protocol"].value("by", std::string());

  t.start.assign(R, 0);
  t.end.assign(R, 0);
  t.interactions.assign(R, 0);
  t.evaluated_users.assign(R, 0);
  std::vector<bool> known(R, false);
  for (size_t r : context.runs) {
    const auto& run = data.runs[r];
    if (!run.replay_rounds) continue;
    for (const auto& label : run.replay_rounds->labels)
      for (const auto& row : run.replay_rounds->rows.at(label)) {
        const size_t i = index_of(row.round);
        if (known[i]) continue;
        known[i] = true;
        t.start[i] = row.start;
        t.end[i] = row.end;
        t.interactions[i] = row.interactions;
        t.evaluated_users[i] = row.evaluated_users;
      }
  }

  for (const auto& setting : context.settings) {
    ReplaySeries s;
    s.setting = setting.name;
    RoundMeans hit_rate(R), precision(R), tail(R), coverage(R), cumulative(R);
    s.present.assign(R, false);
    double incremental = 0, refits = 0, update_seconds = 0;
    for (size_t r : setting.runs) {
      const auto& run = data.runs[r];
      if (!run.replay_rounds) continue;
      const auto it = run.replay_rounds->rows.find(setting.label);
      if (it == run.replay_rounds->rows.end()) continue;
      ++s.runs;
      for (const auto& row : it->second) {
        const size_t i = index_of(row.round);
        s.present[i] = true;
        hit_rate.add(i, row.hit_rate);
        precision.add(i, row.precision);
        tail.add(i, row.tail_share_of_hits);
        coverage.add(i, row.coverage_so_far);
        cumulative.add(i, static_cast<double>(row.cumulative_hits));
      }
      const auto& a = run.metrics["algorithms"][setting.label];
      const auto number = [&](const char* key) {
        return a.contains(key) && a[key].is_number() ? a[key].get<double>() : 0.0;
      };
      incremental += number("incremental_updates");
      refits += number("refits");
      update_seconds += number("update_seconds");
    }
    if (s.runs == 0) continue;
    const double n = static_cast<double>(s.runs);
    s.incremental_updates = incremental / n;
    s.refits = refits / n;
    s.update_seconds = update_seconds / n;
    s.hit_rate = hit_rate.mean();
    s.precision = precision.mean();
    s.tail_share_of_hits = tail.mean();
    s.coverage_so_far = coverage.mean();
    s.cumulative_hits = cumulative.mean();
    t.max_runs = std::max(t.max_runs, s.runs);
    t.series.push_back(std::move(s));

    // The weights the adaptive setting used, per component.
    std::vector<std::string> components;
    std::map<std::string, RoundMeans> traces;
    for (size_t r : setting.runs)
      for (const auto& v : data.runs[r].replay_state) {
        if (v.label != setting.label || !starts_with(v.name, "weight:")) continue;
        const auto component = v.name.substr(std::string("weight:").size());
        if (!std::binary_search(rounds.begin(), rounds.end(), v.round)) continue;  // a round without rows
        auto [tr, added] = traces.try_emplace(component, R);
        if (added) components.push_back(component);
        tr->second.add(index_of(v.round), v.value);
      }
    for (const auto& c : components) t.weights.push_back({setting.name, c, traces.at(c).mean()});
  }
  if (t.series.empty()) return std::nullopt;
  return t;
}

std::vector<PlotSource> replay_plots(const ReplayTable& t, const std::string& suffix, const ColourMap& colours) {
  std::vector<std::string> names, palette;
  std::vector<int> solid;
  for (const auto& s : t.series) {
    names.push_back(s.setting);
    const auto c = colours.find(s.setting);
    palette.push_back(c == colours.end() ? std::string("#1f77b4") : c->second);
    solid.push_back(1);
  }
  const auto column = [&](std::vector<double> ReplaySeries::*member) {
    std::vector<std::vector<double>> out;
    for (const auto& s : t.series) out.push_back(s.*member);
    return out;
  };
  const std::string means = t.max_runs > 1 ? " Means over each setting's runs." : "";
  std::vector<PlotSource> plots;
  plots.push_back(round_plot(
      t, "replay_hit_rate" + suffix, fmt::format("Replay: hit rate@{} per round", t.k),
      fmt::format("Share of the round's evaluated users (active, with earlier interactions) whose top-{} list held at "
                  "least one item they interacted with during the round; x = round.{}",
                  t.k, means),
      fmt::format("hit rate@{}", t.k), names, palette, solid, column(&ReplaySeries::hit_rate)));
  plots.push_back(round_plot(
      t, "replay_cumulative_hits" + suffix, "Replay: cumulative hits",
      fmt::format("Hits (listed items interacted with during the round) summed over the rounds so far; x = round. A "
                  "steeper curve turns more recommendations into interactions.{}",
                  means),
      "hits so far", names, palette, solid, column(&ReplaySeries::cumulative_hits)));
  plots.push_back(round_plot(
      t, "replay_coverage" + suffix, "Replay: catalogue coverage so far",
      fmt::format("Share of the catalogue that appeared in at least one top-{} list up to the round; x = round. A flat "
                  "curve shows the same items again and again (the feedback loop narrowing).{}",
                  t.k, means),
      "coverage so far", names, palette, solid, column(&ReplaySeries::coverage_so_far)));
  if (!t.weights.empty()) {
    // Colour: the component; dash pattern: the adaptive setting.
    std::vector<std::string> components, settings, wnames, wcolours;
    std::vector<int> dashes;
    std::vector<std::vector<double>> values;
    for (const auto& w : t.weights) {
      if (std::find(components.begin(), components.end(), w.component) == components.end())
        components.push_back(w.component);
      if (std::find(settings.begin(), settings.end(), w.setting) == settings.end()) settings.push_back(w.setting);
    }
    const auto component_colours = plot_colours(components);
    for (const auto& w : t.weights) {
      wnames.push_back(settings.size() == 1 ? w.component : w.setting + ": " + w.component);
      wcolours.push_back(component_colours.at(w.component));
      dashes.push_back(1 + static_cast<int>(std::find(settings.begin(), settings.end(), w.setting) - settings.begin()));
      values.push_back(w.values);
    }
    plots.push_back(round_plot(
        t, "replay_weights" + suffix,
        settings.size() == 1 ? "Replay: " + settings.front() + " component weights" : "Replay: adaptive weights",
        fmt::format("The weight of each component in the round's scores (replay_state.tsv weight:*), as {} used it "
                    "in that round, learned from the hits of the rounds before; x = round.{}",
                    settings.size() == 1 ? settings.front() : "each adaptive setting (one dash pattern each)", means),
        "component weight", wnames, wcolours, dashes, values));
  }
  return plots;
}

std::string replay_markdown(const ReplayTable& t) {
  std::string md = intro(t) + "\n\n";
  md += "| round | window (UTC) | interactions | evaluated users |";
  for (const auto& s : t.series)
    for (const auto& c : kColumns) md += " " + escape_markdown_cell(s.setting) + " " + c.header + " |";
  md += "\n|---:|---|---:|---:|";
  for (size_t s = 0; s < t.series.size(); ++s)
    for (size_t c = 0; c < std::size(kColumns); ++c) md += "---:|";
  md += "\n";
  for (size_t i = 0; i < t.rounds.size(); ++i) {
    md += fmt::format("| {} | {} | {} | {} |", t.rounds[i], replay_window(t.start[i], t.end[i]), t.interactions[i],
                      t.evaluated_users[i]);
    for (const auto& s : t.series)
      for (const auto& c : kColumns) md += " " + cell_text(s, c, i) + " |";
    md += "\n";
  }
  md += "\n| setting | incremental updates | refits | update s |\n|---|---:|---:|---:|\n";
  for (const auto& s : t.series)
    md += fmt::format("| {} | {} | {} | {:.3f} |\n", escape_markdown_cell(s.setting), count_text(s.incremental_updates),
                      count_text(s.refits), s.update_seconds);
  md += "\nUpdates between rounds (none after the last): incremental where the algorithm can learn new interactions "
        "in place, else a refit; per-round details in replay_rounds.tsv.\n";
  return md;
}

std::string replay_html(const ReplayTable& t) {
  std::string html = "<p class=\"legend\">" + escape_html(intro(t)) + "</p>\n";
  html += "<div class=\"table-wrap\"><table class=\"results replay\">\n<thead><tr><th rowspan=\"2\">round</th>"
          "<th rowspan=\"2\">window (UTC)</th><th rowspan=\"2\">interactions</th><th rowspan=\"2\">evaluated users</th>";
  for (const auto& s : t.series)
    html += fmt::format("<th colspan=\"{}\" style=\"text-align:center\">{}</th>", std::size(kColumns), escape_html(s.setting));
  html += "</tr>\n<tr>";
  for (size_t s = 0; s < t.series.size(); ++s)
    for (const auto& c : kColumns) html += fmt::format("<th>{}</th>", c.header);
  html += "</tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < t.rounds.size(); ++i) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>", t.rounds[i],
                        escape_html(replay_window(t.start[i], t.end[i])), t.interactions[i], t.evaluated_users[i]);
    for (const auto& s : t.series)
      for (const auto& c : kColumns) html += "<td>" + escape_html(cell_text(s, c, i)) + "</td>";
    html += "</tr>\n";
  }
  html += "</tbody></table></div>\n";
  html += "<div class=\"table-wrap\" style=\"margin-top:12px\"><table class=\"timing\"><thead><tr><th>setting</th>"
          "<th>incremental updates</th><th>refits</th><th>update s</th></tr></thead><tbody>\n";
  for (const auto& s : t.series)
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3f}</td></tr>\n", escape_html(s.setting),
                        count_text(s.incremental_updates), count_text(s.refits), s.update_seconds);
  html += "</tbody></table></div><p class=\"legend\">Updates between rounds (none after the last): incremental where the "
          "algorithm can learn new interactions in place, else a refit; per-round details in replay_rounds.tsv.</p>\n";
  return html;
}

}  // namespace tailrec
