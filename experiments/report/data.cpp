#include "experiments/report/data.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>

#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include "experiments/sweep.hpp"
#include "framework/config/config.hpp"
#include "framework/config/registries.hpp"
#include "framework/util/error.hpp"
#include "framework/util/escape.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace fs = std::filesystem;

std::string read_gzip_text(const fs::path& path) {
  // gzread reads plain files unchanged, so an uncompressed copy works too.
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) fail("cannot open {}: it is missing or unreadable", path.string());
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const int n = gzread(file, buffer, sizeof(buffer));
    if (n < 0) {
      int code = 0;
      const std::string reason = gzerror(file, &code);
      gzclose(file);
      fail("cannot read {}: {} (a truncated or damaged file; re-run the experiment)", path.string(), reason);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  gzclose(file);
  return text;
}

namespace {

// Lines of a TSV text, without the trailing empty line.
std::vector<std::string> lines_of(const std::string& text) {
  auto lines = split(text, '\n');
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (auto& l : lines)
    if (!l.empty() && l.back() == '\r') l.pop_back();
  return lines;
}

double parse_cell(const std::string& cell, const std::string& source, size_t line, const std::string& column) {
  if (cell.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto v = parse_double(cell);
  if (!v) fail("{}:{}: column {}: '{}' is not a number", source, line, column, cell);
  return *v;
}

int64_t parse_count(const std::string& cell, const std::string& source, size_t line, const std::string& column) {
  const auto v = parse_int(cell);
  if (!v) fail("{}:{}: column {}: '{}' is not an integer", source, line, column, cell);
  return *v;
}

std::vector<std::string> header_of(const std::vector<std::string>& lines, const std::string& source,
                                   const std::vector<std::string>& leading) {
  if (lines.empty()) fail("{} is empty; re-run the experiment", source);
  auto header = split(lines[0], '\t');
  for (size_t c = 0; c < leading.size(); ++c)
    if (c >= header.size() || header[c] != leading[c])
      fail("{}:1: expected column {} to be '{}' (header: {}); is this a tailrec run folder file?", source, c + 1,
           leading[c], lines[0]);
  return header;
}

bool is_seed_or_dir(const std::string& text) {
  const auto key = override_key(text);
  return key == "run.seed" || key == "run.dir";
}

// Overrides of plain runs that change nothing in the results (bookkeeping, threads, device: results
// do not depend on them) and the algorithm list itself (the label already names the row).
bool ignored_for_plain_runs(const std::string& text) {
  static const std::set<std::string> keys = {"run.seed",     "run.dir",        "run.overwrite", "run.progress",
                                             "run.cache",    "run.cache_dir",  "run.results_root", "run.threads",
                                             "run.device",   "run.memory_budget_mb", "algorithms"};
  const auto key = override_key(text);
  return keys.count(key) > 0 || starts_with(key, "sweep.") || starts_with(key, "launcher.");
}

std::vector<std::string> read_overrides(const fs::path& dir) {
  const auto path = dir / "overrides.yaml";
  if (!fs::exists(path)) return {};
  try {
    const auto node = YAML::LoadFile(path.string());
    if (!node || node.IsNull()) return {};
    return node.as<std::vector<std::string>>();
  } catch (const YAML::Exception& e) {
    fail("{}:{}: {} (expected a list of override strings, as tailrec run writes it)", path.string(),
         e.mark.line + 1, e.msg);
  }
}

struct Found {
  fs::path dir;
  bool from_sweep = false;
  std::vector<std::string> swept;
};

// A folder that looks like a run (holds any of the files a run writes before metrics.json).
bool looks_like_run(const fs::path& dir) {
  for (const char* name : {"metrics.json", "config.yaml", "overrides.yaml", "run.log", "error.txt"})
    if (fs::exists(dir / name)) return true;
  return false;
}

void collect(const fs::path& input, std::vector<Found>& found, std::vector<std::string>& warnings, int depth) {
  if (fs::exists(input / "multirun.yaml")) {
    const auto sweep = read_multirun_yaml(input);
    for (const auto& job : sweep.jobs) {
      Found f{input / std::to_string(job.index), true, {}};
      for (const auto& s : job.swept)
        if (!is_seed_or_dir(s)) f.swept.push_back(s);
      found.push_back(std::move(f));
    }
    return;
  }
  if (looks_like_run(input)) {
    found.push_back({input, false, {}});
    return;
  }
  if (depth >= 4) return;
  std::vector<fs::path> children;
  for (const auto& entry : fs::directory_iterator(input))
    if (entry.is_directory() && entry.path().filename() != "report" && entry.path().filename().string()[0] != '.')
      children.push_back(entry.path());
  std::sort(children.begin(), children.end());
  for (const auto& c : children) collect(c, found, warnings, depth + 1);
}

std::string compact(const nlohmann::json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

std::string context_title(const nlohmann::json& m) {
  std::vector<std::string> parts;
  const nlohmann::json d = m.value("dataset", nlohmann::json::object());
  parts.push_back(d.value("name", std::string("dataset ?")));
  const nlohmann::json s = m.value("split", nlohmann::json::object());
  std::string split_text = s.value("name", std::string("split ?"));
  std::vector<std::string> params;
  const nlohmann::json split_params = s.value("params", nlohmann::json::object());
  const auto replicate = replicate_parameter_of(m);
  // File paths go to the provenance, not the title; the replicate parameter (the fold) varies within the table.
  for (const auto& [k, v] : split_params.items())
    if (k != "name" && k != replicate && !(v.is_string() && v.get<std::string>().find('/') != std::string::npos))
      params.push_back(k + "=" + compact(v));
  if (s.value("validation", 0.0) > 0) params.push_back(fmt::format("validation={}", s.value("validation", 0.0)));
  if (!params.empty()) split_text += fmt::format("({})", join(params, ", "));
  parts.push_back(split_text);
  const nlohmann::json p = m.value("protocol", nlohmann::json::object());
  std::string protocol_text = p.value("name", std::string("protocol ?"));
  params.clear();
  // Files, their hashes and the protocol's own counts belong in the provenance, not the title.
  for (const auto& [k, v] : p.items())
    if (k != "name" && k != "file" && !k.ends_with("hash") && k != "held_out_not_in_test" &&
        k != "negatives_dropped" && !starts_with(k, "skipped_"))
      params.push_back(k + "=" + compact(v));
  if (!params.empty()) protocol_text += fmt::format("({})", join(params, ", "));
  parts.push_back(protocol_text);
  const nlohmann::json ms = m.value("metric_settings", nlohmann::json::object());
  if (ms.contains("k")) parts.push_back(fmt::format("k={}", ms["k"].dump()));
  if (m.value("evaluate_on", std::string("test")) != "test") parts.push_back(fmt::format("on {}", m.value("evaluate_on", std::string())));
  return join(parts, " · ");
}

}  // namespace

std::map<std::string, PerUserColumns> parse_per_user_metrics(const std::string& text, const std::string& source) {
  const auto lines = lines_of(text);
  const auto header = header_of(lines, source, {"algorithm", "user"});
  std::map<std::string, PerUserColumns> out;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i], '\t');
    if (cells.size() != header.size())
      fail("{}:{}: {} cells, the header has {}; a damaged file? re-run the experiment", source, i + 1, cells.size(),
           header.size());
    // Labels and ids as metrics.json spells them (the TSV escapes tabs, newlines and backslashes).
    auto& label = out[unescape_tsv_field(cells[0])];
    label.users.push_back(unescape_tsv_field(cells[1]));
    for (size_t c = 2; c < cells.size(); ++c)
      label.columns[header[c]].push_back(parse_cell(cells[c], source, i + 1, header[c]));
  }
  return out;
}

