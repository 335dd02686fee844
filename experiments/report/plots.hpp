#pragma once
// `tailrec report`, part 4: the plots as gnuplot data (.dat) and scripts (.gp) that draw a PNG and
// an SVG each. Scripts find their data next to themselves (gnuplot's ARG0), so
// `gnuplot DIR/plots/NAME.gp` re-draws a plot from any working directory.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "framework/util/escape.hpp"  // gnuplot_string, gnuplot_data_string, gnuplot_comment

namespace tailrec {

struct PlotSource {
  std::string stem;                               // "accuracy_longtail"
  std::string title, caption;
  std::vector<std::pair<std::string, std::string>> files;  // (file name, content): .dat then .gp
};

// Colours per setting name, stable across the plots of one context.
using ColourMap = std::map<std::string, std::string>;  // setting -> "#1f77b4"
ColourMap plot_colours(const std::vector<std::string>& settings);

PlotSource tradeoff_plot(const TradeoffData& data, const std::string& stem, const ColourMap& colours);
PlotSource exposure_plot(const ExposureData& data, const std::string& stem, int k, const ColourMap& colours);
PlotSource activity_plot(const ActivityData& data, const std::string& stem, const ColourMap& colours);

// The head of every plot script: where the script and its <stem>.dat live, the encoding, the look.
std::string preamble(const std::string& stem, const std::string& title);

// The tail of a gnuplot script that draws `plot_command` next to the script as <stem>.png
// (pngcairo, else png) and <stem>.svg.
std::string draw_both(const std::string& stem, const std::string& plot_command);

// The gnuplot program on PATH, or "" when there is none.
std::string find_gnuplot();
// Runs `gnuplot script` for each script (absolute paths). Returns "" when every script drew its
// plots, else a message naming the script and gnuplot's output.
std::string run_gnuplot(const std::string& gnuplot, const std::vector<std::filesystem::path>& scripts);

}  // namespace tailrec
