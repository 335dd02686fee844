// `tailrec check`: regression gates of model quality (docs/check.md). Each baseline
// (results/baselines/*.yaml, experiments/quality_gate.hpp) is rerun over its seeds in this process
// (experiments/local_launcher.hpp), in a temporary folder, and compared metric by metric.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "experiments/local_launcher.hpp"
#include "experiments/quality_gate.hpp"
#include "experiments/sweep.hpp"
#include "framework/run/table.hpp"
#include "framework/util/error.hpp"
#include "framework/util/escape.hpp"
#include "framework/util/folder_lock.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

// One baseline to check, update or create, with its jobs (one per seed).
struct Target {
  fs::path path;
  Baseline baseline;              // as read (settings only when the measured part is unreadable)
  bool measured = false;          // the file's measured part was read: there is something to compare with
  std::string unreadable;         // --update: why the measured part could not be read
  std::vector<size_t> jobs;       // indices into the job list, in seed order
  std::string error;              // a job could not be planned or failed
  double run_seconds = 0;
};

// Overrides that would make the runs something other than the baseline's experiment.
void check_overrides(const std::vector<std::string>& overrides, const std::string& where) {
  for (const auto& o : overrides) {
    const auto key = override_key(o);
    if (key == "run.dir" || key == "run.seed" || key == "sweep" || starts_with(key, "sweep.") || key == "launcher" ||
        starts_with(key, "launcher."))
      fail("{}: override '{}': tailrec check sets {} itself (one run per seed of the baseline's seeds, in a temporary "
           "folder; --keep DIR keeps them, --jobs N runs N at once); remove it",
           where, o, key);
    if (is_sweep_override(o))
      fail("{}: override '{}' sweeps several values; a baseline is one configuration (repeat it over seeds with the "
           "baseline's seeds: list, or write one baseline per setting)",
           where, o);
  }
}

std::string number(double value) {
  if (std::isnan(value)) return "n/a";
  return fmt::format("{:.4f}", value);
}
std::string small_number(double value, bool sign) {
  if (std::isnan(value)) return "n/a";
  if (value != 0 && std::fabs(value) < 1e-3) return sign ? fmt::format("{:+.2e}", value) : fmt::format("{:.2e}", value);
  return sign ? fmt::format("{:+.4f}", value) : fmt::format("{:.4f}", value);
}

std::vector<std::string> row_of(const std::string& name, const MetricComparison& m, bool update) {
  const auto mean_std = [](const MetricRecord& r) { return number(r.mean) + " ± " + number(r.std); };
  std::string status;
  if (update)  // what --update accepts
    status = !m.baseline ? "new" : !m.now ? "removed" : m.identical ? "unchanged" : m.passed ? "changed, within tolerance" : "changed beyond tolerance";
  else
    status = m.passed ? (m.identical ? "ok (identical)" : "ok") : "FAIL";
  if (!update && !m.passed && m.reason != "difference beyond tolerance") status += ": " + m.reason;
  return {name,
          m.label,
          m.metric,
          m.baseline ? mean_std(*m.baseline) : "-",
          m.now ? number(m.now->mean) : "-",
          m.baseline && m.now ? small_number(m.difference, true) : "-",
          m.baseline && m.now ? small_number(m.allowed, false) : "-",
          status};
}

const std::vector<std::string> kHeader = {"baseline", "algorithm", "metric", "baseline mean ± std", "now",
                                          "difference", "tolerance", "status"};

nlohmann::json recorded_now(double run_seconds, int jobs) {
  const auto versions = library_versions();
  return {{"date", now_iso8601()},
          {"git_commit", git_commit()},
          {"tailrec_version", versions.value("tailrec", "unknown")},
          {"compiler", versions.value("compiler", "unknown")},
          {"hardware", hardware_description()},
          {"run_seconds", std::round(run_seconds * 10) / 10},
          {"jobs_at_once", jobs}};
}

