#include "experiments/slurm_launcher.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "framework/run/run_folder.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

extern char** environ;

namespace tailrec {
namespace fs = std::filesystem;

std::string shell_quote(const std::string& word) {
  if (word.find('\0') != std::string::npos)
    fail("cannot pass '{}' to a Slurm job: it holds a NUL byte, which no command-line argument can carry",
         std::string_view(word.data(), word.find('\0')));
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string slurm_array_spec(const std::vector<SweepJob>& jobs, int max_parallel) {
  std::vector<int> indices;
  for (const auto& job : jobs) indices.push_back(job.index);
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::string spec;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!spec.empty()) spec += ',';
    spec += j == i ? std::to_string(indices[i]) : fmt::format("{}-{}", indices[i], indices[j]);
    i = j + 1;
  }
  if (max_parallel > 0) spec += fmt::format("%{}", max_parallel);
  return spec;
}

std::string parse_sbatch_job_id(const std::string& output) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const auto digits = std::min(line.find(';'), line.size());
    if (digits == 0 || !std::all_of(line.begin(), line.begin() + static_cast<long>(digits),
                                    [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    return line.substr(0, digits);
  }
  return "";
}

namespace {

// The environment variable a Slurm task passes its salt in (config interpolation ${env:...}).
constexpr const char* kSaltVariable = "TAILREC_ANONYMIZE_SALT";

// An #SBATCH value in double quotes: sbatch's own parser takes quotes and backslash escapes, and
// an unquoted '#' would start a comment.
std::string sbatch_quote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

void check_one_line(const std::string& key, const std::string& value) {
  if (value.find_first_of("\n\r") != std::string::npos)
    fail("{}='{}': a line break cannot go into an #SBATCH line; give the value on one line", key, value);
}

struct CommandResult {
  int status = 0;  // exit status, or 128 + signal
  std::string output;  // stdout and stderr together
};

// Runs argv[0] (searched in PATH) without a shell and captures its output.
CommandResult run_command_capture(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) fail("cannot create a pipe to run {}: {}", argv[0], std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    fail("cannot run {}: {}{}", argv[0], std::strerror(spawned),
         spawned == ENOENT ? " (is Slurm installed on this machine? set launcher.sbatch to its path, "
                             "or see scripts/slurm_local.sh for a local test cluster)"
                           : "");
  }
  CommandResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& a : argv) {
    if (!text.empty()) text += ' ';
    text += shell_quote(a);
  }
  return text;
}

bool is_final_state(const std::string& state) {
  static const char* final_states[] = {"BOOT_FAIL", "CANCELLED", "COMPLETED",  "DEADLINE", "FAILED",
                                       "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "REVOKED", "TIMEOUT"};
  return std::any_of(std::begin(final_states), std::end(final_states), [&](const char* s) { return state == s; });
}

// Array tasks of `job_id` still queued or running; -1 when squeue failed (output in `error`).
// `states` gets each task's state by array index.
int unfinished_tasks(const std::string& squeue, const std::string& job_id, const std::string& cluster,
                     std::map<int, std::string>& states, std::string& error) {
  std::vector<std::string> argv = {squeue, "--noheader", "--array", "--jobs=" + job_id, "--states=all",
                                   "--format=%i %T"};
  if (!cluster.empty()) argv.push_back("--clusters=" + cluster);
  const auto result = run_command_capture(argv);
  if (result.status != 0) {
    // A job that ended long ago (MinJobAge) is forgotten: nothing left to wait for.
    if (result.output.find("Invalid job id") != std::string::npos) return 0;
    error = fmt::format("{} exited with status {}: {}", command_text(argv), result.status, result.output);
    return -1;
  }
  int unfinished = 0;
  std::istringstream lines(result.output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string id, state;
    // Job lines only: with --clusters, squeue adds a "CLUSTER: name" line.
    if (!(fields >> id >> state) || id[0] < '0' || id[0] > '9') continue;
    if (!is_final_state(state)) ++unfinished;
    const auto underscore = id.find('_');
    if (underscore != std::string::npos && id.find('[') == std::string::npos)
      states[std::atoi(id.c_str() + underscore + 1)] = state;
  }
  return unfinished;
}

// A task that ended without a result and without error.txt (cancelled while pending, killed with
// its node, purged) gets one, so the sweep index says FAILED rather than PENDING forever.
void mark_jobs_without_result(const fs::path& sweep_dir, const std::vector<SweepJob>& jobs, const std::string& job_id,
                              const std::map<int, std::string>& states) {
  for (const auto& job : jobs) {
    const auto dir = sweep_dir / std::to_string(job.index);
    if (RunFolder::is_complete(dir) || fs::exists(dir / "error.txt")) continue;
    const auto state = states.find(job.index);
    std::error_code ec;
    fs::create_directories(dir, ec);
    write_file_atomically(dir / "error.txt",
                          fmt::format("Slurm job {}_{} ended{} without a result; see `sacct -j {}_{}` and {}\n", job_id,
                                      job.index, state == states.end() ? "" : " as " + state->second, job_id,
                                      job.index, (sweep_dir / "slurm" / fmt::format("{}_{}.out", job_id, job.index)).string()));
  }
}

}  // namespace

