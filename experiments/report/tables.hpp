#pragma once
// `tailrec report`, part 3: rendering a report as Markdown, CSV, LaTeX (booktabs) and one
// self-contained HTML page. The renderers only format what experiments/report/analysis.hpp computed.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/cold_start.hpp"
#include "experiments/report/replay.hpp"
#include "experiments/report/strata.hpp"
#include "framework/util/escape.hpp"  // the renderers escape every text cell with it

namespace tailrec {

// A plot of a section: files relative to the report folder; `drawn` when gnuplot produced them.
struct PlotRef {
  std::string title;
  std::string caption;
  std::string png, svg;  // "plots/accuracy_longtail.png"
  bool drawn = false;
};

struct TimingRow {
  std::string setting;
  double fit_seconds = 0, eval_seconds = 0;  // means over runs
};

// One context: its table, plots and where its numbers came from.
struct ReportSection {
  ResultTable table;
  std::vector<std::pair<std::string, std::string>> provenance;  // (what, value), in display order
  std::vector<TimingRow> timings;
  std::vector<std::string> run_dirs;
  std::vector<PlotRef> plots;
  std::optional<ReplayTable> replay;  // protocol=replay contexts: the Replay section
  std::vector<StrataTable> strata;    // runs with metrics.json "strata": accuracy by popularity and activity group
  std::optional<ColdStartSection> cold_start;  // runs with cold users, cold candidates or held-out counts
  std::vector<PlotRef> replay_plots;
};

struct Report {
  std::string command;     // the tailrec report command line
  std::string generated;   // ISO 8601 time
  size_t runs = 0;
  std::vector<ReportSection> sections;
  std::vector<std::string> warnings;
  std::string plot_note;   // e.g. "gnuplot not found: ..."
};

// What a context's numbers came from, read from its runs' metrics.json: experiment, dataset, split,
// protocol, metric settings, seeds, wall time, hardware, commit, versions, time span.
std::vector<std::pair<std::string, std::string>> context_provenance(const ReportData& data, const Context& context);
// Mean fit and evaluation seconds per setting.
std::vector<TimingRow> context_timings(const ReportData& data, const Context& context);

// Numbers: 4 decimals below 100, 2 below 1000, else 1; "—" for NaN.
std::string format_number(double value);
// Counts gathered over runs: the one value when all agree, else "mean (smallest–largest)"
// ("11.5 (11–12)"); "—" for none.
std::string counts_text(const std::vector<double>& values);
// The runs a row's mean is taken over: "1, 2" (seeds), "fold 0, 1, 2, 3, 4 · seed 1" (folds).
std::string replicates_text(const ResultTable& table, size_t setting);
// "0.3238 ± 0.0012" (just the mean for one seed).
std::string format_mean_std(const Summary& summary);

// The explanation printed under each table (marker, bold, test, conventions).
std::string table_legend(const ResultTable& table);

std::string render_markdown(const Report& report);
// One row per (section, setting, metric): mean, std, 95% CI, best, test, pairs, p, Holm p, marker.
std::string render_csv(const Report& report);
std::string render_latex(const Report& report);
std::string render_html(const Report& report);

}  // namespace tailrec
