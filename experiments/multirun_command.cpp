// `tailrec run --multirun` and `tailrec run --multirun --resume DIR`: expand the sweep, compose and
// validate every job, write multirun.yaml, then hand the jobs to the local or the Slurm launcher.
#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "experiments/local_launcher.hpp"
#include "experiments/slurm_launcher.hpp"
#include "experiments/sweep.hpp"
#include "framework/config/config.hpp"
#include "framework/util/error.hpp"
#include "framework/util/escape.hpp"
#include "framework/util/folder_lock.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

// Ctrl-C: every finished job is already whole on disk (metrics.json is written last, sweep.jsonl
// atomically), so the process only says how to resume and dies by the signal.
char g_interrupt_message[4096];
char g_lock_file[4096];  // the sweep's lock file, removed on the way out (the kernel drops the flock)
void on_interrupt(int signal) {
  const auto written = ::write(STDERR_FILENO, g_interrupt_message, std::strlen(g_interrupt_message));
  (void)written;
  if (g_lock_file[0]) ::unlink(g_lock_file);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

std::string metric_summary(const nlohmann::json& metrics) {
  std::vector<std::string> parts;
  for (const auto& [label, a] : metrics.at("algorithms").items()) {
    const auto& values = a.at("metrics");
    if (values.empty()) continue;
    // ndcg (the first cut-off) when measured, else the first metric by name.
    auto shown = values.begin();
    for (auto it = values.begin(); it != values.end(); ++it)
      if (starts_with(it.key(), "ndcg") || starts_with(it.key(), "imp_ndcg")) {
        shown = it;
        break;
      }
    parts.push_back(fmt::format("{} {}={}", label, shown.key(),
                                shown.value().is_number() ? fmt::format("{:.4f}", shown.value().get<double>()) : "n/a"));
    if (parts.size() == 3) {
      parts.push_back("...");
      break;
    }
  }
  return join(parts, ", ");
}

// The jobs without a complete run folder, each composed and validated (before any job starts).
struct PlannedJobs {
  std::vector<SweepJob> todo;
  std::vector<ExperimentPlan> plans;
};

// A new sweep's jobs, each planned; every salt moved out of the overrides (redact_salts) and the
// config hash recorded. A salt whose value also appears elsewhere in a job's overrides cannot be
// redacted without changing the job: refused (the hashes before and after differ).
PlannedJobs plan_new_sweep(std::vector<SweepJob>& jobs, const std::vector<fs::path>& search) {
  PlannedJobs p;
  std::vector<std::string> salts;
  for (auto& job : jobs) {
    p.plans.push_back(plan_job(job, search, &job.config_hash));
    salts.push_back(p.plans.back().anonymize_salt);
  }
  redact_salts(jobs, salts);
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].salt.empty()) continue;
    std::string hash;
    try {
      p.plans[i] = plan_job(jobs[i], search, &hash);
    } catch (const Error&) {
      hash.clear();  // the redaction broke another override: said below
    }
    if (hash != jobs[i].config_hash)
      fail("sweep job {}: the value of run.anonymize_salt also appears elsewhere in its overrides, so it cannot be "
           "kept out of the sweep's files; choose a salt that appears nowhere else (e.g. a long random one)",
           jobs[i].index);
  }
  p.todo = jobs;
  return p;
}

// A job folder that another process holds (a Slurm task of this sweep still running, a run
// locking its folder) must not be emptied: fail before anything starts.
void check_job_folder_free(const fs::path& job_dir) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(job_dir, ec))) return;
  if (!fs::is_directory(fs::symlink_status(job_dir, ec)))
    fail("sweep job folder {} is not a folder (a file or link stands in its way); remove it, then resume",
         job_dir.string());
  // Taken and let go at once: only whether someone holds it matters (a Slurm task: see squeue).
  FolderLock probe(job_dir, "sweep job folder", "sweep to resume");
}

// A resumed sweep's unfinished jobs, planned. Every job's composed config is compared with the
// hash recorded when the sweep was made: a difference (a config file edited since) is refused
// unless `accept_changed`.
PlannedJobs plan_resumed(const fs::path& dir, const std::vector<SweepJob>& all_jobs, const std::vector<fs::path>& search,
                         bool accept_changed) {
  PlannedJobs p;
  std::vector<std::string> changed;
  bool unrecorded = false;
  for (const auto& job : all_jobs) {
    const bool done = job_status(dir / std::to_string(job.index)) == "COMPLETED";
    std::string hash;
    if (done) {
      auto overrides = job.overrides;
      if (!job.salt.empty()) overrides.push_back(salt_override(job.salt));
      try {
        hash = job_config_hash(compose({search, overrides, "config"}));
      } catch (const Error& e) {
        hash = "(" + std::string(e.what()) + ")";
      }
    } else {
      check_job_folder_free(dir / std::to_string(job.index));
      p.todo.push_back(job);
      p.plans.push_back(plan_job(job, search, &hash));
    }
    if (job.config_hash.empty()) unrecorded = true;
    else if (hash != job.config_hash) changed.push_back(std::to_string(job.index));
  }
  if (!changed.empty() && !accept_changed)
    fail("sweep {}: the config of job{} {} now composes differently from when the sweep was made (a config file, "
         "a --config-dir folder or a default changed since); resume with --resume-changed to run the unfinished jobs "
         "with the config as it is now, or start a new sweep",
         dir.string(), changed.size() == 1 ? "" : "s", join(changed, ", "));
  if (!changed.empty())
    std::cerr << fmt::format("note: --resume-changed: job{} {} now compose{} differently from when the sweep was made\n",
                             changed.size() == 1 ? "" : "s", join(changed, ", "), changed.size() == 1 ? "s" : "");
  if (unrecorded)
    std::cerr << "note: this sweep's multirun.yaml records no config hashes (written by an older tailrec): a config "
                 "changed since cannot be detected\n";
  return p;
}