ExposureTable parse_item_exposure(const std::string& text, const std::string& source) {
  const auto lines = lines_of(text);
  const auto header = header_of(lines, source, {"item", "train_users", "popularity_rank", "tail"});
  struct Row {
    int64_t rank, users;
    std::vector<int64_t> counts;
  };
  std::vector<Row> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i], '\t');
    if (cells.size() != header.size())
      fail("{}:{}: {} cells, the header has {}; a damaged file? re-run the experiment", source, i + 1, cells.size(),
           header.size());
    Row row{parse_count(cells[2], source, i + 1, "popularity_rank"), parse_count(cells[1], source, i + 1, "train_users"), {}};
    for (size_t c = 4; c < cells.size(); ++c) row.counts.push_back(parse_count(cells[c], source, i + 1, header[c]));
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.rank < b.rank; });
  ExposureTable table;
  for (size_t c = 4; c < header.size(); ++c) table.counts[header[c]].reserve(rows.size());
  for (const auto& row : rows) {
    table.train_users.push_back(row.users);
    for (size_t c = 4; c < header.size(); ++c) table.counts[header[c]].push_back(row.counts[c - 4]);
  }
  return table;
}

std::map<std::string, int64_t> parse_user_activity(const std::string& text, const std::string& source) {
  const auto lines = lines_of(text);
  header_of(lines, source, {"user", "train_items"});
  std::map<std::string, int64_t> out;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i], '\t');
    if (cells.size() < 2) fail("{}:{}: expected user<TAB>train_items", source, i + 1);
    out[unescape_tsv_field(cells[0])] = parse_count(cells[1], source, i + 1, "train_items");
  }
  return out;
}

