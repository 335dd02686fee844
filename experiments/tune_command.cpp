// `tailrec tune`: grid or random search of parameters on the validation carve-out, then one final
// run of the best setting on the test split. Trials run with run.evaluate_on=validation, so the
// test split is not used before the final run (framework/run/runner.cpp).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <random>
#include <set>

#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "experiments/local_launcher.hpp"
#include "experiments/register_all.hpp"
#include "experiments/sweep.hpp"
#include "framework/config/config.hpp"
#include "framework/run/run_folder.hpp"
#include "framework/run/settings.hpp"
#include "framework/run/shared_work.hpp"
#include "framework/run/table.hpp"
#include "framework/util/error.hpp"
#include "framework/util/escape.hpp"
#include "framework/util/folder_lock.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

// interval(low, high): a continuous range for random search.
std::optional<std::pair<double, double>> interval_of(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return std::nullopt;
  const auto value = std::string(trim(text.substr(eq + 1)));
  if (!starts_with(value, "interval(") || value.back() != ')') return std::nullopt;
  const auto args = split(value.substr(9, value.size() - 10), ',');
  const auto low = args.size() == 2 ? parse_double(args[0]) : std::nullopt;
  const auto high = args.size() == 2 ? parse_double(args[1]) : std::nullopt;
  if (!low || !high || !(*low < *high)) fail("override '{}': write interval(low, high) with low < high", text);
  return std::pair{*low, *high};
}

bool lower_is_better(const std::string& metric) {
  return starts_with(metric, "rmse") || starts_with(metric, "mae");
}

// The trials: every combination (grid) or `trials` draws (random; list values uniformly,
// interval() uniformly in [low, high)), each as the overrides of one job.
std::vector<std::vector<std::string>> trial_overrides(const TuneCommand& command) {
  std::vector<std::vector<std::string>> axes;
  bool has_interval = false;
  for (const auto& o : command.overrides) {
    if (interval_of(o)) {
      has_interval = true;
      axes.push_back({o});
    } else {
      axes.push_back(expand_override(o));
    }
  }
  std::vector<std::vector<std::string>> trials;
  if (command.search == "grid") {
    if (has_interval) fail("interval() needs --search random (a grid takes lists or range())");
    for (const auto& job : expand_sweep(command.overrides, {}, "/"))
      trials.emplace_back(job.overrides.begin(), job.overrides.end() - 1);  // without run.dir
  } else if (command.search == "random") {
    if (command.trials < 1) fail("--search random needs --trials N (N >= 1)");
    std::mt19937_64 rng(command.seed);
    std::set<std::vector<std::string>> seen;
    for (int attempt = 0; static_cast<int>(trials.size()) < command.trials && attempt < command.trials * 100; ++attempt) {
      std::vector<std::string> trial;
      for (size_t a = 0; a < axes.size(); ++a) {
        if (const auto range = interval_of(axes[a][0])) {
          const auto key = axes[a][0].substr(0, axes[a][0].find('='));
          const double x = std::uniform_real_distribution<double>(range->first, range->second)(rng);
          trial.push_back(fmt::format("{}={:.6g}", key, x));
        } else {
          trial.push_back(axes[a][std::uniform_int_distribution<size_t>(0, axes[a].size() - 1)(rng)]);
        }
      }
      if (seen.insert(trial).second) trials.push_back(trial);
    }
  } else {
    fail("--search '{}' is not grid or random", command.search);
  }
  if (trials.size() < 2 && std::none_of(command.overrides.begin(), command.overrides.end(),
                                        [](const std::string& o) { return is_sweep_override(o) || interval_of(o); }))
    fail("nothing to tune: give at least one swept value, e.g. algorithms.user_knn.k=10,20,50");
  return trials;
}


}  // namespace

