// `tailrec report RUN_OR_SWEEP_DIRS...`: tables, plots and provenance from stored run folders
// (docs/reports.md). Everything is first written to a staging folder inside --out and then renamed
// into place file by file, so a failure leaves the previous report (or none), never half of one.
#include <algorithm>
#include <iostream>
#include <set>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "experiments/report/analysis.hpp"
#include "experiments/report/data.hpp"
#include "experiments/report/plots.hpp"
#include "experiments/report/replay.hpp"
#include "experiments/report/reproduction.hpp"
#include "experiments/report/strata.hpp"
#include "experiments/report/tables.hpp"
#include "framework/run/run_folder.hpp"
#include "framework/util/error.hpp"
#include "framework/util/escape.hpp"
#include "framework/util/owned_folder.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=@:,+%") ==
                           std::string::npos)
    return text;
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(const ReportCommand& c) {
  std::vector<std::string> parts = {"tailrec", "report"};
  for (const auto& i : c.inputs) parts.push_back(shell_quote(i));
  if (!c.formats.empty()) {
    parts.push_back("--format");
    for (const auto& f : c.formats) parts.push_back(f);
  }
  if (!c.out.empty()) parts.insert(parts.end(), {"--out", shell_quote(c.out)});
  if (c.test != "wilcoxon") parts.insert(parts.end(), {"--test", c.test});
  if (!c.x_metric.empty()) parts.insert(parts.end(), {"--x", c.x_metric});
  if (!c.y_metric.empty()) parts.insert(parts.end(), {"--y", c.y_metric});
  if (!c.bucket_metric.empty()) parts.insert(parts.end(), {"--metric", c.bucket_metric});
  if (c.buckets != 5) parts.insert(parts.end(), {"--buckets", std::to_string(c.buckets)});
  if (c.alpha != 0.05) parts.insert(parts.end(), {"--alpha", fmt::format("{}", c.alpha)});
  if (c.no_plots) parts.push_back("--no-plots");
  if (!c.reproduction.empty()) parts.insert(parts.end(), {"--reproduction", shell_quote(c.reproduction)});
  return join(parts, " ");
}

// Moves every file under `from` to the same place under `to` (renames; same file system).
void move_tree(const fs::path& from, const fs::path& to, const fs::path& out, std::vector<fs::path>& moved) {
  create_folder_inside(out, to);  // a link planted at out/plots is refused, not followed
  std::vector<fs::directory_entry> entries{fs::directory_iterator(from), fs::directory_iterator()};
  // Sub-folders (plots) first, the report files last: a reader never sees a report whose plots are missing.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.is_directory() && !b.is_directory(); });
  for (const auto& e : entries) {
    const auto target = to / e.path().filename();
    if (e.is_directory()) {
      move_tree(e.path(), target, out, moved);
      continue;
    }
    std::error_code ec;
    fs::rename(e.path(), target, ec);
    if (ec) fail("cannot move {} to {}: {}", e.path().string(), target.string(), ec.message());
    moved.push_back(target);
  }
}

struct Formats {
  bool md = false, csv = false, latex = false, html = false;
};

Formats parse_formats(const std::vector<std::string>& names) {
  Formats f;
  if (names.empty()) return {true, true, true, true};
  for (const auto& raw : names)
    for (const auto& name : split(raw, ',')) {
      const auto n = to_lower_ascii(trim(name));
      if (n == "md" || n == "markdown") f.md = true;
      else if (n == "csv") f.csv = true;
      else if (n == "latex" || n == "tex") f.latex = true;
      else if (n == "html") f.html = true;
      else if (n == "all") f = {true, true, true, true};
      else
        fail("--format {}: unknown format; use md, csv, latex, html (several allowed, default: all){}", n,
             did_you_mean(n, {"md", "csv", "latex", "html"}));
    }
  return f;
}

const char* kReportHelp = R"(Inputs: run folders (metrics.json), sweep folders (multirun.yaml), or folders holding them.
Folders without metrics.json (unfinished or failed runs) are skipped with a warning.

Writes to --out (default <first input>/report/): report.md, report.csv (with 95% CIs and p-values),
report.tex (booktabs), report.html (one page: tables, plots, provenance) and plots/ (gnuplot .dat and
.gp files, drawn as PNG and SVG when gnuplot is installed).

Rows: one per setting = algorithm label + the swept overrides (run.seed, run.dir and split.fold aside);
values are mean ± sample std over seeds, or over folds for split=kfold (metrics.json split.replicate).
Bold: best mean per column. Marker: differs from the column's best (paired test over users, or over
(fold, user) pairs for folds, each averaged over the seeds with matching splits; Holm-adjusted).
Runs with metrics.json "strata" add tables and plots of accuracy by popularity and activity group;
runs with cold users, cold candidates or held-out counts add a Cold start section.
Replay runs (protocol=replay) add a Replay section: a per-round table and plots over rounds (hit rate,
cumulative hits, coverage so far, adaptive weights), read from replay_rounds.tsv and replay_state.tsv.

