#pragma once
// `tailrec report --reproduction FILE.md`: our numbers beside published ones. The published numbers
// live in results/published/<experiment>.yaml (transcribed from the published tables each names); the
// experiment name in the runs' metrics.json picks the file.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "experiments/report/data.hpp"

namespace tailrec {

struct PublishedAlgorithm {
  std::string published;                 // the paper's name, e.g. "UserKNN CF cosine"
  std::string ours;                      // our algorithm label; "" when we have no counterpart
  std::string source;                    // when it differs from the file's source
  std::map<std::string, double> metrics; // "hit@10" -> 0.6606
};

struct PublishedResults {
  std::string id;                        // "R1"
  std::string experiment;                // "ncf_ml1m"
  std::string title;
  std::string source;
  std::string table;
  std::string protocol;
  std::string data;
  std::optional<double> tolerance;       // |ours - published| <= tolerance counts as reproduced
  std::vector<std::string> notes;
  std::vector<std::string> metrics;      // column order
  std::vector<PublishedAlgorithm> algorithms;
};

// Reads and checks a published-results file; errors name the file, line and key.
PublishedResults read_published(const std::filesystem::path& path);

// The markdown page for the runs: one section per experiment (an error when an experiment has no
// published file). `published_dir` holds <experiment>.yaml.
std::string reproduction_page(const ReportData& data, const std::filesystem::path& published_dir,
                              const std::string& command, const std::string& generated);

}  // namespace tailrec
