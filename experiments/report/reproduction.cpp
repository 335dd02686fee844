#include "experiments/report/reproduction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "experiments/report/tables.hpp"
#include "framework/evaluation/statistics.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

std::string where(const fs::path& path, const YAML::Node& node) {
  return fmt::format("{}:{}", path.string(), node.Mark().line + 1);
}

std::string text_of(const fs::path& path, const YAML::Node& node, const char* key, bool required) {
  const auto value = node[key];
  if (!value || value.IsNull()) {
    if (required) fail("{}: missing key '{}' (see results/published/README.md)", where(path, node), key);
    return "";
  }
  if (!value.IsScalar()) fail("{}: '{}' must be text", where(path, value), key);
  return value.as<std::string>();
}

std::string signed_number(double v) { return std::isnan(v) ? "—" : fmt::format("{:+.4f}", v); }

}  // namespace

PublishedResults read_published(const fs::path& path) {
  if (!fs::exists(path)) fail("{}: no such file", path.string());
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    fail("{}:{}: {}", path.string(), e.mark.line + 1, e.msg);
  }
  if (!root.IsMap()) fail("{}: expected a map with keys id, experiment, source, algorithms, ...", path.string());
  static const std::set<std::string> known = {"id",   "experiment", "title",     "source", "table", "protocol",
                                              "data", "tolerance",  "notes",     "metrics", "algorithms"};
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    if (!known.count(key))
      fail("{}: unknown key '{}'{}", where(path, kv.first), key,
           did_you_mean(key, std::vector<std::string>(known.begin(), known.end())));
  }
  PublishedResults out;
  out.id = text_of(path, root, "id", true);
  out.experiment = text_of(path, root, "experiment", true);
  out.title = text_of(path, root, "title", true);
  out.source = text_of(path, root, "source", true);
  out.table = text_of(path, root, "table", false);
  out.protocol = text_of(path, root, "protocol", true);
  out.data = text_of(path, root, "data", false);
  if (root["tolerance"] && !root["tolerance"].IsNull()) {
    const auto v = parse_double(root["tolerance"].as<std::string>());
    if (!v || *v < 0) fail("{}: tolerance must be a number >= 0", where(path, root["tolerance"]));
    out.tolerance = *v;
  }
  if (root["notes"])
    for (const auto& n : root["notes"]) out.notes.push_back(n.as<std::string>());
  if (!root["algorithms"] || !root["algorithms"].IsSequence() || root["algorithms"].size() == 0)
    fail("{}: 'algorithms' must be a non-empty list of {{published, ours, metrics}}", path.string());
  for (const auto& a : root["algorithms"]) {
    PublishedAlgorithm alg;
    alg.published = text_of(path, a, "published", true);
    alg.ours = text_of(path, a, "ours", false);
    alg.source = text_of(path, a, "source", false);
    for (const auto& kv : a) {
      const auto key = kv.first.as<std::string>();
      if (key != "published" && key != "ours" && key != "source" && key != "metrics")
        fail("{}: unknown key '{}' in an algorithm entry (published, ours, source, metrics)", where(path, kv.first), key);
    }
    if (!a["metrics"] || !a["metrics"].IsMap() || a["metrics"].size() == 0)
      fail("{}: '{}' needs metrics: {{name@k: value, ...}}", where(path, a), alg.published);
    for (const auto& kv : a["metrics"]) {
      const auto name = kv.first.as<std::string>();
      const auto v = parse_double(kv.second.as<std::string>());
      if (!v) fail("{}: {}: '{}' is not a number", where(path, kv.second), name, kv.second.as<std::string>());
      alg.metrics[name] = *v;
      if (std::find(out.metrics.begin(), out.metrics.end(), name) == out.metrics.end()) out.metrics.push_back(name);
    }
    out.algorithms.push_back(std::move(alg));
  }
  if (root["metrics"]) {  // an explicit column order
    std::vector<std::string> order = root["metrics"].as<std::vector<std::string>>();
    for (const auto& m : out.metrics)
      if (std::find(order.begin(), order.end(), m) == order.end())
        fail("{}: metric '{}' is used but missing from 'metrics'", where(path, root["metrics"]), m);
    out.metrics = order;
  }
  return out;
}

