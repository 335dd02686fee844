#include "experiments/report/tables.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

const char* kDagger = "†";

std::string arrow(bool lower_better) { return lower_better ? "↓" : "↑"; }

std::string seeds_text(const std::vector<uint64_t>& seeds) {
  if (seeds.size() > 6) return fmt::format("{} seeds", seeds.size());
  std::vector<std::string> parts;
  for (auto s : seeds) parts.push_back(std::to_string(s));
  return join(parts, ", ");
}

// Distinct values in first-seen order.
template <typename T>
std::vector<T> distinct_values(const std::vector<T>& values) {
  std::vector<T> out;
  for (const auto& v : values)
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  return out;
}

// The header of the replicates column and the noun of the legend.
std::string replicates_header(const ResultTable& t) { return t.replicate_parameter.empty() ? "seeds" : "replicates"; }

// What a cell's mean and std are taken over: "seeds", "folds", or "folds × seeds".
std::string replicate_noun(const ResultTable& t) {
  if (t.replicate_parameter.empty()) return "seeds";
  std::vector<uint64_t> seeds;
  for (const auto& row : t.seeds) seeds.insert(seeds.end(), row.begin(), row.end());
  return distinct_values(seeds).size() > 1 ? t.replicate_parameter + "s × seeds" : t.replicate_parameter + "s";
}

// A number with the decimals of format_number, for the std beside a mean.
int decimals_for(double value) {
  const double a = std::abs(value);
  return a < 100 ? 4 : a < 1000 ? 2 : 1;
}

std::string format_with(double value, int decimals) {
  if (std::isnan(value)) return "—";
  return fmt::format("{:.{}f}", value, decimals);
}

std::string untested_columns(const ResultTable& t) {
  std::vector<std::string> names;
  for (size_t m = 0; m < t.metrics.size(); ++m)
    if (!t.per_user[m]) names.push_back(t.metrics[m]);
  return join(names, ", ");
}

std::string p_text(const Cell& c) {
  if (!c.tested) return "";
  return fmt::format("p = {:.3g}, Holm-adjusted {:.3g}, {} pairs", c.p_value, c.p_adjusted, c.pairs);
}

