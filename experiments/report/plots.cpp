#include "experiments/report/plots.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "framework/util/strings.hpp"

extern char** environ;

namespace tailrec {

namespace fs = std::filesystem;

namespace {

// Tableau 10, then darker variants: distinct on white and for the common colour-vision deficiencies.
const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                          "#7f7f7f", "#bcbd22", "#17becf", "#0b3c5d", "#a34a00", "#145a14", "#7a1516"};


std::string num(double v) { return std::isnan(v) ? std::string("?") : fmt::format("{:.10g}", v); }

// "set xrange [0:M]" with 15% headroom when every value (mean - std) is >= 0, so metrics in [0, 1]
// start at 0; gnuplot's autoscale (with a margin) otherwise.
std::string axis_range(const char* axis, const std::vector<Summary>& values) {
  double low = 0, high = 0;
  for (const auto& v : values) {
    low = std::min(low, v.mean - v.std);
    high = std::max(high, v.mean + v.std);
  }
  if (low < 0 || values.empty()) return fmt::format("set offsets graph 0.1, graph 0.2, graph 0.1, graph 0.1\n");
  return fmt::format("set {}range [0:{:.6g}]\n", axis, high > 0 ? high * 1.15 : 1.0);
}

int colour_value(const std::string& hex) { return static_cast<int>(std::strtol(hex.c_str() + 1, nullptr, 16)); }

}  // namespace

std::string preamble(const std::string& stem, const std::string& title) {
  const auto script = stem + ".gp";
  return fmt::format(
      "# {title}: written by tailrec report. Data: {stem}.dat next to this script.\n"
      "# Re-draw (PNG and SVG next to it) from any folder: gnuplot path/to/{script}\n"
      "reset\n"
      "if (!exists(\"ARG0\")) ARG0 = \"\"\n"
      "here = (strlen(ARG0) > {n}) ? ARG0[1:strlen(ARG0)-{n}] : \"\"\n"
      "data = here.\"{stem}.dat\"\n"
      "set encoding utf8\n"
      "set title {qtitle}\n"
      "set border 3 lw 1.2 lc rgb \"#4b5563\"\n"
      "set tics nomirror textcolor rgb \"#374151\"\n"
      "set grid lc rgb \"#d1d5db\" lw 1 dt 3\n"
      "set style textbox opaque noborder\n"
      "set key noenhanced textcolor rgb \"#1f2937\" box lc rgb \"#d1d5db\" opaque samplen 2.5 spacing 1.15\n"
      "set datafile missing \"?\"\n",
      fmt::arg("title", gnuplot_comment(title)), fmt::arg("stem", stem), fmt::arg("script", script), fmt::arg("n", script.size()),
      fmt::arg("qtitle", gnuplot_string(title)));
}

ColourMap plot_colours(const std::vector<std::string>& settings) {
  ColourMap colours;
  constexpr size_t n = sizeof(kPalette) / sizeof(kPalette[0]);
  for (size_t i = 0; i < settings.size(); ++i) colours[settings[i]] = kPalette[i % n];
  return colours;
}

std::string draw_both(const std::string& stem, const std::string& plot_command) {
  return fmt::format(
      "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {{\n"
      "  set terminal pngcairo size 1000,660 noenhanced font \"DejaVu Sans,15\" background rgb \"white\"\n"
      "}} else {{\n"
      "  set terminal png size 1000,660 noenhanced background rgb \"white\"\n"
      "}}\n"
      "set output here.\"{stem}.png\"\n"
      "{plot}\n"
      "set terminal svg size 1000,660 noenhanced font \"DejaVu Sans,19\" linewidth 1.2 background rgb \"white\"\n"
      "set output here.\"{stem}.svg\"\n"
      "replot\n"
      "unset output\n",
      fmt::arg("stem", stem), fmt::arg("plot", plot_command));
}

