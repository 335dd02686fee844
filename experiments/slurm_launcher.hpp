#pragma once
// launcher=slurm: a sweep as one Slurm job array. The sbatch script (<sweep dir>/slurm/sweep.sbatch)
// holds one override set per array index, every value shell-quoted, and runs `tailrec run` with
// it; each job writes its own run folder <sweep dir>/<n>/ exactly as the local launcher does, so
// `tailrec report` reads both alike. See docs/slurm.md.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/sweep.hpp"

namespace tailrec {

class Logger;

// The script text. `program` is the absolute path of the tailrec binary, `config_dirs` the
// --config-dir folders (absolute). The array indices are the jobs' own indices (a resumed sweep
// submits only the jobs left, e.g. --array=1,3-5); task n runs job n into <sweep dir>/<n>/ and,
// when tailrec fails or is killed (time limit, scancel), writes <sweep dir>/<n>/error.txt with the
// exit status and the last `error:` line. Slurm's output goes to <sweep dir>/slurm/%A_%a.out.
std::string sbatch_script(const std::filesystem::path& sweep_dir, const std::vector<SweepJob>& jobs,
                          const std::filesystem::path& program,
                          const std::vector<std::filesystem::path>& config_dirs, const SlurmSettings& settings);

// Writes the script, submits it with `sbatch --parsable` and returns the array's job id. With
// settings.wait, waits until every array task has left the queue (polling `squeue` every
// `poll_interval`; squeue is taken from settings.sbatch's folder when that names one), then gives
// each job that ended with neither metrics.json nor error.txt (cancelled while pending, lost with
// its node) an error.txt naming its last Slurm state, and returns.
// Errors (sbatch missing, rejected submission) name the command and its output.
std::string submit_slurm_array(const std::filesystem::path& sweep_dir, const std::vector<SweepJob>& jobs,
                               const std::filesystem::path& program,
                               const std::vector<std::filesystem::path>& config_dirs, const SlurmSettings& settings,
                               Logger& log, std::chrono::milliseconds poll_interval = std::chrono::seconds(2));

// Quotes a word for bash: 'it'\''s' style; safe for any byte string without NUL (argv cannot hold
// one: refused).
std::string shell_quote(const std::string& word);

// The --array value for these job indices: runs of consecutive indices as ranges ("0-3", "1,3-5"),
// with "%max_parallel" appended when it is positive.
std::string slurm_array_spec(const std::vector<SweepJob>& jobs, int max_parallel);

// The job id in `sbatch --parsable` output ("12345" or "12345;cluster" on a line of its own, among
// any warnings); empty when there is none.
std::string parse_sbatch_job_id(const std::string& output);

}  // namespace tailrec