Examples:
  tailrec report results/multirun/2026-01-01/12-00-00
  tailrec report run_seed1 run_seed2 --format md html --out report/
  tailrec report results/multirun/DATE/TIME       # split=kfold split.fold=0,1,2,3,4: one row per algorithm
  tailrec report RUN --x tail_recall@10 --y recall@10 --metric recall@10 --test t
  tailrec report R1_RUN --reproduction docs/reproduction_r1.md)";

}  // namespace

CLI::App* add_report_subcommand(CLI::App& app, ReportCommand& c) {
  auto* cmd = app.add_subcommand("report", "Tables, plots and provenance from stored run or sweep folders (md, csv, LaTeX, HTML)");
  cmd->add_option("dirs", c.inputs, "run folders, sweep folders, or folders holding them")->required();
  cmd->add_option("--format", c.formats, "md | csv | latex | html, several allowed (default: all)");
  cmd->add_option("--out", c.out, "output folder (default: <first input>/report)");
  cmd->add_option("--test", c.test, "paired test against each column's best: wilcoxon (default) | t");
  cmd->add_option("--alpha", c.alpha, "significance level after Holm's correction (default 0.05)");
  cmd->add_option("--x", c.x_metric, "trade-off plot x axis (default: aplt@K at the largest K)");
  cmd->add_option("--y", c.y_metric, "trade-off plot y axis (default: ndcg@K at the largest K)");
  cmd->add_option("--metric", c.bucket_metric, "metric of the user-activity plot (default: the --y metric)");
  cmd->add_option("--buckets", c.buckets, "user-activity quantile buckets (default 5)");
  cmd->add_flag("--no-plots", c.no_plots, "tables only");
  cmd->add_option("--reproduction", c.reproduction,
                  "write only FILE.md: our numbers beside the published ones (results/published/<experiment>.yaml)");
  cmd->add_option("--published-dir", c.published_dir, "folder of the published-number files (default <home>/results/published)");
  cmd->footer(kReportHelp);
  return cmd;
}