PlotSource tradeoff_plot(const TradeoffData& d, const std::string& stem, const ColourMap& colours) {
  PlotSource p;
  p.stem = stem;
  p.title = fmt::format("Accuracy vs long tail: {} against {}", d.y_metric, d.x_metric);
  p.caption = fmt::format(
      "One point per setting: x = mean {}, y = mean {} over runs (seeds, folds); bars are the sample standard deviation over "
      "them. Up is more accurate, right recommends more long-tail items.",
      d.x_metric, d.y_metric);
  std::string dat = fmt::format("# {}\n# setting\t{x}_mean\t{x}_std\t{y}_mean\t{y}_std\tcolour\tseeds\n",
                                gnuplot_comment(p.title), fmt::arg("x", gnuplot_comment(d.x_metric)),
                                fmt::arg("y", gnuplot_comment(d.y_metric)));
  for (const auto& pt : d.points)
    dat += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", gnuplot_data_string(pt.setting), num(pt.x.mean), num(pt.x.std),
                       num(pt.y.mean), num(pt.y.std), colour_value(colours.at(pt.setting)), pt.y.n);
  std::vector<Summary> xs, ys;
  for (const auto& pt : d.points) {
    xs.push_back(pt.x);
    ys.push_back(pt.y);
  }
  std::string gp = preamble(stem, p.title);
  gp += fmt::format(
      "set xlabel {} offset 0,0.3\n"
      "set ylabel {} offset 1,0\n"
      "set key off\n"
      "{}"
      "{}",
      gnuplot_string(d.x_metric + " (long tail →)"), gnuplot_string(d.y_metric + " (accuracy →)"),
      axis_range("x", xs), axis_range("y", ys));
  gp += draw_both(stem,
                  "plot data using 2:4:3:5:6 with xyerrorbars pointtype 7 pointsize 1.6 linewidth 1.6 "
                  "linecolor rgb variable notitle, \\\n"
                  "     data using 2:4:1 with labels left offset char 0.9,0.6 textcolor rgb \"#111827\" "
                  "noenhanced notitle");
  p.files = {{stem + ".dat", dat}, {stem + ".gp", gp}};
  return p;
}

PlotSource exposure_plot(const ExposureData& d, const std::string& stem, int k, const ColourMap& colours) {
  PlotSource p;
  p.stem = stem;
  p.title = "Popularity bias: where the top-" + std::to_string(k) + " slots go";
  p.caption = fmt::format(
      "Cumulative share of all top-{} slots (y) taken by the r most popular items (x = training popularity rank r, "
      "log scale), mean over runs (seeds, folds). The dashed grey curve is the same share of training interactions; the "
      "vertical line is the head/tail boundary ({} head items of {}). A curve above the grey one concentrates "
      "recommendations on popular items more than the data does.",
      k, d.head_items, d.items);
  std::string dat = "# " + gnuplot_comment(p.title) + ": cumulative share of top-k slots at popularity rank r\n# rank\ttraining";
  for (const auto& c : d.curves) dat += "\t" + gnuplot_comment(c.setting);
  dat += "\n";
  for (size_t j = 0; j < d.ranks.size(); ++j) {
    dat += std::to_string(d.ranks[j]) + "\t" + (d.training.empty() ? std::string("?") : num(d.training[j]));
    for (const auto& c : d.curves) dat += fmt::format("\t{}", num(c.share[j]));
    dat += "\n";
  }
  std::string gp = preamble(stem, p.title);
  gp += fmt::format(
      "set logscale x 10\n"
      "set xrange [1:{items}]\n"
      "set yrange [0:1.0]\n"
      "set format x \"%g\"\n"
      "set xlabel \"items by training popularity rank (1 = most popular, log scale)\" offset 0,0.3\n"
      "set ylabel \"cumulative share of top-{k} slots\" offset 1,0\n"
      "set key outside right top vertical\n",
      fmt::arg("items", d.items), fmt::arg("k", k));
  if (d.head_items >= 1 && d.head_items <= d.items)
    gp += fmt::format(
        "set arrow 1 from {h}, graph 0 to {h}, graph 1 nohead dashtype 2 linewidth 1.5 linecolor rgb \"#6b7280\" front\n"
        "set label 1 \"head | tail\" at {h}, graph 0.5 center boxed textcolor rgb \"#4b5563\" front\n",
        fmt::arg("h", d.head_items));
  std::string plot = "plot ";
  if (!d.training.empty())
    plot += "data using 1:2 with lines dashtype 2 linewidth 2.5 linecolor rgb \"#9ca3af\" title \"training interactions\"";
  for (size_t c = 0; c < d.curves.size(); ++c) {
    if (plot != "plot ") plot += ", \\\n     ";
    plot += fmt::format("data using 1:{} with lines linewidth 2.4 linecolor rgb \"{}\" title {}", c + 3,
                        colours.at(d.curves[c].setting), gnuplot_string(d.curves[c].setting));
  }
  gp += draw_both(stem, plot);
  p.files = {{stem + ".dat", dat}, {stem + ".gp", gp}};
  return p;
}