ReplayRounds parse_replay_rounds(const std::string& text, const std::string& source) {
  const auto lines = lines_of(text);
  // Fixed columns; hit_rate@K and precision@K (11, 12) carry the list length.
  static const std::vector<std::string> fixed = {
      "algorithm", "round",    "start",       "end",          "interactions", "active_users",  "cold_users",
      "evaluated_users", "hits", "users_with_hit", "tail_hits", "hit_rate@", "precision@", "tail_share_of_hits",
      "coverage_so_far", "gini_so_far", "cumulative_hits", "cumulative_tail_hits", "cumulative_hit_rate", "update",
      "update_seconds"};
  const auto header = header_of(lines, source, std::vector<std::string>(fixed.begin(), fixed.begin() + 11));
  ReplayRounds out;
  for (size_t c = 11; c < fixed.size(); ++c) {
    const bool at_k = fixed[c].back() == '@';
    if (c >= header.size() || (at_k ? !starts_with(header[c], fixed[c]) : header[c] != fixed[c]))
      fail("{}:1: expected column {} to be '{}{}' (header: {}); a replay_rounds.tsv of another tailrec version? re-run "
           "the experiment",
           source, c + 1, fixed[c], at_k ? "K" : "", lines[0]);
  }
  const auto k = parse_int(header[11].substr(std::string("hit_rate@").size()));
  if (!k || *k < 1 || header[12] != fmt::format("precision@{}", *k))
    fail("{}:1: columns 12 and 13 are '{}' and '{}'; expected hit_rate@K and precision@K with one list length K", source,
         header[11], header[12]);
  out.k = static_cast<int>(*k);
  out.metrics.assign(header.begin() + static_cast<std::ptrdiff_t>(fixed.size()), header.end());
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i], '\t');
    if (cells.size() != header.size())
      fail("{}:{}: {} cells, the header has {}; a damaged file? re-run the experiment", source, i + 1, cells.size(),
           header.size());
    const auto count = [&](size_t c) { return parse_count(cells[c], source, i + 1, header[c]); };
    const auto value = [&](size_t c) { return parse_cell(cells[c], source, i + 1, header[c]); };
    ReplayRoundRow row;
    row.round = count(1);
    row.start = count(2);
    row.end = count(3);
    row.interactions = count(4);
    row.active_users = count(5);
    row.cold_users = count(6);
    row.evaluated_users = count(7);
    row.hits = count(8);
    row.users_with_hit = count(9);
    row.tail_hits = count(10);
    row.hit_rate = value(11);
    row.precision = value(12);
    row.tail_share_of_hits = value(13);
    row.coverage_so_far = value(14);
    row.gini_so_far = value(15);
    row.cumulative_hits = count(16);
    row.cumulative_tail_hits = count(17);
    row.cumulative_hit_rate = value(18);
    row.update = cells[19];
    row.update_seconds = value(20);
    for (size_t c = fixed.size(); c < cells.size(); ++c) row.metrics.push_back(value(c));
    if (row.round < 1) fail("{}:{}: round {}: rounds count from 1; a damaged file? re-run the experiment", source, i + 1, row.round);
    const auto label = unescape_tsv_field(cells[0]);
    auto& rows = out.rows[label];
    if (rows.empty()) out.labels.push_back(label);
    for (const auto& earlier : rows)
      if (earlier.round == row.round)
        fail("{}:{}: algorithm '{}' has round {} twice; a damaged file? re-run the experiment", source, i + 1, cells[0],
             row.round);
    rows.push_back(std::move(row));
  }
  for (auto& [label, rows] : out.rows)
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.round < b.round; });
  return out;
}

