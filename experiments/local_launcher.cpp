#include "experiments/local_launcher.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "experiments/register_all.hpp"
#include "framework/run/run_folder.hpp"
#include "framework/run/shared_work.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace fs = std::filesystem;

std::string salt_override(const std::string& salt) {
  std::string quoted = "'";
  for (char c : salt) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return "run.anonymize_salt=" + quoted + "'";
}

ExperimentPlan plan_job(const SweepJob& job, const std::vector<fs::path>& search_path, std::string* config_hash) {
  try {
    auto overrides = job.overrides;
    if (!job.salt.empty()) overrides.push_back(salt_override(job.salt));
    Config config = compose({search_path, overrides, "config"});
    if (config_hash) *config_hash = job_config_hash(config);
    auto plan = plan_experiment(config, registries(), search_path);
    plan.progress = false;  // jobs run side by side: one line per job instead of progress bars
    return plan;
  } catch (const Error& e) {
    fail("sweep job {} ({}): {}", job.index, job.swept.empty() ? "no swept values" : join(job.swept, " "), e.what());
  }
}

std::vector<JobResult> run_jobs_locally(const std::vector<SweepJob>& jobs, std::vector<ExperimentPlan>& plans,
                                        int parallel,
                                        const std::function<void(const SweepJob&, const JobResult&)>& on_end,
                                        SharedWork* shared) {
  std::vector<JobResult> results(jobs.size());
  SharedWork own;
  if (!shared) shared = &own;
  std::atomic<size_t> next{0};
  std::mutex end_mutex;
  const auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      const auto& job = jobs[i];
      auto& result = results[i];
      const auto t0 = std::chrono::steady_clock::now();
      // A rerun (resume) starts from an empty folder: nothing of the interrupted attempt remains.
      std::error_code ec;
      if (!RunFolder::is_complete(plans[i].run_dir)) fs::remove_all(plans[i].run_dir, ec);
      try {
        Logger log;
        log.set_quiet(true);  // each job's lines go to its own run.log
        result.metrics = run_experiment(plans[i], registries(), log, shared).metrics;
        result.status = "COMPLETED";
      } catch (const std::exception& e) {
        result.status = "FAILED";
        result.error = redact_salts(e.what(), {job});  // error.txt and the terminal never show the salt
        try {
          fs::create_directories(plans[i].run_dir);
          write_file_atomically(plans[i].run_dir / "error.txt", result.error + "\n");
        } catch (const std::exception&) {
          // The error is still in sweep.jsonl through on_end; a folder that cannot be written is reported there.
        }
      }
      result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::lock_guard lock(end_mutex);
      on_end(job, result);
    }
  };
  const int threads = std::max(1, std::min<int>(parallel, static_cast<int>(jobs.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return results;
}

}  // namespace tailrec