// Prints one baseline's verdict; returns whether it passed. `extra` are the command line's overrides.
bool report(const Target& t, const Comparison& c, bool verbose, bool update, const std::vector<std::string>& extra,
            std::ostream& out) {
  const bool passed = c.passed();
  out << fmt::format("\nbaseline {} ({}): {}\n", t.baseline.name, t.path.string(),
                     update ? "updated" : passed ? "ok" : "FAIL");
  const auto print_changes = [&](const std::vector<SetupChange>& changes) {
    for (const auto& change : changes)
      out << fmt::format("    {:<16} {}: {} -> {}\n", change.part, change.path, change.before, change.after);
  };
  if (c.protocol_changed()) {
    out << fmt::format("  protocol hash changed ({} -> {}): metrics measured under another protocol are not "
                       "comparable. Changed:\n",
                       c.baseline_hash, c.now_hash);
    print_changes(c.setup_changes);
  }
  if (!c.seed_changes.empty()) {
    if (c.protocol_changed() && !verbose) {
      // A consequence of the protocol change: name the seeds, not every count.
      std::vector<std::string> seeds;
      for (const auto& change : c.seed_changes) {
        const auto seed = change.path.substr(5, change.path.find(':') - 5);
        if (seeds.empty() || seeds.back() != seed) seeds.push_back(seed);
      }
      out << fmt::format("    and so the splits or counts of seed{} {} (--verbose lists them)\n",
                         seeds.size() == 1 ? "" : "s", join(seeds, ", "));
    } else {
      if (!c.protocol_changed())
        out << "  the splits or evaluated users changed under the same protocol (a change in the splitting, protocol "
               "or long-tail code, or in the data):\n";
      print_changes(c.seed_changes);
    }
  }
  for (const auto& note : c.notes) out << "  note: " << escape_terminal(note) << "\n";

  std::vector<std::vector<std::string>> rows;
  size_t ok = 0, identical = 0;
  for (const auto& m : c.metrics) {
    ok += m.passed;
    identical += m.identical;
    const bool show = verbose || (update ? !m.identical : !m.passed);
    if (show) rows.push_back(row_of(t.baseline.name, m, update));
  }
  if (!rows.empty()) out << format_table(kHeader, rows);
  out << fmt::format("  {} of {} metrics within tolerance ({} identical to the baseline, seed by seed)\n", ok,
                     c.metrics.size(), identical);
  if (!passed && !update) {
    if (extra.empty())
      out << fmt::format("  If the change is intended, accept it (rewrites the measured part): tailrec check --baseline "
                         "{} --update\n",
                         t.path.string());
    else
      out << fmt::format("  To keep this change, make it the default or add it to the baseline's overrides, then "
                         "accept it: tailrec check --baseline {} --update\n",
                         t.path.string());
  }
  return passed;
}

