#pragma once
// launcher=local: a sweep's jobs run inside this process, `parallel` at a time, sharing the work
// they have in common (framework/run/shared_work.hpp): the dataset is loaded once, each split made
// once, BERT item embeddings computed once. A job that throws is recorded in its folder's
// error.txt and the others go on. Used by `tailrec run --multirun`, `tailrec tune` and `tailrec check`.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "experiments/sweep.hpp"
#include "framework/run/runner.hpp"

namespace tailrec {

class SharedWork;

// Composes and validates one job's config (strict, as `tailrec run` does), with job.salt (when
// set) appended as run.anonymize_salt. Errors name the job. `config_hash` gets job_config_hash.
ExperimentPlan plan_job(const SweepJob& job, const std::vector<std::filesystem::path>& search_path,
                        std::string* config_hash = nullptr);
// The override that sets `salt` as run.anonymize_salt, quoted so YAML reads it as the exact text.
std::string salt_override(const std::string& salt);

struct JobResult {
  std::string status;   // COMPLETED or FAILED
  std::string error;    // FAILED: the message
  double seconds = 0;
  nlohmann::json metrics;  // COMPLETED: metrics.json
};

// Runs plans[i] as jobs[i]. `on_end` is called after each job, one call at a time, in the order
// jobs end. Returns the results in job order. `shared` carries work over to a later call (tune's
// final run reuses its trials' dataset and split); null: shared among these jobs only.
std::vector<JobResult> run_jobs_locally(const std::vector<SweepJob>& jobs, std::vector<ExperimentPlan>& plans,
                                        int parallel,
                                        const std::function<void(const SweepJob&, const JobResult&)>& on_end,
                                        SharedWork* shared = nullptr);

}  // namespace tailrec