std::string compact(const nlohmann::json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

// The distinct values of `f(run)` over the context's runs, in first-seen order.
template <typename F>
std::vector<std::string> distinct(const ReportData& data, const Context& context, F f) {
  std::vector<std::string> out;
  for (size_t r : context.runs) {
    auto v = f(data.runs[r]);
    if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  return out;
}

std::string plots_markdown(const std::vector<PlotRef>& plots, const std::string& plot_note) {
  std::string md;
  for (const auto& p : plots) {
    if (p.drawn)
      md += fmt::format("![{}]({})\n\n*{}* {} ([PNG]({}), [SVG]({}))\n\n", escape_markdown_cell(p.title), p.svg, escape_markdown_cell(p.title),
                        escape_markdown_cell(p.caption), p.png, p.svg);
    else
      md += fmt::format("*{}* (not drawn: {}) {}\n\n", escape_markdown_cell(p.title), escape_markdown_cell(plot_note), escape_markdown_cell(p.caption));
  }
  return md;
}

std::string plots_html(const std::vector<PlotRef>& plots, const std::string& plot_note) {
  std::string html = "<div class=\"plots\">\n";
  for (const auto& p : plots) {
    html += "<figure>";
    if (p.drawn)
      html += "<a href=\"" + escape_html(p.svg) + "\"><img src=\"" + escape_html(p.svg) + "\" alt=\"" +
              escape_html(p.title) + "\"></a>";
    else
      html += "<div class=\"missing\">" + escape_html(plot_note) + "</div>";
    html += "<figcaption><b>" + escape_html(p.title) + ".</b> " + escape_html(p.caption);
    if (p.drawn)
      html += " <a href=\"" + escape_html(p.png) + "\">PNG</a> · <a href=\"" + escape_html(p.svg) + "\">SVG</a>";
    html += "</figcaption></figure>\n";
  }
  return html + "</div>\n";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> context_provenance(const ReportData& data, const Context& context) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto& first = data.runs[context.runs.front()].metrics;
  const auto object = [](const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_object() ? j[key] : nlohmann::json::object();
  };
  out.emplace_back("experiment", join(distinct(data, context, [](const RunRecord& r) {
                                        return r.metrics.value("experiment", std::string());
                                      }), ", "));
  const auto d = object(first, "dataset");
  out.emplace_back("dataset", fmt::format("{}: {} users, {} items, {} interactions; preprocess {}; hash {}",
                                          d.value("name", std::string("?")), compact(d.value("users", nlohmann::json())),
                                          compact(d.value("items", nlohmann::json())),
                                          compact(d.value("interactions", nlohmann::json())),
                                          d.value("preprocess", std::string("none")), d.value("hash", std::string("?"))));
  const auto s = object(first, "split");
  auto params = object(s, "params");
  params.erase("name");
  params.erase(data.runs[context.runs.front()].replicate_parameter);  // the folds have their own line below
  std::string split_text = s.value("name", std::string("?"));
  if (!params.empty()) split_text += " " + params.dump();
  split_text += fmt::format("; validation share {}; {} train / {} test interactions (seed {})",
                            compact(s.value("validation", nlohmann::json(0))), compact(s.value("train", nlohmann::json())),
                            compact(s.value("test", nlohmann::json())), compact(s.value("seed", nlohmann::json())));
  out.emplace_back("split", split_text);
  out.emplace_back("split hashes", join(distinct(data, context, [](const RunRecord& r) {
                                          if (r.replicate_parameter.empty()) return fmt::format("seed {}: {}", r.seed, r.split_hash);
                                          return fmt::format("seed {} {} {}: {}", r.seed, r.replicate_parameter, r.replicate,
                                                             r.split_hash);
                                        }), "; "));
  out.emplace_back("protocol", object(first, "protocol").dump());
  const auto ms = object(first, "metric_settings");
  out.emplace_back("metric settings",
                   fmt::format("k = {}; long tail {}: {} head / {} tail items; relevance threshold {}; {} evaluated "
                               "cases; evaluated on {}",
                               compact(ms.value("k", nlohmann::json())), ms.value("long_tail", std::string("?")),
                               compact(ms.value("head_items", nlohmann::json())),
                               compact(ms.value("tail_items", nlohmann::json())),
                               ms.value("relevance_threshold", nlohmann::json()).is_null()
                                   ? std::string("none")
                                   : compact(ms["relevance_threshold"]),
                               compact(ms.value("evaluated_cases", nlohmann::json())),
                               first.value("evaluate_on", std::string("test"))));
  std::vector<uint64_t> seeds;
  for (size_t r : context.runs) seeds.push_back(data.runs[r].seed);
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  out.emplace_back("seeds", fmt::format("{} ({} run folder{})", seeds_text(seeds), context.runs.size(),
                                        context.runs.size() == 1 ? "" : "s"));
  const auto replicate = data.runs[context.runs.front()].replicate_parameter;
  if (!replicate.empty())
    out.emplace_back(replicate + "s", join(distinct(data, context, [](const RunRecord& r) { return r.replicate; }), ", "));
  double wall = 0;
  for (size_t r : context.runs) wall += data.runs[r].metrics.value("wall_seconds", 0.0);
  out.emplace_back("wall time", fmt::format("{:.1f} s in all, {:.1f} s per run", wall,
                                            wall / static_cast<double>(context.runs.size())));
  out.emplace_back("hardware", join(distinct(data, context, [&](const RunRecord& r) {
                                      const auto h = object(r.metrics, "hardware");
                                      if (h.empty()) return std::string();
                                      return fmt::format("{}, {} logical CPUs, {} GiB; device {}; {} threads",
                                                         h.value("cpu", std::string("?")),
                                                         compact(h.value("cores", nlohmann::json())),
                                                         compact(h.value("memory_gib", nlohmann::json())),
                                                         r.metrics.value("device", std::string("cpu")),
                                                         compact(r.metrics.value("threads", nlohmann::json())));
                                    }), "; "));
  out.emplace_back("git commit", join(distinct(data, context, [](const RunRecord& r) {
                                        return r.metrics.value("git_commit", std::string());
                                      }), ", "));
  out.emplace_back("versions", join(distinct(data, context, [&](const RunRecord& r) {
                                      const auto v = object(r.metrics, "versions");
                                      if (v.empty()) return std::string();
                                      return fmt::format("tailrec {}, {}", compact(v.value("tailrec", nlohmann::json())),
                                                         compact(v.value("compiler", nlohmann::json())));
                                    }), "; "));
  std::string earliest, latest;
  for (size_t r : context.runs) {
    const auto started = data.runs[r].metrics.value("started", std::string());
    const auto finished = data.runs[r].metrics.value("finished", std::string());
    if (!started.empty() && (earliest.empty() || started < earliest)) earliest = started;
    if (!finished.empty() && finished > latest) latest = finished;
  }
  if (!earliest.empty()) out.emplace_back("ran", earliest + " to " + latest);
  return out;
}

std::vector<TimingRow> context_timings(const ReportData& data, const Context& context) {
  std::vector<TimingRow> rows;
  for (const auto& s : context.settings) {
    TimingRow row{s.name, 0, 0};
    for (size_t r : s.runs) {
      const auto& a = data.runs[r].metrics["algorithms"][s.label];
      row.fit_seconds += a.value("fit_seconds", 0.0) / static_cast<double>(s.runs.size());
      row.eval_seconds += a.value("eval_seconds", 0.0) / static_cast<double>(s.runs.size());
    }
    rows.push_back(row);
  }
  return rows;
}

std::string format_number(double value) { return format_with(value, decimals_for(value)); }

std::string replicates_text(const ResultTable& t, size_t setting) {
  if (t.replicate_parameter.empty()) return seeds_text(t.seeds[setting]);
  // "fold 0, 1, 2, 3, 4 · seed 1": the folds and seeds the mean is taken over.
  std::vector<std::string> values;
  for (const auto& v : distinct_values(t.replicates[setting])) values.push_back(v.empty() ? "?" : v);
  const auto seeds = distinct_values(t.seeds[setting]);
  std::string text = t.replicate_parameter + " " + (values.size() > 6 ? fmt::format("×{}", values.size()) : join(values, ", "));
  return text + " · seed" + (seeds.size() > 1 ? "s " : " ") + seeds_text(seeds);
}

std::string format_mean_std(const Summary& s) {
  const int d = decimals_for(s.mean);
  if (s.n <= 1) return format_with(s.mean, d);
  return format_with(s.mean, d) + " ± " + format_with(s.std, d);
}

std::string counts_text(const std::vector<double>& values) {
  if (values.empty()) return "—";
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const auto one = [](double v) { return v == std::floor(v) ? fmt::format("{:.0f}", v) : format_number(v); };
  if (*low == *high) return one(*low);
  double sum = 0;
  for (double v : values) sum += v;
  // The mean without trailing zeros ("11.5 (11–12)").
  return fmt::format("{:.6g} ({}–{})", sum / static_cast<double>(values.size()), one(*low), one(*high));
}

std::string table_legend(const ResultTable& t) {
  const auto noun = replicate_noun(t);
  std::string legend =
      fmt::format("Mean ± sample standard deviation over {} (one value when a setting has one run). "
                  "Bold: the best mean of the column (↑ larger is better, ↓ smaller is better). ",
                  noun);
  size_t comparisons = 0;
  for (size_t m = 0; m < t.metrics.size(); ++m)
    if (t.per_user[m]) comparisons = std::max(comparisons, t.settings.size() - 1);
  if (comparisons > 0 && t.replicate_parameter.empty())
    legend += fmt::format(
        "{}: differs from the column's best setting ({} over users, each user's value averaged over the "
        "seeds whose splits match; Holm-adjusted p < {} across the column's comparisons). ",
        kDagger, test_description(t.test), t.alpha);
  else if (comparisons > 0)
    legend += fmt::format(
        "{}: differs from the column's best setting ({} over ({}, user) pairs: each {} tests other interactions of a "
        "user, and each pair's value is averaged over the seeds whose splits match; Holm-adjusted p < {} across the "
        "column's comparisons). ",
        kDagger, test_description(t.test), t.replicate_parameter, t.replicate_parameter, t.alpha);
  const auto marked = [&](const char* kind) {
    return std::any_of(t.metrics.begin(), t.metrics.end(), [&](const std::string& m) { return m.ends_with(kind); });
  };
  if (marked("[full]") || marked("[corrected]"))
    legend += "Columns without a bracket hold the protocol's own values: with sampled candidates they describe the "
              "sampler, not the catalog. [full]: the same fitted models ranking every item (protocol.also_full); "
              "[corrected]: Krichene & Rendle's estimate of the full-ranking value (docs/sampled_metrics.md). ";
  const auto untested = untested_columns(t);
  if (!untested.empty()) legend += "Not tested (no per-user values): " + untested + ". ";
  legend += "95% confidence intervals and p-values: report.csv.";
  return legend;
}

std::string render_markdown(const Report& report) {
  std::string md = "# tailrec report\n\n";
  md += fmt::format("Generated {} by {} from {} run folder{}; every number below is read from them.\n",
                    escape_markdown_cell(report.generated), escape_markdown_code(report.command), report.runs, report.runs == 1 ? "" : "s");
  if (!report.warnings.empty()) {
    md += "\n**Warnings**\n\n";
    for (const auto& w : report.warnings) md += "- " + escape_markdown_cell(w) + "\n";
  }
  for (const auto& section : report.sections) {
    const auto& t = section.table;
    md += "\n## " + escape_markdown_cell(t.title) + "\n\n";
    md += "| setting | " + replicates_header(t) + " |";
    for (size_t m = 0; m < t.metrics.size(); ++m) md += " " + escape_markdown_cell(t.metrics[m]) + " " + arrow(t.lower_better[m]) + " |";
    md += "\n|---|---|";
    for (size_t m = 0; m < t.metrics.size(); ++m) md += "---:|";
    md += "\n";
    for (size_t s = 0; s < t.settings.size(); ++s) {
      md += "| " + escape_markdown_cell(t.settings[s]) + " | " + escape_markdown_cell(replicates_text(t, s)) + " |";
      for (const auto& c : t.cells[s]) {
        std::string text = c.present ? format_mean_std(c.summary) : "—";
        if (c.best) text = "**" + text + "**";
        if (c.significant) text += kDagger;
        if (!c.problem.empty()) text += " (" + escape_markdown_cell(c.problem) + ")";
        md += " " + text + " |";
      }
      md += "\n";
    }
    md += "\n" + escape_markdown_cell(table_legend(t)) + "\n";
    if (!section.strata.empty()) md += "\n### Accuracy by popularity and activity group\n" + strata_markdown(section.strata);
    if (section.cold_start) md += "\n### Cold start\n\n" + cold_start_markdown(*section.cold_start);
    if (!section.plots.empty()) md += "\n### Plots\n\n" + plots_markdown(section.plots, report.plot_note);
    if (section.replay) {
      md += "\n### Replay\n\n" + replay_markdown(*section.replay);
      if (!section.replay_plots.empty()) md += "\n" + plots_markdown(section.replay_plots, report.plot_note);
    }
    md += "\n### Provenance\n\n";
    for (const auto& [what, value] : section.provenance) md += "- **" + escape_markdown_cell(what) + "**: " + escape_markdown_cell(value) + "\n";
    if (!section.timings.empty()) {
      md += "\n| setting | fit s | evaluation s |\n|---|---:|---:|\n";
      for (const auto& row : section.timings)
        md += fmt::format("| {} | {:.3f} | {:.3f} |\n", escape_markdown_cell(row.setting), row.fit_seconds,
                          row.eval_seconds);
      md += "\nTimes are means over the setting's runs.\n";
    }
    md += "\nRun folders:\n\n";
    for (const auto& d : section.run_dirs) md += "- " + escape_markdown_code(d) + "\n";
  }
  return md;
}

std::string render_csv(const Report& report) {
  std::string csv =
      "context,setting,metric,direction,seeds,n,mean,std,ci95_low,ci95_high,best,test,pairs,p_value,p_holm,"
      "significant,replicates,problem\n";
  const auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.10g}", v); };
  for (const auto& section : report.sections) {
    const auto& t = section.table;
    for (size_t s = 0; s < t.settings.size(); ++s) {
      std::vector<std::string> seeds;
      for (auto v : t.seeds[s]) seeds.push_back(std::to_string(v));
      for (size_t m = 0; m < t.metrics.size(); ++m) {
        const auto& c = t.cells[s][m];
        std::vector<std::string> row = {escape_csv_cell(t.title),
                                        escape_csv_cell(t.settings[s]),
                                        escape_csv_cell(t.metrics[m]),
                                        t.lower_better[m] ? "lower" : "higher",
                                        escape_csv_cell(join(seeds, " ")),
                                        c.present ? std::to_string(c.summary.n) : "0",
                                        c.present ? num(c.summary.mean) : "",
                                        c.present ? num(c.summary.std) : "",
                                        c.present ? num(c.summary.ci_low) : "",
                                        c.present ? num(c.summary.ci_high) : "",
                                        c.best ? "1" : "0",
                                        c.tested ? (t.test == TestKind::Wilcoxon ? "wilcoxon" : "t") : "",
                                        c.tested ? std::to_string(c.pairs) : "",
                                        c.tested ? num(c.p_value) : "",
                                        c.tested ? num(c.p_adjusted) : "",
                                        c.tested ? (c.significant ? "1" : "0") : "",
                                        escape_csv_cell(t.replicate_parameter.empty() ? std::string() : replicates_text(t, s)),
                                        escape_csv_cell(c.problem)};
        csv += join(row, ",") + "\n";
      }
    }
    csv += strata_csv(t.title, section.strata);
  }
  return csv;
}

std::string render_latex(const Report& report) {
  std::string tex = fmt::format(
      "% Generated {} by: {}\n% From {} run folders; regenerate rather than edit. Needs \\usepackage{{booktabs}}.\n",
      escape_latex(report.generated), escape_latex(report.command), report.runs);
  int index = 0;
  for (const auto& section : report.sections) {
    const auto& t = section.table;
    ++index;
    tex += "\n\\begin{table}[t]\n\\centering\n\\small\n";
    tex += "\\caption{" + escape_latex(t.title) + ". " + escape_latex(table_legend(t)) + "}\n";
    tex += fmt::format("\\label{{tab:tailrec-report-{}}}\n", index);
    tex += "\\begin{tabular}{l" + std::string(t.metrics.size(), 'r') + "}\n\\toprule\n";
    tex += "Setting";
    for (size_t m = 0; m < t.metrics.size(); ++m) tex += " & " + escape_latex(t.metrics[m] + " " + arrow(t.lower_better[m]));
    tex += " \\\\\n\\midrule\n";
    for (size_t s = 0; s < t.settings.size(); ++s) {
      tex += escape_latex(t.settings[s]);
      for (const auto& c : t.cells[s]) {
        const auto problem = c.problem.empty() ? std::string() : " (" + escape_latex(c.problem) + ")";
        if (!c.present) {
          tex += " & ---" + problem;
          continue;
        }
        const int d = decimals_for(c.summary.mean);
        std::string value = format_with(c.summary.mean, d);
        if (c.summary.n > 1) value += " \\pm " + format_with(c.summary.std, d);
        if (c.best) value = "\\mathbf{" + value + "}";
        if (c.significant) value += "^{\\dagger}";
        tex += " & $" + value + "$" + problem;
      }
      tex += " \\\\\n";
    }
    tex += "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
  }
  return tex;
}

std::string render_html(const Report& report) {
  static const char* kStyle = R"(
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --soft:#f3f4f6; --accent:#1d4ed8; --sig:#c2410c; }
* { box-sizing: border-box; }
body { margin:0; background:#f6f7f9; color:var(--fg);
  font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif; }
main { max-width:1240px; margin:0 auto; padding:28px 28px 64px; }
header h1 { font-size:26px; margin:0 0 4px; letter-spacing:-.01em; }
header p { margin:0; color:var(--muted); font-size:13px; }
code, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace; font-size:12.5px; }
section.context { background:#fff; border:1px solid var(--line); border-radius:12px; padding:22px 26px 18px;
  margin:22px 0; box-shadow:0 1px 3px rgba(16,24,40,.05); }
h2 { font-size:19px; margin:0 0 14px; }
h3 { font-size:13px; margin:26px 0 10px; color:var(--muted); text-transform:uppercase; letter-spacing:.06em; }
.table-wrap { overflow-x:auto; border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
table.results { font-size:13px; }
th, td { padding:6px 10px; text-align:right; white-space:nowrap; border-bottom:1px solid var(--line); }
th:first-child, td:first-child { text-align:left; }
thead th { background:var(--soft); font-weight:600; font-size:12px; color:#374151; white-space:normal;
  vertical-align:bottom; line-height:1.25; }
th .dir { color:var(--muted); font-weight:400; }
tbody tr:last-child td { border-bottom:none; }
tbody tr:nth-child(even) { background:#fafafa; }
tbody tr:hover { background:#eef2ff; }
td.setting { font-weight:500; }
td.seeds { color:var(--muted); }
td.best { font-weight:700; color:#111827; }
.pm { display:block; color:var(--muted); font-weight:400; font-size:11.5px; line-height:1.2; }
.bad { display:block; color:#b91c1c; font-weight:700; font-size:11.5px; }
sup.sig { color:var(--sig); font-weight:700; margin-left:1px; line-height:0; }
p.legend { color:var(--muted); font-size:12.5px; margin:10px 2px 0; max-width:1000px; }
.plots { display:grid; grid-template-columns:repeat(auto-fill,minmax(460px,1fr)); gap:16px; }
figure { margin:0; border:1px solid var(--line); border-radius:8px; padding:10px 10px 8px; background:#fff; }
figure img { width:100%; height:auto; display:block; }
figcaption { font-size:12.5px; color:var(--muted); margin-top:6px; }
figcaption b { color:var(--fg); }
figcaption a { color:var(--accent); text-decoration:none; }
.missing { padding:40px 12px; text-align:center; color:var(--muted); background:var(--soft); border-radius:6px; font-size:13px; }
.prov { display:grid; grid-template-columns:1fr 1fr; gap:18px; align-items:start; }
dl { display:grid; grid-template-columns:max-content 1fr; gap:5px 16px; margin:0; font-size:13px; }
dt { color:var(--muted); }
dd { margin:0; overflow-wrap:anywhere; }
table.timing { font-size:13px; }
details { margin-top:12px; font-size:13px; }
summary { cursor:pointer; color:var(--accent); }
details ul { margin:6px 0 0; padding-left:18px; }
.warn { background:#fff7ed; border:1px solid #fed7aa; color:#9a3412; border-radius:8px; padding:10px 14px;
  margin:18px 0; font-size:13px; }
.warn ul { margin:4px 0 0; padding-left:18px; }
@media (max-width:900px) { .prov { grid-template-columns:1fr; } }
)";
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>tailrec report</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
  html += "<header>\n<h1>tailrec report</h1>\n";
  html += fmt::format("<p>Generated {} from {} run folder{} by <code>{}</code>. Every number is read from the run folders.</p>\n",
                      escape_html(report.generated), report.runs, report.runs == 1 ? "" : "s", escape_html(report.command));
  html += "</header>\n";
  if (!report.warnings.empty() || !report.plot_note.empty()) {
    html += "<div class=\"warn\"><b>Notes</b><ul>\n";
    if (!report.plot_note.empty()) html += "<li>" + escape_html(report.plot_note) + "</li>\n";
    for (const auto& w : report.warnings) html += "<li>" + escape_html(w) + "</li>\n";
    html += "</ul></div>\n";
  }
  for (const auto& section : report.sections) {
    const auto& t = section.table;
    html += "<section class=\"context\">\n<h2>" + escape_html(t.title) + "</h2>\n";
    html += "<div class=\"table-wrap\"><table class=\"results\">\n<thead><tr><th>setting</th><th>" +
            replicates_header(t) + "</th>";
    for (size_t m = 0; m < t.metrics.size(); ++m)
    {
      // A break opportunity before '@' keeps long metric names from widening the table.
      auto name = escape_html(t.metrics[m]);
      if (const auto at = name.find('@'); at != std::string::npos) name.insert(at, "<wbr>");
      html += fmt::format("<th title=\"{}\">{} <span class=\"dir\">{}</span></th>",
                          t.lower_better[m] ? "smaller is better" : "larger is better", name, arrow(t.lower_better[m]));
    }
    html += "</tr></thead>\n<tbody>\n";
    for (size_t s = 0; s < t.settings.size(); ++s) {
      html += "<tr><td class=\"setting\">" + escape_html(t.settings[s]) + "</td><td class=\"seeds\">" +
              escape_html(replicates_text(t, s)) + "</td>";
      for (const auto& c : t.cells[s]) {
        const auto problem = c.problem.empty() ? std::string() : "<span class=\"bad\">" + escape_html(c.problem) + "</span>";
        if (!c.present) {
          html += "<td class=\"na\">—" + problem + "</td>";
          continue;
        }
        const int d = decimals_for(c.summary.mean);
        std::string title = fmt::format("95% CI [{}, {}]", format_with(c.summary.ci_low, d), format_with(c.summary.ci_high, d));
        if (c.tested) title += "; " + p_text(c);
        html += fmt::format("<td{} title=\"{}\">{}", c.best ? " class=\"best\"" : "", escape_html(title),
                            format_with(c.summary.mean, d));
        if (c.significant) html += fmt::format("<sup class=\"sig\">{}</sup>", kDagger);
        if (c.summary.n > 1) html += fmt::format("<span class=\"pm\">± {}</span>", format_with(c.summary.std, d));
        html += problem + "</td>";
      }
      html += "</tr>\n";
    }
    html += "</tbody></table></div>\n";
    html += "<p class=\"legend\">" + escape_html(table_legend(t)) + " Hover a value for its confidence interval and p-value.</p>\n";
    if (!section.strata.empty()) html += "<h3>Accuracy by popularity and activity group</h3>\n" + strata_html(section.strata);
    if (section.cold_start) html += "<h3>Cold start</h3>\n" + cold_start_html(*section.cold_start);
    if (!section.plots.empty()) html += "<h3>Plots</h3>\n" + plots_html(section.plots, report.plot_note);
    if (section.replay) {
      html += "<h3>Replay</h3>\n" + replay_html(*section.replay);
      if (!section.replay_plots.empty()) html += "<div style=\"margin-top:16px\"></div>" + plots_html(section.replay_plots, report.plot_note);
    }
    html += "<h3>Provenance</h3>\n<div class=\"prov\"><dl>\n";
    for (const auto& [what, value] : section.provenance)
      html += "<dt>" + escape_html(what) + "</dt><dd>" + escape_html(value) + "</dd>\n";
    html += "</dl>\n<div>";
    if (!section.timings.empty()) {
      html += "<div class=\"table-wrap\"><table class=\"timing\"><thead><tr><th>setting</th><th>fit s</th><th>evaluation s</th></tr></thead><tbody>\n";
      for (const auto& row : section.timings)
        html += fmt::format("<tr><td>{}</td><td>{:.3f}</td><td>{:.3f}</td></tr>\n", escape_html(row.setting),
                            row.fit_seconds, row.eval_seconds);
      html += "</tbody></table></div><p class=\"legend\">Means over the setting's runs.</p>\n";
    }
    html += fmt::format("<details><summary>{} run folder{}</summary><ul>\n", section.run_dirs.size(),
                        section.run_dirs.size() == 1 ? "" : "s");
    for (const auto& d : section.run_dirs) html += "<li class=\"mono\">" + escape_html(d) + "</li>\n";
    html += "</ul></details></div></div>\n</section>\n";
  }
  html += "</main>\n</body>\n</html>\n";
  return html;
}

}  // namespace tailrec