int report_command(const ReportCommand& command) {
  if (command.inputs.empty()) fail("tailrec report needs at least one run or sweep folder");
  if (command.buckets < 1 || command.buckets > 50) fail("--buckets {}: use 1 to 50 (default 5)", command.buckets);
  if (!(command.alpha > 0 && command.alpha < 1)) fail("--alpha {}: use a level in (0, 1), e.g. 0.05", command.alpha);
  const auto test = parse_test_kind(command.test);
  const auto formats = parse_formats(command.formats);
  std::vector<fs::path> inputs(command.inputs.begin(), command.inputs.end());
  const auto cmd = command_line(command);
  const auto generated = now_iso8601();

  if (!command.reproduction.empty()) {
    const auto data = load_report_data(inputs, false);
    for (const auto& w : data.warnings) std::cerr << "warning: " << escape_terminal(w) << "\n";
    const fs::path published = command.published_dir.empty() ? tailrec_home() / "results" / "published"
                                                             : fs::path(command.published_dir);
    const auto page = reproduction_page(data, published, cmd, generated);
    const fs::path out(command.reproduction);
    auto read = inputs;
    read.push_back(published);  // the published numbers are an input too
    check_output_file(out, read, "--reproduction");
    if (out.has_parent_path()) create_user_folder(out.parent_path(), "the folder of --reproduction");
    write_file_atomically(out, page);
    std::cout << out.string() << std::endl;
    return 0;
  }

  const auto data = load_report_data(inputs, true);
  for (const auto& w : data.warnings) std::cerr << "warning: " << escape_terminal(w) << "\n";
  const fs::path out = command.out.empty() ? inputs.front() / "report" : fs::path(command.out);
  std::error_code ec;
  if (command.out.empty()) {
    create_folder_inside(inputs.front(), out);  // chosen by tailrec inside a run folder: no planted link
  } else {
    create_user_folder(out, "--out");
  }
  const auto staging = out / fmt::format(".staging-{}", ::getpid());
  fs::remove_all(staging);
  create_folder_inside(out, staging / "plots");

  std::vector<fs::path> moved;
  try {
    Report report;
    report.command = cmd;
    report.generated = generated;
    report.runs = data.runs.size();
    report.warnings = data.warnings;
    std::vector<fs::path> scripts;
    std::vector<PlotSource> sources;
    for (size_t ci = 0; ci < data.contexts.size(); ++ci) {
      const auto& context = data.contexts[ci];
      ReportSection section;
      section.table = build_table(data, context, test, command.alpha);
      section.provenance = context_provenance(data, context);
      section.timings = context_timings(data, context);
      for (size_t r : context.runs) section.run_dirs.push_back(data.runs[r].dir.string());
      // Replay runs write per-round files, not per-user, exposure or activity ones: no plots need those.
      const bool replay = data.runs[context.runs.front()].replay;
      section.replay = replay_table(data, context);
      section.strata = strata_tables(data, context);
      section.cold_start = cold_start_section(data, context);
      if (!command.no_plots) {
        const auto suffix = data.contexts.size() == 1 ? std::string() : fmt::format("_{}", ci + 1);
        const auto colours = plot_colours(section.table.settings);
        const auto note = [&](const std::string& text) {
          report.warnings.push_back(context.title + ": " + text);
          std::cerr << "warning: " << escape_terminal(context.title + ": " + text) << "\n";
        };
        const auto y = command.y_metric.empty() ? default_accuracy_metric(context.metrics) : command.y_metric;
        const auto x = command.x_metric.empty() ? default_long_tail_metric(context.metrics) : command.x_metric;
        std::vector<PlotSource> plots;
        if (x.empty() || y.empty())
          note("no accuracy/long-tail trade-off plot: the runs lack an accuracy or a long-tail metric (choose with --x, --y)");
        else
          plots.push_back(tradeoff_plot(tradeoff_data(section.table, x, y), "accuracy_longtail" + suffix, colours));
        const int k = data.runs[context.runs.front()].metrics.value("metric_settings", nlohmann::json::object()).value("k", 0);
        if (!replay) {
          if (const auto exposure = exposure_data(data, context))
            plots.push_back(exposure_plot(*exposure, "popularity_bias" + suffix, k, colours));
          else
            note("no popularity-bias plot: the runs have no item_exposure.tsv.gz");
        }
        const auto metric = command.bucket_metric.empty() ? y : command.bucket_metric;
        if (!command.bucket_metric.empty() &&
            std::find(context.metrics.begin(), context.metrics.end(), metric) == context.metrics.end())
          fail("--metric {}: no such metric in the runs of {} (they have: {}){}", metric, context.title,
               join(context.metrics, ", "), did_you_mean(metric, context.metrics));
        if (!replay) {
          const auto activity = metric.empty() ? std::nullopt : activity_data(data, context, metric, command.buckets);
          if (activity)
            plots.push_back(activity_plot(*activity, "user_activity" + suffix, colours));
          else
            note(fmt::format("no user-activity plot: the runs lack user_activity.tsv.gz or per-user values of '{}'", metric));
        }
        // Per dimension (items, users), one line per setting: the metric the other plots show when it
        // is stratified, else the first stratified metric.
        for (const auto* dimension : {"items", "users"}) {
          auto it = std::find_if(section.strata.begin(), section.strata.end(),
                                 [&](const StrataTable& t) { return t.dimension == dimension && t.metric == metric; });
          if (it == section.strata.end())
            it = std::find_if(section.strata.begin(), section.strata.end(),
                              [&](const StrataTable& t) { return t.dimension == dimension; });
          if (it != section.strata.end())
            plots.push_back(strata_plot(*it, std::string(dimension == std::string("items") ? "accuracy_by_popularity"
                                                                                           : "accuracy_by_activity") + suffix,
                                        colours));
        }
        const auto stage = [&](const std::vector<PlotSource>& sources, std::vector<PlotRef>& refs) {
          for (const auto& p : sources) {
            for (const auto& [name, content] : p.files) {
              write_file_atomically(staging / "plots" / name, content);
              if (name.ends_with(".gp")) scripts.push_back(fs::absolute(staging / "plots" / name));
            }
            refs.push_back({p.title, p.caption, "plots/" + p.stem + ".png", "plots/" + p.stem + ".svg", false});
          }
        };
        stage(plots, section.plots);
        if (section.replay) stage(replay_plots(*section.replay, suffix, colours), section.replay_plots);
      }
      report.sections.push_back(std::move(section));
    }

    if (!scripts.empty()) {
      const auto gnuplot = find_gnuplot();
      if (gnuplot.empty()) {
        report.plot_note = fmt::format(
            "gnuplot not found: install gnuplot-nox and run `gnuplot {}/plots/*.gp` (the data and scripts are there)",
            out.string());
      } else {
        const auto error = run_gnuplot(gnuplot, scripts);
        if (!error.empty())
          report.plot_note = error + fmt::format("; the data and scripts are in {}/plots", out.string());
      }
      for (auto& section : report.sections)
        for (auto* plots : {&section.plots, &section.replay_plots})
          for (auto& p : *plots)
            p.drawn = report.plot_note.empty() && fs::exists(staging / p.png) && fs::exists(staging / p.svg);
      if (!report.plot_note.empty()) std::cerr << "note: " << escape_terminal(report.plot_note) << "\n";
    }
    if (formats.md) write_file_atomically(staging / "report.md", render_markdown(report));
    if (formats.csv) write_file_atomically(staging / "report.csv", render_csv(report));
    if (formats.latex) write_file_atomically(staging / "report.tex", render_latex(report));
    if (formats.html) write_file_atomically(staging / "report.html", render_html(report));
    if (fs::is_empty(staging / "plots")) fs::remove(staging / "plots");
    move_tree(staging, out, out, moved);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  fs::remove_all(staging, ec);
  for (const auto& f : moved)
    if (f.parent_path() == out) std::cout << f.string() << "\n";
  std::cout << fmt::format("{} plot files in {}", std::count_if(moved.begin(), moved.end(), [&](const fs::path& f) {
                             return f.parent_path() == out / "plots";
                           }),
                           (out / "plots").string())
            << "\n"
            << out.string() << std::endl;
  return 0;
}

}  // namespace tailrec