std::string sbatch_script(const fs::path& sweep_dir, const std::vector<SweepJob>& jobs, const fs::path& program,
                          const std::vector<fs::path>& config_dirs, const SlurmSettings& settings) {
  if (jobs.empty()) fail("a Slurm sweep needs at least one job; the sweep in {} has none", sweep_dir.string());
  if (settings.cpus_per_task < 1)
    fail("launcher.cpus_per_task={}: give at least 1", settings.cpus_per_task);
  if (settings.max_parallel < 0)
    fail("launcher.max_parallel={}: give 0 (no limit) or a positive number of jobs at once", settings.max_parallel);
  for (const auto& job : jobs)
    if (job.index < 0) fail("sweep job index {} is negative; Slurm array indices start at 0", job.index);
  const auto sweep = fs::absolute(sweep_dir).lexically_normal();
  const auto log_dir = sweep / "slurm";
  check_one_line("sweep.dir", sweep.string());
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"launcher.time", settings.time},
                                  {"launcher.partition", settings.partition},
                                  {"launcher.mem", settings.mem},
                                  {"launcher.gres", settings.gres}})
    check_one_line(key, value);

  std::string s = "#!/bin/bash\n";
  s += fmt::format("# tailrec sweep: {} job(s) as one Slurm job array, written by `tailrec run --multirun "
                   "launcher=slurm`.\n# Array task n runs job n of multirun.yaml into {}/n/; Slurm's output "
                   "(stdout and stderr)\n# goes to {}/<array job id>_<n>.out.\n",
                   jobs.size(), sweep.string(), log_dir.string());
  s += "#SBATCH --job-name=tailrec-sweep\n";
  s += "#SBATCH --array=" + slurm_array_spec(jobs, settings.max_parallel) + "\n";
  s += "#SBATCH --output=" + sbatch_quote((log_dir / "%A_%a.out").string()) + "\n";
  s += fmt::format("#SBATCH --cpus-per-task={}\n", settings.cpus_per_task);
  if (!settings.time.empty()) s += "#SBATCH --time=" + sbatch_quote(settings.time) + "\n";
  if (!settings.partition.empty()) s += "#SBATCH --partition=" + sbatch_quote(settings.partition) + "\n";
  if (!settings.mem.empty()) s += "#SBATCH --mem=" + sbatch_quote(settings.mem) + "\n";
  if (!settings.gres.empty()) s += "#SBATCH --gres=" + sbatch_quote(settings.gres) + "\n";
  for (const auto& line : settings.extra) {
    check_one_line("launcher.extra", line);
    if (line.rfind("-", 0) != 0)
      fail("launcher.extra: '{}' is not an sbatch option; write the option itself, e.g. "
           "launcher.extra=['--account=abc']",
           line);
    // "--comment=two words" needs quotes for sbatch; a value the user quoted stays as written.
    const auto eq = line.find('=');
    if (eq == std::string::npos || line[eq + 1] == '"' || line[eq + 1] == '\'')
      s += fmt::format("#SBATCH {}\n", line);
    else
      s += fmt::format("#SBATCH {}={}\n", line.substr(0, eq), sbatch_quote(line.substr(eq + 1)));
  }

  s += "\nset -euo pipefail\n";
  s += "salt_file=\n";
  s += "case \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}\" in\n";
  for (const auto& job : jobs) {
    s += fmt::format("  {}) set --", job.index);
    for (const auto& o : job.overrides) s += fmt::format(" {}", shell_quote(o));
    if (!job.salt.empty())
      s += fmt::format(" {}; salt_file={}", shell_quote(std::string("run.anonymize_salt=${env:") + kSaltVariable + "}"),
                       shell_quote(job_salt_path(sweep, job.index).string()));
    s += " ;;\n";
  }
  s += "  *) echo \"tailrec sweep: no job $SLURM_ARRAY_TASK_ID in this script\" >&2; exit 2 ;;\nesac\n";
  s += "# The anonymisation salt stays in the sweep's private/ folder (mode 0700), never in this script.\n";
  s += fmt::format("if [ -n \"$salt_file\" ]; then {0}=\"$(cat -- \"$salt_file\")\"; export {0}; fi\n", kSaltVariable);
  s += "job_dir=" + shell_quote(sweep.string()) + "/\"$SLURM_ARRAY_TASK_ID\"\n";
  s += "log=" + shell_quote(log_dir.string()) + "/\"${SLURM_ARRAY_JOB_ID:-0}_$SLURM_ARRAY_TASK_ID.out\"\n";
  s += "# An error.txt left by an earlier attempt would mark this one failed.\n";
  s += "rm -f \"$job_dir/error.txt\"\n";
  s += "# Slurm sends SIGTERM at the time limit and on scancel; note it, so the job reads as failed.\n";
  s += "signal=\ntrap 'signal=\" (SIGTERM: time limit reached or scancel)\"' TERM\n";
  s += "status=0\n";
  s += shell_quote(fs::absolute(program).string()) + " run";
  for (const auto& dir : config_dirs) s += fmt::format(" --config-dir {}", shell_quote(fs::absolute(dir).string()));
  s += " -- \"$@\" || status=$?\n";
  s += "if [ \"$status\" -ne 0 ] && [ ! -e \"$job_dir/error.txt\" ]; then\n";
  s += "  mkdir -p \"$job_dir\"\n";
  s += "  # tailrec's own error line, or slurmstepd's (\"*** JOB 12 ON n1 CANCELLED ... DUE TO TIME LIMIT ***\").\n";
  s += "  reason=\"$(grep -E '^(internal )?error: |error: \\*\\*\\* JOB' \"$log\" 2>/dev/null | tail -n 1 || true)\"\n";
  s += "  printf 'tailrec exited with status %s%s in Slurm job %s_%s on %s\\n%s\\nlog: %s\\n' \"$status\" "
       "\"$signal\" \\\n    \"${SLURM_ARRAY_JOB_ID:-?}\" \"$SLURM_ARRAY_TASK_ID\" \"$(hostname)\" \"$reason\" \"$log\" "
       ">\"$job_dir/error.txt.part\"\n";
  s += "  mv -f \"$job_dir/error.txt.part\" \"$job_dir/error.txt\"  # whole or absent, like every result file\n";
  s += "fi\n";
  s += "exit \"$status\"\n";
  return redact_salts(s, jobs);  // no copy of a salt anywhere else in the text either
}