int run_sweep(const fs::path& dir, const std::vector<SweepJob>& all_jobs, const std::vector<fs::path>& config_dirs,
              const SweepSettings& settings, PlannedJobs planned, const FolderLock& lock) {
  if (!lock.stale_note().empty()) std::cerr << "note: " << lock.stale_note() << "\n";
  if (lock.path().string().size() < sizeof g_lock_file) std::snprintf(g_lock_file, sizeof g_lock_file, "%s", lock.path().c_str());
  auto& todo = planned.todo;
  auto& plans = planned.plans;
  // sweep.jsonl: every job's line read once here; a line is refreshed when its job ends.
  std::vector<nlohmann::json> index;
  for (const auto& job : all_jobs) index.push_back(sweep_index_line(dir, job));
  write_sweep_index(dir, index);
  std::cerr << fmt::format("sweep {}: {} jobs, {} to run, launcher {}{}\n", dir.string(), all_jobs.size(), todo.size(),
                           settings.launcher,
                           settings.launcher == "local" ? fmt::format(" ({} at a time)", settings.jobs) : "");
  if (settings.launcher == "slurm")
    std::snprintf(g_interrupt_message, sizeof g_interrupt_message,
                  "\ninterrupted: the Slurm array keeps running (its id is printed above; scancel ID stops it). "
                  "Once squeue no longer lists it: tailrec report %s, or tailrec run --multirun --resume %s for "
                  "the unfinished jobs\n",
                  dir.c_str(), dir.c_str());
  else
    std::snprintf(g_interrupt_message, sizeof g_interrupt_message,
                  "\ninterrupted: finished jobs are kept; run the rest with: tailrec run --multirun --resume %s\n",
                  dir.c_str());
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);

  int failed = 0;
  if (settings.launcher == "slurm") {
    std::vector<fs::path> absolute_dirs;
    for (const auto& d : config_dirs) absolute_dirs.push_back(fs::absolute(d));
    Logger log;
    const auto id = submit_slurm_array(dir, todo, fs::read_symlink("/proc/self/exe"), absolute_dirs, settings.slurm, log);
    if (!settings.slurm.wait) {
      std::cerr << fmt::format("submitted Slurm array job {} ({} tasks); follow it with squeue -j {}, then: tailrec report {}\n",
                               id, todo.size(), id, dir.string());
      std::cout << dir.string() << std::endl;
      g_lock_file[0] = '\0';
      return 0;
    }
    for (size_t i = 0; i < all_jobs.size(); ++i) index[i] = sweep_index_line(dir, all_jobs[i]);
    write_sweep_index(dir, index);
    for (const auto& job : todo) {
      const auto status = job_status(dir / std::to_string(job.index));
      if (status != "COMPLETED") ++failed;
      std::cerr << fmt::format("job {} {}: {}\n", job.index, status, escape_terminal(join(job.swept, " ")));
    }
  } else {
    size_t done = 0;
    run_jobs_locally(todo, plans, settings.jobs, [&](const SweepJob& job, const JobResult& result) {
      ++done;
      for (size_t i = 0; i < all_jobs.size(); ++i)
        if (all_jobs[i].index == job.index) index[i] = sweep_index_line(dir, job);
      write_sweep_index(dir, index);
      if (result.status != "COMPLETED") ++failed;
      std::cerr << fmt::format("[{}/{}] job {} {} in {:.1f} s: {}{}\n", done, todo.size(), job.index, result.status,
                               result.seconds, job.swept.empty() ? "(no swept values)" : escape_terminal(join(job.swept, " ")),
                               result.status == "COMPLETED" ? "  ->  " + metric_summary(result.metrics)
                                                            : "\n    error: " + escape_terminal(result.error, 4000));
    });
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_lock_file[0] = '\0';
  std::cerr << fmt::format("sweep done: {} of {} jobs completed{}; index: {}\n", all_jobs.size() - static_cast<size_t>(failed),
                           all_jobs.size(), failed ? fmt::format(", {} failed (errors in sweep.jsonl and <job>/error.txt; "
                                                                 "rerun them with --resume)", failed)
                                                   : "",
                           (dir / "sweep.jsonl").string());
  std::cout << dir.string() << std::endl;
  return failed ? 1 : 0;
}

}  // namespace