std::vector<ReplayStateValue> parse_replay_state(const std::string& text, const std::string& source) {
  const auto lines = lines_of(text);
  const auto header = header_of(lines, source, {"algorithm", "round", "name", "value"});
  std::vector<ReplayStateValue> out;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i], '\t');
    if (cells.size() != header.size())
      fail("{}:{}: {} cells, the header has {}; a damaged file? re-run the experiment", source, i + 1, cells.size(),
           header.size());
    out.push_back({cells[0], parse_count(cells[1], source, i + 1, "round"), cells[2],
                   parse_cell(cells[3], source, i + 1, "value")});
  }
  return out;
}

bool has_replay_section(const nlohmann::json& m) { return m.contains("replay") && m["replay"].is_object(); }

std::string replicate_parameter_of(const nlohmann::json& m) {
  if (!m.contains("split") || !m["split"].is_object()) return "";
  const auto& s = m["split"];
  return s.contains("replicate") && s["replicate"].is_string() ? s["replicate"].get<std::string>() : std::string();
}

std::string context_key(const nlohmann::json& m) {
  const auto get = [&](const char* a, const char* b) {
    return m.contains(a) && m[a].is_object() && m[a].contains(b) ? m[a][b] : nlohmann::json(nullptr);
  };
  auto split_params = get("split", "params");
  if (split_params.is_object()) {
    split_params.erase("seed");
    split_params.erase(replicate_parameter_of(m));  // runs of the other folds belong to the same table
  }
  const nlohmann::json key = {
      {"dataset", get("dataset", "hash")},
      {"split", get("split", "name")},
      {"split_params", split_params},
      {"validation", get("split", "validation")},
      {"protocol", m.value("protocol", nlohmann::json(nullptr))},
      {"k", get("metric_settings", "k")},
      {"relevance_threshold", get("metric_settings", "relevance_threshold")},
      {"long_tail", get("metric_settings", "long_tail")},
      {"evaluate_on", m.value("evaluate_on", nlohmann::json("test"))},
  };
  return key.dump();
}

std::vector<std::string> setting_overrides(const std::string& label, const std::vector<std::string>& swept) {
  std::vector<std::string> out;
  for (const auto& s : swept) {
    const auto key = override_key(s);
    if (key == "algorithms") continue;  // the algorithms list: the row's label already names it
    if (starts_with(key, "algorithms.")) {
      const auto rest = key.substr(std::string("algorithms.").size());
      const auto dot = rest.find('.');
      const auto owner = rest.substr(0, dot);
      if (owner != label) continue;  // another algorithm's parameter: not this row's business
      if (dot != std::string::npos) {
        out.push_back(s.substr(s.find(key) + std::string("algorithms.").size() + owner.size() + 1));
        continue;
      }
    }
    out.push_back(s);
  }
  return out;
}

bool replicate_less(const RunRecord& a, const RunRecord& b) {
  if (a.seed != b.seed) return a.seed < b.seed;
  // Folds are integers: 2 before 10.
  const auto ia = parse_int(a.replicate), ib = parse_int(b.replicate);
  if (ia && ib) return *ia < *ib;
  return a.replicate < b.replicate;
}