PlotSource activity_plot(const ActivityData& d, const std::string& stem, const ColourMap& colours) {
  PlotSource p;
  p.stem = stem;
  p.title = d.metric + " by user activity";
  double users = 0;
  for (double u : d.users) users += u;
  p.caption = fmt::format(
      "Evaluated users split into {} quantile buckets by their number of training interactions (ranges under the "
      "bars; {:.0f} users per run in all); bars are the mean {} over each bucket's users, averaged over runs (seeds, folds); error "
      "bars the standard deviation over them.",
      d.buckets.size(), users, d.metric);
  std::string dat = "# " + gnuplot_comment(p.title) + ": per bucket, mean and std over runs of the bucket's mean per run\n";
  dat += "# bucket\ttrain_items\tusers_per_run";
  for (const auto& s : d.settings) dat += "\t" + gnuplot_comment(s) + "_mean\t" + gnuplot_comment(s) + "_std";
  dat += "\n";
  for (size_t b = 0; b < d.buckets.size(); ++b) {
    const auto& bucket = d.buckets[b];
    const auto range = bucket.low == bucket.high ? std::to_string(bucket.low)
                                                 : fmt::format("{}–{}", bucket.low, bucket.high);
    dat += fmt::format("{}\t{}\t{:.1f}", gnuplot_data_string(bucket.name), gnuplot_data_string(range), d.users[b]);
    for (size_t s = 0; s < d.settings.size(); ++s)
      dat += d.present[s][b] ? fmt::format("\t{}\t{}", num(d.values[s][b].mean), num(d.values[s][b].std))
                             : std::string("\t?\t?");
    dat += "\n";
  }
  std::string gp = preamble(stem, p.title);
  gp += fmt::format(
      "set style data histograms\n"
      "set style histogram errorbars gap 1.4 linewidth 1.2\n"
      "set style fill solid 0.9 border rgb \"#374151\"\n"
      "set boxwidth 0.92 relative\n"
      "set yrange [0:*]\n"
      "set grid noxtics ytics\n"
      "set xtics scale 0\n"
      "set xlabel \"users by training interactions (quantile buckets)\" offset 0,-0.4\n"
      "set ylabel {} offset 1,0\n"
      "set key outside right top vertical\n",
      gnuplot_string("mean " + d.metric + " per user"));
  std::string plot = "plot ";
  for (size_t s = 0; s < d.settings.size(); ++s) {
    if (s > 0) plot += ", \\\n     ";
    plot += fmt::format("data using {}:{}{} title {} linecolor rgb \"{}\"", 4 + 2 * s, 5 + 2 * s,
                        s == 0 ? ":xticlabels(strcol(1).\"\\n\".strcol(2))" : "", gnuplot_string(d.settings[s]),
                        colours.at(d.settings[s]));
  }
  gp += draw_both(stem, plot);
  p.files = {{stem + ".dat", dat}, {stem + ".gp", gp}};
  return p;
}

std::string find_gnuplot() {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  // Debian's gnuplot-nox installs gnuplot-nox and points gnuplot at it through the alternatives.
  for (const char* name : {"gnuplot", "gnuplot-nox", "gnuplot-qt", "gnuplot-x11"})
    for (const auto& dir : split(path, ':')) {
      if (dir.empty()) continue;
      const auto candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  return "";
}

std::string run_gnuplot(const std::string& gnuplot, const std::vector<fs::path>& scripts) {
  for (const auto& script : scripts) {
    char log_name[] = "/tmp/tailrec-gnuplot-XXXXXX";
    const int log_fd = ::mkstemp(log_name);
    if (log_fd < 0) return "cannot create a temporary file for gnuplot's output";
    ::close(log_fd);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_name, O_WRONLY | O_APPEND, 0);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const std::string script_path = script.string();
    std::vector<char*> argv = {const_cast<char*>(gnuplot.c_str()), const_cast<char*>(script_path.c_str()), nullptr};
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      ::unlink(log_name);
      return fmt::format("cannot start {}: {}", gnuplot, std::strerror(rc));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::ifstream in(log_name);
    std::stringstream output;
    output << in.rdbuf();
    ::unlink(log_name);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      return fmt::format("gnuplot failed on {} (exit status {}): {}", script_path,
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::string(trim(output.str())));
  }
  return "";
}

}  // namespace tailrec