std::string submit_slurm_array(const fs::path& sweep_dir, const std::vector<SweepJob>& jobs, const fs::path& program,
                               const std::vector<fs::path>& config_dirs, const SlurmSettings& settings, Logger& log,
                               std::chrono::milliseconds poll_interval) {
  const auto script = sbatch_script(sweep_dir, jobs, program, config_dirs, settings);
  const auto log_dir = fs::absolute(sweep_dir).lexically_normal() / "slurm";
  std::error_code ec;
  fs::create_directories(log_dir, ec);  // Slurm does not create the --output folder
  if (ec) fail("cannot create {} for the Slurm job output: {}", log_dir.string(), ec.message());
  const auto script_path = log_dir / "sweep.sbatch";
  write_file_atomically(script_path, script);

  const std::vector<std::string> argv = {settings.sbatch, "--parsable", script_path.string()};
  const auto result = run_command_capture(argv);
  int max_index = 0;
  for (const auto& job : jobs) max_index = std::max(max_index, job.index);
  const auto hint = max_index > 1000 ? fmt::format("\nhint: job indices go up to {}; Slurm's MaxArraySize "
                                                   "(default 1001) allows indices 0..MaxArraySize-1 only: "
                                                   "ask the admins to raise it, or split the sweep",
                                                   max_index)
                                     : std::string();
  if (result.status != 0)
    fail("the Slurm submission failed: {} exited with status {}:\n{}{}", command_text(argv), result.status,
         result.output, hint);
  const auto job_id = parse_sbatch_job_id(result.output);
  if (job_id.empty())
    fail("the Slurm submission gave no job id: {} printed:\n{}\n(expected `--parsable` output such as 12345)",
         command_text(argv), result.output);
  log.info("submitted {} job(s) as Slurm job array {} ({})", jobs.size(), job_id, script_path.string());
  if (!settings.wait) return job_id;

  // "12345;cluster" (a multi-cluster site): squeue must ask that cluster.
  std::string cluster;
  if (const auto at = result.output.find(job_id + ";"); at != std::string::npos) {
    const auto start = at + job_id.size() + 1;
    cluster = result.output.substr(start, result.output.find_first_of("\r\n", start) - start);
  }
  // squeue sits beside sbatch when launcher.sbatch names a path.
  const auto sbatch_folder = fs::path(settings.sbatch).parent_path();
  const auto squeue = sbatch_folder.empty() ? std::string("squeue") : (sbatch_folder / "squeue").string();
  // squeue failing now and then (slurmctld restarting) is no reason to give up; a long outage is.
  const auto patience = std::chrono::minutes(10);
  auto failing_since = std::chrono::steady_clock::time_point{};
  int last = -1;
  std::map<int, std::string> states;
  for (;;) {
    std::string error;
    const int left = unfinished_tasks(squeue, job_id, cluster, states, error);
    if (left == 0) break;
    if (left < 0) {
      const auto now = std::chrono::steady_clock::now();
      if (failing_since == std::chrono::steady_clock::time_point{}) failing_since = now;
      if (now - failing_since > patience)
        fail("lost track of Slurm job {}: {} (the jobs may still run: check `squeue -j {}`, then collect the "
             "results with `tailrec report {}`)",
             job_id, error, job_id, sweep_dir.string());
    } else {
      failing_since = {};
      if (left != last) log.info("Slurm job {}: {} of {} job(s) pending or running", job_id, left, jobs.size());
      last = left;
    }
    std::this_thread::sleep_for(poll_interval);
  }
  mark_jobs_without_result(fs::absolute(sweep_dir).lexically_normal(), jobs, job_id, states);
  log.info("Slurm job {}: all {} job(s) ended", job_id, jobs.size());
  return job_id;
}

}  // namespace tailrec