int tune_command(const TuneCommand& command) {
  const auto search = config_search_path(command.config_dirs);
  for (const auto& o : command.overrides) {
    const auto key = override_key(o);
    if (key == "run.dir" || key == "run.evaluate_on")
      fail("override '{}': tune sets {} itself (trials on the validation carve-out, then a final test run); "
           "choose the folder with --out DIR", o, key);
  }
  const auto trials = trial_overrides(command);

  // The first trial's config names the algorithm and the folder defaults.
  auto first = trials.front();
  first.push_back("run.evaluate_on=validation");
  Config config = compose({search, first, "config"});
  const auto probe = plan_experiment(config, registries(), search);
  std::string label = command.algorithm;
  if (label.empty()) {
    if (probe.algorithms.size() != 1)
      fail("the config lists {} algorithms; name the one whose metric picks the best setting with --algorithm LABEL",
           probe.algorithms.size());
    label = probe.algorithms.front().label;
  } else if (std::none_of(probe.algorithms.begin(), probe.algorithms.end(),
                          [&](const AlgorithmPlan& a) { return a.label == label; })) {
    std::vector<std::string> labels;
    for (const auto& a : probe.algorithms) labels.push_back(a.label);
    fail("--algorithm {}: no such label{}; labels: {}", label, did_you_mean(label, labels), join(labels, ", "));
  }
  std::vector<std::string> metric_names;
  for (const auto& m : probe.metrics) metric_names.push_back(m->name());
  if (std::find(metric_names.begin(), metric_names.end(), command.metric) == metric_names.end())
    fail("--metric {}: not measured by this config{}; measured: {}", command.metric,
         did_you_mean(command.metric, metric_names), join(metric_names, ", "));

  const fs::path root_folder = results_root(Params::resolve(settings_group("run").params, config.root()["run"]));
  const fs::path dir = fs::absolute(command.out.empty() ? root_folder / "tune" / local_time("%Y-%m-%d") / local_time("%H-%M-%S")
                                                        : fs::path(command.out));
  if (fs::exists(dir) && !fs::is_directory(dir))
    fail("--out {}: {} is a file, not a folder; choose another --out", command.out, dir.string());
  if (fs::exists(dir) && !fs::is_empty(dir)) fail("tune folder {} already exists and is not empty; choose another --out", dir.string());

  std::vector<SweepJob> jobs;
  for (size_t t = 0; t < trials.size(); ++t) {
    SweepJob job;
    job.index = static_cast<int>(t);
    job.overrides = trials[t];
    for (const auto& o : trials[t])
      if (std::find(command.overrides.begin(), command.overrides.end(), o) == command.overrides.end()) job.swept.push_back(o);
    job.overrides.push_back("run.evaluate_on=validation");
    job.overrides.push_back("run.dir=" + (dir / "trials" / std::to_string(t)).string());
    jobs.push_back(std::move(job));
  }
  std::vector<ExperimentPlan> plans;
  for (const auto& job : jobs) plans.push_back(plan_job(job, search));
  create_folder(dir, "tune folder", "--out");
  // Held until the tune ends; a second tune that picked the same folder is refused.
  const FolderLock lock(dir, "tune folder", "--out");
  if (!lock.stale_note().empty()) std::cerr << "note: " << lock.stale_note() << "\n";
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != FolderLock::file_name)
      fail("tune folder {} already exists and is not empty; choose another --out", dir.string());
  create_folder(dir / "trials", "tune trials folder", "--out");
  std::cerr << fmt::format("tune {}: {} trials ({} search), {} of {} on the validation carve-out\n", dir.string(),
                           jobs.size(), command.search, command.metric, label);

  // The trace: one line per trial as it ends (tune.jsonl, rewritten atomically).
  std::vector<nlohmann::json> trace(jobs.size());
  const auto write_trace = [&] {
    std::string text;
    for (const auto& line : trace)
      if (!line.is_null()) text += line.dump() + "\n";
    for (const auto& plan : plans) text = redact(text, plan.anonymize_salt);  // the salt stays in the runs' private/
    write_file_atomically(dir / "tune.jsonl", text);
  };
  SharedWork shared;  // the final run reuses the trials' dataset and split
  const auto results = run_jobs_locally(jobs, plans, command.jobs, [&](const SweepJob& job, const JobResult& r) {
    nlohmann::json line = {{"trial", job.index}, {"overrides", job.swept}, {"status", r.status}, {"seconds", r.seconds}};
    if (r.status == "COMPLETED") {
      const auto& value = r.metrics.at("algorithms").at(label).at("metrics").at(command.metric);
      line["value"] = value;
      line["metrics"] = r.metrics.at("algorithms").at(label).at("metrics");
    } else {
      line["error"] = r.error;
    }
    trace[static_cast<size_t>(job.index)] = line;
    write_trace();
    std::cerr << fmt::format("trial {} {}: {} {}={}\n", job.index, r.status, escape_terminal(join(job.swept, " ")), command.metric,
                             line.contains("value") && line["value"].is_number() ? fmt::format("{:.4f}", line["value"].get<double>())
                                                                               : "n/a");
  }, &shared);

  // Best: the best value, the earliest trial on ties.
  int best = -1;
  double best_value = 0;
  for (size_t t = 0; t < results.size(); ++t) {
    if (!trace[t].contains("value") || !trace[t]["value"].is_number()) continue;
    const double v = trace[t]["value"].get<double>();
    if (best < 0 || (lower_is_better(command.metric) ? v < best_value : v > best_value)) {
      best = static_cast<int>(t);
      best_value = v;
    }
  }
  if (best < 0) fail("no trial produced {} (see {}); nothing to evaluate on the test split", command.metric,
                     (dir / "tune.jsonl").string());

  std::vector<std::vector<std::string>> rows;
  for (size_t t = 0; t < trace.size(); ++t)
    rows.push_back({std::to_string(t), join(jobs[t].swept, " "), trace[t].contains("value") && trace[t]["value"].is_number()
                                                                    ? fmt::format("{:.4f}", trace[t]["value"].get<double>())
                                                                    : trace[t].value("status", "?"),
                    static_cast<int>(t) == best ? "best" : ""});
  std::cerr << "\n" << format_table({"trial", "setting", command.metric + " (validation)", ""}, rows) << "\n";

  // Final: the best setting, trained on the training split, evaluated once on the test split.
  SweepJob final_job;
  final_job.index = 0;
  final_job.overrides = trials[static_cast<size_t>(best)];
  final_job.swept = jobs[static_cast<size_t>(best)].swept;
  final_job.overrides.push_back("run.dir=" + (dir / "final").string());
  std::vector<SweepJob> final_jobs{final_job};
  std::vector<ExperimentPlan> final_plans;
  final_plans.push_back(plan_job(final_job, search));
  final_plans.front().progress = true;
  const auto final_result = run_jobs_locally(final_jobs, final_plans, 1, [](const SweepJob&, const JobResult&) {}, &shared);
  if (final_result.front().status != "COMPLETED") fail("the final run failed: {}", final_result.front().error);
  const auto& test_metrics = final_result.front().metrics.at("algorithms").at(label).at("metrics");

  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "metric" << YAML::Value << command.metric;
  out << YAML::Key << "algorithm" << YAML::Value << label;
  out << YAML::Key << "search" << YAML::Value << command.search;
  out << YAML::Key << "trials" << YAML::Value << static_cast<int>(jobs.size());
  out << YAML::Key << "best_trial" << YAML::Value << best;
  out << YAML::Key << "best_overrides" << YAML::Value << YAML::Flow << jobs[static_cast<size_t>(best)].swept;
  out << YAML::Key << "validation_value" << YAML::Value << best_value;
  out << YAML::Key << "test_value" << YAML::Value
      << (test_metrics.at(command.metric).is_number() ? fmt::format("{}", test_metrics.at(command.metric).get<double>()) : "null");
  out << YAML::Key << "command_overrides" << YAML::Value << YAML::Flow << command.overrides;
  out << YAML::EndMap;
  write_file_atomically(dir / "best.yaml", redact(std::string(out.c_str()) + "\n", final_plans.front().anonymize_salt));
  std::cerr << fmt::format("best: {} ({} {:.4f} on validation); test: {} {}\n",
                           escape_terminal(join(jobs[static_cast<size_t>(best)].swept, " ")),
                           command.metric, best_value, command.metric,
                           test_metrics.at(command.metric).is_number() ? fmt::format("{:.4f}", test_metrics.at(command.metric).get<double>()) : "n/a");
  std::cout << dir.string() << std::endl;
  return 0;
}

}  // namespace tailrec