int multirun_command(const RunCommand& command) {
  if (!command.resume.empty()) {
    if (!command.overrides.empty() || !command.config_dirs.empty())
      fail("--resume {} takes no overrides or --config-dir: a sweep resumes with the settings in its multirun.yaml",
           command.resume);
    const fs::path dir = fs::absolute(command.resume).lexically_normal();
    if (fs::exists(dir) && !fs::is_directory(dir))
      fail("--resume {}: {} is a file, not a sweep folder; give the folder tailrec run --multirun printed",
           command.resume, dir.string());
    if (!fs::exists(dir / "multirun.yaml")) read_multirun_yaml(dir);  // its "not a sweep folder" error
    // Held until the sweep ends: a second resume of the same sweep would empty this one's job folders.
    const FolderLock lock(dir, "sweep folder", "sweep");
    auto file = read_multirun_yaml(dir);
    if (file.jobs.empty()) fail("{}: the sweep lists no jobs", (dir / "multirun.yaml").string());
    for (auto& job : file.jobs)
      if (job.salt_in_private) job.salt = read_job_salt(dir, job.index);
    const auto search = config_search_path(file.config_dirs);
    auto first_overrides = file.jobs.front().overrides;
    if (!file.jobs.front().salt.empty()) first_overrides.push_back(salt_override(file.jobs.front().salt));
    Config first = compose({search, first_overrides, "config"});
    const auto settings = read_sweep_settings(first);
    auto planned = plan_resumed(dir, file.jobs, search, command.resume_changed);
    return run_sweep(dir, file.jobs, file.config_dirs, settings, std::move(planned), lock);
  }

  const auto search = config_search_path(command.config_dirs);
  for (const auto& o : command.overrides) {
    const auto key = override_key(o);
    if (key == "run.dir")
      fail("override '{}': a sweep gives each job its own folder <sweep.dir>/<n>; set the sweep's folder with sweep.dir=PATH", o);
    if (o.find("=interval(") != std::string::npos)
      fail("override '{}': interval() is a range for random search; use it with tailrec tune --search random, or "
           "sweep listed values (key=a,b,c) or range()", o);
    if (is_sweep_override(o) && (starts_with(key, "sweep.") || starts_with(key, "launcher") || key == "sweep"))
      fail("override '{}': the sweep's own settings cannot be swept", o);
  }
  // The sweep's settings come from the config of the first combination (they cannot vary).
  std::vector<std::string> first_overrides;
  for (const auto& o : command.overrides) first_overrides.push_back(expand_override(o).front());
  Config first = compose({search, first_overrides, "config"});
  auto settings = read_sweep_settings(first);
  if (!settings.seeds.empty())
    for (const auto& o : command.overrides)
      if (starts_with(o, "run.seed="))
        fail("override '{}': sweep.seeds sets run.seed for each job; drop one of the two", o);
  const fs::path dir = fs::absolute(settings.dir).lexically_normal();
  const auto already_used = [&] {
    fail("sweep folder {} already exists and is not empty; resume it with tailrec run --multirun --resume {}, or "
         "choose another sweep.dir", dir.string(), dir.string());
  };
  if (fs::exists(dir) && !fs::is_directory(dir))
    fail("sweep.dir={}: {} is a file, not a folder; choose another sweep.dir", settings.dir.string(), dir.string());
  if (fs::exists(dir) && !fs::is_empty(dir)) already_used();
  auto jobs = expand_sweep(command.overrides, settings.seeds, dir);
  // sweep.dir stays in the command line only: a job's config must not name the folder the sweep
  // was made in, which it may leave (moved, copied) before it resumes.
  for (auto& job : jobs)
    job.overrides.erase(std::remove_if(job.overrides.begin(), job.overrides.end(),
                                       [](const std::string& o) { return override_key(o) == "sweep.dir"; }),
                        job.overrides.end());
  // Every job is validated before the folder is created.
  auto planned = plan_new_sweep(jobs, search);
  create_folder(dir, "sweep folder", "sweep.dir");
  const FolderLock lock(dir, "sweep folder", "sweep.dir");
  // Another sweep may have filled the folder between the check above and the lock.
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != FolderLock::file_name) already_used();
  for (const auto& job : jobs)
    if (!job.salt.empty()) write_job_salt(dir, job);
  std::vector<std::string> command_line{"tailrec", "run", "--multirun"};
  std::vector<fs::path> config_dirs;
  for (const auto& d : command.config_dirs) {
    config_dirs.push_back(fs::absolute(d));
    command_line.push_back("--config-dir=" + fs::absolute(d).string());
  }
  command_line.insert(command_line.end(), command.overrides.begin(), command.overrides.end());
  write_multirun_yaml(dir, command_line, config_dirs, settings, jobs);
  return run_sweep(dir, jobs, config_dirs, settings, std::move(planned), lock);
}

}  // namespace tailrec