// Removes the temporary run folders when the command ends, however it ends.
struct TempRoot {
  fs::path path;
  bool keep = false;
  ~TempRoot() {
    std::error_code ec;
    if (!keep && !path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

int check_command(const CheckCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  if (command.jobs < 1) fail("--jobs {}: give at least 1", command.jobs);
  const bool init = !command.init.empty();
  if (init && (!command.baselines.empty() || command.update))
    fail("--init FILE creates a new baseline; it does not combine with --baseline or --update");
  if (command.update && !command.overrides.empty())
    fail("--update with extra overrides ({}) would record metrics the baseline's own overrides do not produce; "
         "edit the baseline's overrides: list instead, then run --update alone",
         join(command.overrides, " "));
  if (init && command.seeds < 1) fail("--seeds {}: give at least 1 (3 or more: the tolerance uses the spread over seeds)", command.seeds);
  std::vector<fs::path> config_dirs(command.config_dirs.begin(), command.config_dirs.end());
  const auto search = config_search_path(config_dirs);

  // The baselines.
  std::vector<Target> targets;
  if (init) {
    Target t;
    t.path = command.init;
    if (fs::exists(t.path))
      fail("{} already exists; to measure it again: tailrec check --baseline {} --update", t.path.string(), t.path.string());
    if (t.path.extension() != ".yaml") fail("--init {}: a baseline file ends in .yaml", t.path.string());
    t.baseline.name = t.path.stem().string();
    if (!is_baseline_name(t.baseline.name))
      fail("--init {}: the file name gives the baseline's name '{}', which is not an identifier: use 1 to 100 ASCII "
           "letters, digits, '_', '.' or '-', starting with a letter, digit or '_' (e.g. ml100k_knn.yaml)",
           t.path.string(), t.baseline.name);
    if (const auto at = invalid_utf8_at(command.description); at != std::string::npos)
      fail("--description '{}' is not valid UTF-8 (byte {} is not); a baseline is a YAML file", shown(command.description),
           at);
    t.baseline.description = command.description;
    t.baseline.overrides = command.overrides;
    check_overrides(t.baseline.overrides, "--init");
    // Seeds run.seed, run.seed + 1, ... of the composed config.
    SweepJob probe;
    probe.overrides = t.baseline.overrides;
    probe.overrides.push_back("run.dir=" + (fs::temp_directory_path() / "tailrec-check-probe").string());
    const auto probe_plan = plan_job(probe, search);
    for (const auto& o : t.baseline.overrides)
      if (redact(o, probe_plan.anonymize_salt) != o)
        fail("--init: the override '{}' holds the anonymisation salt, and a baseline is a file committed with the "
             "project; pass it from the environment instead: 'run.anonymize_salt=${{env:TAILREC_SALT}}'",
             redact(o, probe_plan.anonymize_salt));
    const auto first_seed = probe_plan.seed;
    for (int s = 0; s < command.seeds; ++s) t.baseline.seeds.push_back(first_seed + static_cast<uint64_t>(s));
    targets.push_back(std::move(t));
  } else {
    std::vector<fs::path> paths(command.baselines.begin(), command.baselines.end());
    if (paths.empty()) {
      const auto dir = tailrec_home() / "results" / "baselines";
      if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
          if (entry.is_regular_file() && entry.path().extension() == ".yaml") paths.push_back(entry.path());
      std::sort(paths.begin(), paths.end());
      if (paths.empty())
        fail("no baseline in {} (*.yaml); create one with: tailrec check --init {}/NAME.yaml --seeds 3 OVERRIDES...",
             dir.string(), dir.string());
    }
    for (const auto& path : paths) {
      Target t;
      // Shown relative to the working folder when inside it, so the printed --update command is short.
      const auto relative = fs::absolute(path).lexically_relative(fs::current_path());
      t.path = !relative.empty() && *relative.begin() != ".." ? relative : path;
      if (command.update) {
        // The measured part is rewritten: a damaged one only needs the settings to be readable.
        try {
          t.baseline = read_baseline(path);
          t.measured = true;
        } catch (const Error& e) {
          t.baseline = read_baseline(path, true);
          t.unreadable = e.what();
        }
      } else {
        t.baseline = read_baseline(path);
        t.measured = true;
      }
      check_overrides(t.baseline.overrides, path.string());
      targets.push_back(std::move(t));
    }
    check_overrides(command.overrides, "command line");
  }

  // The run folders: a temporary folder, removed at the end unless --keep.
  TempRoot root;
  std::optional<FolderLock> keep_lock;
  if (!command.keep.empty()) {
    root.path = fs::absolute(command.keep);
    root.keep = true;
    if (fs::exists(root.path) && !fs::is_directory(root.path))
      fail("--keep {}: {} is a file, not a folder; choose another --keep", command.keep, root.path.string());
    create_folder(root.path, "--keep folder", "--keep");
    // Held until the check ends: two checks keeping runs in one folder would mix them.
    keep_lock.emplace(root.path, "--keep folder", "--keep");
    if (!keep_lock->stale_note().empty()) std::cerr << "note: " << keep_lock->stale_note() << "\n";
  } else {
    auto pattern = (fs::temp_directory_path() / "tailrec-check-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      fail("cannot create a temporary folder {} ({}); set TMPDIR to a writable folder or use --keep DIR", pattern,
           std::strerror(errno));
    root.path = pattern;
  }

  // One job per baseline and seed, all run together so they share the dataset and the splits.
  std::vector<SweepJob> jobs;
  std::vector<ExperimentPlan> plans;
  std::vector<std::pair<size_t, uint64_t>> owner;  // job -> (target, seed)
  for (size_t i = 0; i < targets.size(); ++i) {
    auto& t = targets[i];
    const auto dir = root.path / fmt::format("{}-{}", i, t.baseline.name);
    if (root.keep && fs::exists(dir) && !fs::is_directory(dir))
      fail("--keep {}: {} is a file, not a folder; remove it or choose another --keep", command.keep, dir.string());
    if (root.keep && fs::exists(dir) && !fs::is_empty(dir))
      fail("--keep {}: {} already holds runs; choose an empty folder", command.keep, dir.string());
    for (const auto seed : t.baseline.seeds) {
      SweepJob job;
      job.index = static_cast<int>(jobs.size());
      job.overrides = t.baseline.overrides;
      job.overrides.insert(job.overrides.end(), command.overrides.begin(), command.overrides.end());
      job.overrides.push_back(fmt::format("run.seed={}", seed));
      job.overrides.push_back("run.dir=" + (dir / std::to_string(seed)).string());
      job.swept = {fmt::format("run.seed={}", seed)};
      try {
        plans.push_back(plan_job(job, search));
      } catch (const Error& e) {
        if (init) throw;
        t.error = fmt::format("its overrides no longer make a valid config: {}", e.what());
        break;
      }
      t.jobs.push_back(jobs.size());
      jobs.push_back(std::move(job));
      owner.emplace_back(i, seed);
    }
    if (!t.error.empty()) {  // drop the jobs already planned for it
      plans.resize(plans.size() - t.jobs.size());
      jobs.resize(jobs.size() - t.jobs.size());
      owner.resize(owner.size() - t.jobs.size());
      t.jobs.clear();
    }
  }
  std::cerr << fmt::format("check: {} baseline{}, {} runs ({} at once) in {}\n", targets.size(),
                           targets.size() == 1 ? "" : "s", jobs.size(), command.jobs, root.path.string());
  const auto results = run_jobs_locally(jobs, plans, command.jobs, [&](const SweepJob& job, const JobResult& r) {
    const auto& [target, seed] = owner[static_cast<size_t>(job.index)];
    std::cerr << fmt::format("  {} seed {}: {} in {:.1f} s{}\n", targets[target].baseline.name, seed,
                             r.status == "COMPLETED" ? "done" : "FAILED", r.seconds,
                             r.status == "COMPLETED" ? "" : ": " + r.error);
  });

  // --update and --init write only when every run of every baseline completed: a failure never
  // leaves some baselines rewritten and others not.
  if (init || command.update)
    for (const auto& t : targets)
      for (const auto j : t.jobs)
        if (results[j].status != "COMPLETED")
          fail("baseline {} ({}): the run of seed {} failed: {}; nothing written", t.baseline.name, t.path.string(),
               owner[j].second, results[j].error);

  bool all_passed = true;
  size_t failed_baselines = 0, metric_count = 0;
  for (auto& t : targets) {
    std::vector<nlohmann::json> runs;
    for (const auto j : t.jobs) {
      t.run_seconds += results[j].seconds;
      if (results[j].status != "COMPLETED" && t.error.empty())
        t.error = fmt::format("the run of seed {} failed: {}", owner[j].second, results[j].error);
      runs.push_back(results[j].metrics);
    }
    if (!t.error.empty()) {
      std::cout << fmt::format("\nbaseline {} ({}): FAIL\n  {}\n", t.baseline.name, t.path.string(), escape_terminal(t.error, 4000));
      all_passed = false;
      ++failed_baselines;
      continue;
    }
    Baseline now = t.baseline;
    measure_baseline(now, runs, tailrec_home());
    now.recorded = recorded_now(t.run_seconds, command.jobs);

    if (init) {
      write_baseline(t.path, now);
      std::vector<std::vector<std::string>> rows;
      for (const auto& [label, a] : now.algorithms)
        for (const auto& [metric, m] : a.metrics) rows.push_back({label, metric, number(m.mean) + " ± " + number(m.std)});
      std::cout << format_table({"algorithm", "metric", "mean ± std"}, rows);
      std::cout << fmt::format("wrote {} ({} seeds, protocol {}, {:.1f} s of runs)\n", t.path.string(), now.seeds.size(),
                               now.protocol_hash, t.run_seconds);
      return 0;
    }
    if (command.update) {
      if (t.measured) {
        const auto c = compare_baseline(t.baseline, now);
        const bool unchanged = c.passed() && c.notes.empty() &&
                               std::all_of(c.metrics.begin(), c.metrics.end(), [](const MetricComparison& m) { return m.identical; });
        if (unchanged) {
          std::cout << fmt::format("\nbaseline {} ({}): unchanged (every value identical), not rewritten\n", t.baseline.name,
                                   t.path.string());
          continue;
        }
        report(t, c, command.verbose, true, command.overrides, std::cout);
      } else {
        std::cout << fmt::format("\nbaseline {} ({}): its measured part was unreadable ({}); rewritten\n", t.baseline.name,
                                 t.path.string(), t.unreadable);
      }
      write_baseline(t.path, now);
      continue;
    }
    const auto c = compare_baseline(t.baseline, now);
    metric_count += c.metrics.size();
    if (!report(t, c, command.verbose, false, command.overrides, std::cout)) {
      all_passed = false;
      ++failed_baselines;
    }
  }

  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (root.keep) std::cerr << fmt::format("run folders kept in {}\n", root.path.string());
  if (command.update) {
    std::cout << fmt::format("check --update: {} baseline{} measured in {:.1f} s\n", targets.size(),
                             targets.size() == 1 ? "" : "s", wall);
    return 0;
  }
  if (all_passed)
    std::cout << fmt::format("\ncheck: ok ({} baseline{}, {} metrics within tolerance, {:.1f} s)\n", targets.size(),
                             targets.size() == 1 ? "" : "s", metric_count, wall);
  else
    std::cout << fmt::format("\ncheck: FAIL ({} of {} baseline{} failed, {:.1f} s)\n", failed_baselines, targets.size(),
                             targets.size() == 1 ? "" : "s", wall);
  return all_passed ? 0 : 1;
}

CLI::App* add_check_subcommand(CLI::App& app, CheckCommand& command) {
  auto* cmd = app.add_subcommand("check", "Regression gates: rerun the committed baselines (results/baselines/) and fail when a metric moved");
  cmd->add_option("overrides", command.overrides,
                  "Extra overrides appended to every run (to try a change against the baselines; not with --update)");
  cmd->add_option("--baseline", command.baselines, "Baseline file (repeatable; default: every results/baselines/*.yaml)")
      ->allow_extra_args(false)
      ->type_name("FILE");
  cmd->add_flag("--update", command.update, "Rerun and rewrite the baselines (keeps name, description, overrides, seeds, tolerance)");
  cmd->add_option("--jobs", command.jobs, "Runs at once (default 1; each uses the baseline's run.threads)")->type_name("N");
  cmd->add_option("--keep", command.keep, "Keep the run folders under DIR (default: a temporary folder, removed)")->type_name("DIR");
  cmd->add_flag("-v,--verbose", command.verbose, "Show every metric, not only the failing ones");
  cmd->add_option("--init", command.init, "Create a new baseline FILE from the overrides (with --seeds, --description)")->type_name("FILE");
  cmd->add_option("--seeds", command.seeds, "--init: number of seeds, run.seed, run.seed+1, ... (default 3)")->type_name("N");
  cmd->add_option("--description", command.description, "--init: what the baseline guards");
  cmd->add_option("--config-dir", command.config_dirs, "Extra config folder, searched first (repeatable)")
      ->allow_extra_args(false)
      ->type_name("DIR");
  cmd->positionals_at_end(false);
  cmd->footer(R"(A baseline (results/baselines/NAME.yaml) holds an experiment's overrides, its seeds, a tolerance and the
metrics measured for every seed. check reruns it and fails (exit 1) when, for any algorithm and metric,
  |mean_now - mean_baseline| > max(tolerance.abs_floor, tolerance.z * std_baseline)
when an algorithm or metric is missing or new, or when the protocol hash (dataset, split recipe,
protocol, metric settings) or a seed's split changed. Exit 0: every baseline passed. See docs/check.md.
Examples:
  tailrec check                                      every committed baseline
  tailrec check --verbose algorithms.user_knn.k=20   what would this change do to the gates?
  tailrec check --baseline results/baselines/embedded.yaml --update
  tailrec check --init results/baselines/mine.yaml --seeds 3 algorithms=[user_knn,ease] run.threads=2)");
  return cmd;
}

}  // namespace tailrec