std::string reproduction_page(const ReportData& data, const fs::path& published_dir, const std::string& command,
                              const std::string& generated) {
  std::vector<std::string> experiments;
  for (const auto& r : data.runs) {
    const auto e = r.metrics.value("experiment", std::string());
    if (std::find(experiments.begin(), experiments.end(), e) == experiments.end()) experiments.push_back(e);
  }
  if (experiments.size() > 1) {
    // Several experiments (R1 and R2): one section each, in the order their runs were given.
    std::string md = fmt::format("# Reproductions of published results\n\nGenerated {} by {}: one section per "
                                 "experiment, each from its own run folders; no number is typed by hand.\n",
                                 escape_markdown_cell(generated), escape_markdown_code(command));
    for (const auto& e : experiments) {
      ReportData one;
      for (const auto& r : data.runs)
        if (r.metrics.value("experiment", std::string()) == e) one.runs.push_back(r);
      group_runs(one);
      std::istringstream page(reproduction_page(one, published_dir, command, generated));
      md += "\n";
      for (std::string line; std::getline(page, line);) md += (starts_with(line, "#") ? "#" : "") + line + "\n";
    }
    return md;
  }
  const auto path = published_dir / (experiments[0] + ".yaml");
  if (!fs::exists(path)) {
    std::vector<std::string> available;
    if (fs::is_directory(published_dir))
      for (const auto& e : fs::directory_iterator(published_dir))
        if (e.path().extension() == ".yaml") available.push_back(e.path().stem().string());
    std::sort(available.begin(), available.end());
    fail("no published numbers for experiment '{}': {} does not exist (available: {}); runs of "
         "configs/experiment/ncf_ml1m.yaml or recbole_ml1m.yaml have them",
         experiments[0], path.string(), available.empty() ? std::string("none") : join(available, ", "));
  }
  const auto published = read_published(path);
  if (data.contexts.size() != 1)
    fail("--reproduction: the runs use {} different data/split/protocol settings; give runs of one setting",
         data.contexts.size());
  const auto& context = data.contexts.front();

  // Our summary of `metric` for a setting (n = 0 when it has no value).
  const auto ours = [&](const Setting& s, const std::string& metric) {
    std::vector<double> values;
    for (size_t r : s.runs) {
      const auto& m = data.runs[r].metrics["algorithms"][s.label].value("metrics", nlohmann::json::object());
      if (m.contains(metric) && m[metric].is_number()) values.push_back(m[metric].get<double>());
    }
    return values.empty() ? Summary{} : summarize(values);
  };

  std::string md = fmt::format("# Reproduction {}: {}\n\n", escape_markdown_cell(published.id), escape_markdown_cell(published.title));
  md += fmt::format("Published: {}{}. Ours: mean ± sample standard deviation over seeds from the run folders below; "
                    "Δ = ours − published.",
                    escape_markdown_cell(published.source), published.table.empty() ? "" : ", " + escape_markdown_cell(published.table));
  if (published.tolerance)
    md += fmt::format(" ✓: |Δ| ≤ {} (the published numbers' stated precision), ✗: outside it.", *published.tolerance);
  md += fmt::format("\n\nGenerated {} by {} from {} run folder{} of experiment {}; no number on this page is typed "
                    "by hand (published ones: {}).\n",
                    escape_markdown_cell(generated), escape_markdown_code(command), data.runs.size(), data.runs.size() == 1 ? "" : "s", escape_markdown_code(experiments[0]),
                    escape_markdown_code(path.lexically_relative(fs::current_path()).string()));

  md += "\n## Numbers\n\n| published | ours |";
  for (const auto& m : published.metrics) md += fmt::format(" {} published | {} ours | Δ |", escape_markdown_cell(m), escape_markdown_cell(m));
  md += "\n|---|---|";
  for (size_t i = 0; i < published.metrics.size(); ++i) md += "---:|---:|---:|";
  md += "\n";
  std::set<std::string> matched;
  for (const auto& a : published.algorithms) {
    std::vector<const Setting*> settings;
    for (const auto& s : context.settings)
      if (!a.ours.empty() && s.label == a.ours) settings.push_back(&s);
    const auto name = a.published + (a.source.empty() ? "" : " (" + a.source + ")");
    if (settings.empty()) {
      md += fmt::format("| {} | {} |", escape_markdown_cell(name),
                        a.ours.empty() ? std::string("— (no counterpart)") : escape_markdown_code(a.ours) + ": not in these runs");
      for (const auto& m : published.metrics) {
        const auto it = a.metrics.find(m);
        md += fmt::format(" {} | — | — |", it == a.metrics.end() ? std::string("—") : fmt::format("{:.4f}", it->second));
      }
      md += "\n";
      continue;
    }
    for (const auto* s : settings) {
      matched.insert(s->name);
      md += fmt::format("| {} | {} |", escape_markdown_cell(name), escape_markdown_cell(s->name));
      for (const auto& m : published.metrics) {
        const auto it = a.metrics.find(m);
        const auto mine = ours(*s, m);
        const double diff = it != a.metrics.end() && mine.n > 0 ? mine.mean - it->second
                                                                 : std::numeric_limits<double>::quiet_NaN();
        std::string diff_text = signed_number(diff);
        if (published.tolerance && !std::isnan(diff))
          diff_text += std::abs(diff) <= *published.tolerance + 1e-12 ? " ✓" : " ✗";
        md += fmt::format(" {} | {} | {} |", it == a.metrics.end() ? std::string("—") : fmt::format("{:.4f}", it->second),
                          mine.n > 0 ? format_mean_std(mine) : std::string("—"), diff_text);
      }
      md += "\n";
    }
  }
  std::vector<const Setting*> extra;
  for (const auto& s : context.settings)
    if (!matched.count(s.name)) extra.push_back(&s);
  if (!extra.empty()) {
    md += "\nOur algorithms without a published number:\n\n| ours |";
    for (const auto& m : published.metrics) md += " " + escape_markdown_cell(m) + " |";
    md += "\n|---|";
    for (size_t i = 0; i < published.metrics.size(); ++i) md += "---:|";
    md += "\n";
    for (const auto* s : extra) {
      md += "| " + escape_markdown_cell(s->name) + " |";
      for (const auto& m : published.metrics) {
        const auto mine = ours(*s, m);
        md += " " + (mine.n > 0 ? format_mean_std(mine) : std::string("—")) + " |";
      }
      md += "\n";
    }
  }
  if (!published.notes.empty()) {
    md += "\nNotes on the published numbers:\n\n";
    for (const auto& n : published.notes) md += "- " + escape_markdown_cell(n) + "\n";
  }

  md += "\n## Protocol\n\n";
  md += "Published: " + escape_markdown_cell(published.protocol) + "\n";
  if (!published.data.empty()) md += "\nPublished data: " + escape_markdown_cell(published.data) + "\n";
  md += "\nOurs (from metrics.json):\n\n";
  for (const auto& [what, value] : context_provenance(data, context)) md += "- **" + escape_markdown_cell(what) + "**: " + escape_markdown_cell(value) + "\n";
  md += "\n| algorithm | fit s | evaluation s |\n|---|---:|---:|\n";
  for (const auto& row : context_timings(data, context))
    md += fmt::format("| {} | {:.3f} | {:.3f} |\n", escape_markdown_cell(row.setting), row.fit_seconds, row.eval_seconds);
  md += "\nTimes are means over the seeds.\n\n## Run folders\n\n";
  for (size_t r : context.runs)
    md += fmt::format("- {} (seed {}, {:.1f} s)\n", escape_markdown_code(data.runs[r].dir.string()), data.runs[r].seed,
                      data.runs[r].metrics.value("wall_seconds", 0.0));
  return md;
}

}  // namespace tailrec