void group_runs(ReportData& data) {
  data.contexts.clear();
  std::map<std::string, size_t> context_of;
  // Setting key within a context: label, its overrides and its parameters.
  std::vector<std::map<std::string, size_t>> setting_of;
  std::vector<std::vector<std::string>> setting_params;
  for (size_t r = 0; r < data.runs.size(); ++r) {
    const auto& run = data.runs[r];
    auto [it, added] = context_of.emplace(run.context_key, data.contexts.size());
    if (added) {
      Context c;
      c.key = run.context_key;
      c.title = context_title(run.metrics);
      data.contexts.push_back(std::move(c));
      setting_of.emplace_back();
      setting_params.emplace_back();
    }
    const size_t ci = it->second;
    auto& context = data.contexts[ci];
    context.runs.push_back(r);
    for (const auto& name : run.metric_names)
      if (std::find(context.metrics.begin(), context.metrics.end(), name) == context.metrics.end())
        context.metrics.push_back(name);
    for (const auto& label : run.labels) {
      const auto& a = run.metrics["algorithms"][label];
      const auto overrides = setting_overrides(label, run.swept);
      const auto params = a.value("params", nlohmann::json::object()).dump();
      const auto key = nlohmann::json({label, overrides, params}).dump();
      auto [sit, sadded] = setting_of[ci].emplace(key, context.settings.size());
      if (sadded) {
        Setting s;
        s.label = label;
        s.algorithm = a.value("name", label);
        s.swept = overrides;
        s.name = overrides.empty() ? label : label + " (" + join(overrides, ", ") + ")";
        context.settings.push_back(std::move(s));
        setting_params[ci].push_back(params);
      }
      context.settings[sit->second].runs.push_back(r);
    }
  }
  for (size_t ci = 0; ci < data.contexts.size(); ++ci) {
    auto& context = data.contexts[ci];
    // Overrides that every setting of the table shares (split=temporal_user when the sweep also
    // varied the split: that went into the table's title) would only lengthen the names.
    std::vector<std::string> common = context.settings.empty() ? std::vector<std::string>{} : context.settings[0].swept;
    for (const auto& setting : context.settings)
      std::erase_if(common, [&](const std::string& o) {
        return std::find(setting.swept.begin(), setting.swept.end(), o) == setting.swept.end();
      });
    if (context.settings.size() > 1)
      for (auto& setting : context.settings) {
        std::vector<std::string> shown;
        for (const auto& o : setting.swept)
          if (std::find(common.begin(), common.end(), o) == common.end()) shown.push_back(o);
        setting.name = shown.empty() ? setting.label : setting.label + " (" + join(shown, ", ") + ")";
      }
    // Two settings with one display name differ only in parameters the overrides do not show (a
    // config file edited between runs): name them by the differing parameters.
    for (size_t a = 0; a < context.settings.size(); ++a)
      for (size_t b = a + 1; b < context.settings.size(); ++b)
        if (context.settings[a].name == context.settings[b].name) {
          for (size_t s : {a, b}) {
            const auto mine = nlohmann::json::parse(setting_params[ci][s]);
            const auto other = nlohmann::json::parse(setting_params[ci][s == a ? b : a]);
            std::vector<std::string> diff;
            for (const auto& [k, v] : mine.items())
              if (!other.contains(k) || other[k] != v) diff.push_back(k + "=" + compact(v));
            context.settings[s].name += " [" + (diff.empty() ? std::string("params differ") : join(diff, ", ")) + "]";
          }
          data.warnings.push_back(fmt::format("{}: runs of '{}' use different parameters; they are shown as separate rows",
                                              context.title, context.settings[a].label));
        }
    // One run per replicate (seed, fold): a sweep over one algorithm's parameter repeats the others
    // in every job (the same computation); a repeat that differs is reported and left out too.
    for (auto& s : context.settings) {
      std::stable_sort(s.runs.begin(), s.runs.end(),
                       [&](size_t x, size_t y) { return replicate_less(data.runs[x], data.runs[y]); });
      std::vector<size_t> kept;
      for (size_t r : s.runs) {
        if (!kept.empty() && !replicate_less(data.runs[kept.back()], data.runs[r])) {
          const nlohmann::json first = data.runs[kept.back()].metrics["algorithms"][s.label].value("metrics", nlohmann::json());
          const nlohmann::json again = data.runs[r].metrics["algorithms"][s.label].value("metrics", nlohmann::json());
          if (first != again)
            data.warnings.push_back(fmt::format(
                "{} and {} both hold '{}' with seed {}{} but different metrics; only the first counts",
                data.runs[kept.back()].dir.string(), data.runs[r].dir.string(), s.name, data.runs[r].seed,
                data.runs[r].replicate.empty() ? std::string()
                                               : fmt::format(", {} {}", data.runs[r].replicate_parameter, data.runs[r].replicate)));
          continue;
        }
        kept.push_back(r);
      }
      s.runs = std::move(kept);
    }
  }
}

std::optional<MetricRange> report_metric_range(const std::string& metric) {
  // The metric registry alone: the report needs the ranges, not the algorithms.
  static Registries registries;
  static const bool filled = (register_metrics(registries), true);
  (void)filled;
  return metric_range(registries, metric);
}

ReportData load_report_data(const std::vector<fs::path>& inputs, bool with_details) {
  ReportData data;
  std::vector<Found> found;
  for (const auto& input : inputs) {
    if (!fs::is_directory(input)) fail("{}: no such folder (give run folders or sweep folders)", input.string());
    const auto before = found.size();
    collect(input, found, data.warnings, 0);
    if (found.size() == before)
      fail("{} holds no run folder (metrics.json) and no sweep (multirun.yaml); give the folder tailrec run printed",
           input.string());
  }
  // Plain runs: what distinguishes them is the overrides they do not all share.
  std::vector<std::vector<std::string>> overrides(found.size());
  std::map<std::string, size_t> plain_count;
  size_t plain_runs = 0;
  for (size_t i = 0; i < found.size(); ++i) {
    if (!fs::exists(found[i].dir / "metrics.json")) continue;
    overrides[i] = read_overrides(found[i].dir);
    if (found[i].from_sweep) continue;
    ++plain_runs;
    for (const auto& o : std::set<std::string>(overrides[i].begin(), overrides[i].end())) ++plain_count[o];
  }
  std::set<std::string> seen_dirs;
  for (size_t i = 0; i < found.size(); ++i) {
    const auto& f = found[i];
    const auto canonical = fs::weakly_canonical(f.dir).string();
    if (!seen_dirs.insert(canonical).second) {
      data.warnings.push_back(fmt::format("{}: given twice; read once", f.dir.string()));
      continue;
    }
    const auto metrics_path = f.dir / "metrics.json";
    if (!fs::exists(metrics_path)) {
      data.warnings.push_back(fmt::format("{}: skipped, no metrics.json (an incomplete or failed run{})", f.dir.string(),
                                          fs::exists(f.dir / "error.txt") ? "; see its error.txt" : ""));
      continue;
    }
    RunRecord run;
    run.dir = f.dir;
    try {
      std::ifstream in(metrics_path);
      run.metrics = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      fail("{}: not valid JSON ({}); re-run the experiment", metrics_path.string(), e.what());
    }
    if (run.metrics.value("status", std::string()) != "complete" || !run.metrics.contains("algorithms")) {
      data.warnings.push_back(fmt::format("{}: skipped, metrics.json does not say status complete", f.dir.string()));
      continue;
    }
    run.overrides = overrides[i];
    if (f.from_sweep) {
      run.swept = f.swept;
    } else {
      for (const auto& o : run.overrides)
        if (!ignored_for_plain_runs(o) && plain_count[o] < plain_runs) run.swept.push_back(o);
    }
    run.seed = run.metrics.value("seed", uint64_t{0});
    run.replicate_parameter = replicate_parameter_of(run.metrics);
    if (!run.replicate_parameter.empty()) {
      const auto& params = run.metrics["split"].value("params", nlohmann::json::object());
      if (params.contains(run.replicate_parameter)) run.replicate = compact(params[run.replicate_parameter]);
      // split.fold=3 names the replicate, not a setting: its runs are one row.
      std::erase_if(run.swept, [&](const std::string& o) { return override_key(o) == "split." + run.replicate_parameter; });
    }
    run.split_hash = run.metrics.contains("split") ? run.metrics["split"].value("hash", std::string()) : std::string();
    run.context_key = context_key(run.metrics);
    // A sampled run's full-ranking (protocol.also_full) and corrected values become metrics of their
    // own, named as metrics.csv names them: ndcg@10[full], ndcg@10[corrected] (no per-user values,
    // so not tested).
    if (run.metrics.contains("algorithms") && run.metrics["algorithms"].is_object())
      for (auto& [label, a] : run.metrics["algorithms"].items()) {
        (void)label;
        if (!a.is_object() || !a.contains("metrics") || !a["metrics"].is_object()) continue;
        for (const char* kind : {"full", "corrected"}) {
          const auto key = fmt::format("{}_metrics", kind);
          if (!a.contains(key) || !a[key].is_object()) continue;
          for (const auto& [name, value] : a[key].items()) a["metrics"][fmt::format("{}[{}]", name, kind)] = value;
        }
      }
    for (const auto& [label, a] : run.metrics["algorithms"].items()) {
      run.labels.push_back(label);
      const nlohmann::json metrics = a.value("metrics", nlohmann::json::object());
      for (const auto& [name, value] : metrics.items()) {
        if (std::find(run.metric_names.begin(), run.metric_names.end(), name) == run.metric_names.end())
          run.metric_names.push_back(name);
        if (const auto problem = range_problem(value, report_metric_range(name)); !problem.empty())
          data.warnings.push_back(fmt::format("{}: {} of '{}' is {}, {}; the report marks it (metrics.json edited or "
                                              "damaged? re-run the experiment)",
                                              f.dir.string(), name, label, value.dump(), problem));
      }
    }
    // metrics.json orders labels and metrics alphabetically; metrics.csv keeps the experiment's order.
    if (fs::exists(f.dir / "metrics.csv")) {
      std::ifstream csv(f.dir / "metrics.csv");
      std::string line;
      std::vector<std::string> ordered;
      std::getline(csv, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto header = split(line, '\t');
      if (header.size() > 2 && header[0] == "algorithm") {
        // First occurrence only: a replay run's pooled precision@K and its configured precision@K share a
        // name. Columns marked with brackets (ndcg@10[sampled], ndcg@10[items=tail]) give the order of
        // the metric before the bracket; columns that are no metric of metrics.json are skipped.
        std::vector<std::string> names;
        for (auto h = header.begin() + 2; h != header.end(); ++h) {
          const bool whole = std::find(run.metric_names.begin(), run.metric_names.end(), *h) != run.metric_names.end();
          const auto name = whole ? *h : h->substr(0, h->find('['));
          const bool known = std::find(run.metric_names.begin(), run.metric_names.end(), name) != run.metric_names.end();
          if (known && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
        }
        if (std::is_permutation(names.begin(), names.end(), run.metric_names.begin(), run.metric_names.end()))
          run.metric_names = names;
      }
      while (std::getline(csv, line)) {
        const auto cells = split(line, '\t');
        if (!cells.empty() && std::find(run.labels.begin(), run.labels.end(), cells[0]) != run.labels.end())
          ordered.push_back(cells[0]);
      }
      if (ordered.size() == run.labels.size()) run.labels = ordered;
    }
    run.replay = has_replay_section(run.metrics);
    if (with_details && run.replay) {
      // A replay run writes per-round files instead of per-user, exposure and activity ones.
      const auto rounds = f.dir / "replay_rounds.tsv";
      if (fs::exists(rounds))
        run.replay_rounds = parse_replay_rounds(read_gzip_text(rounds), rounds.string());
      else
        data.warnings.push_back(fmt::format("{}: a replay run without replay_rounds.tsv; its Replay section leaves this run out",
                                            f.dir.string()));
      const auto state = f.dir / "replay_state.tsv";
      if (fs::exists(state)) run.replay_state = parse_replay_state(read_gzip_text(state), state.string());
    } else if (with_details) {
      const auto optional = [&](const char* name, auto&& parse) {
        const auto path = f.dir / name;
        if (!fs::exists(path)) {
          data.warnings.push_back(fmt::format("{}: no {}; the parts of the report that need it leave this run out",
                                              f.dir.string(), name));
          return;
        }
        parse(read_gzip_text(path), path.string());
      };
      optional("per_user_metrics.tsv.gz",
               [&](const std::string& t, const std::string& s) { run.per_user = parse_per_user_metrics(t, s); });
      optional("item_exposure.tsv.gz",
               [&](const std::string& t, const std::string& s) { run.exposure = parse_item_exposure(t, s); });
      optional("user_activity.tsv.gz",
               [&](const std::string& t, const std::string& s) { run.activity = parse_user_activity(t, s); });
    }
    data.runs.push_back(std::move(run));
  }
  if (data.runs.empty())
    fail("no complete run among the inputs ({}); every folder lacks metrics.json", [&] {
      std::vector<std::string> names;
      for (const auto& i : inputs) names.push_back(i.string());
      return join(names, ", ");
    }());
  group_runs(data);
  return data;
}

}  // namespace tailrec
