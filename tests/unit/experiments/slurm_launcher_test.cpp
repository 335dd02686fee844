// The Slurm launcher without a cluster: quoting checked by real bash, the sbatch script checked by
// `bash -n` and by running its body as array task k with a stand-in program that prints its
// arguments, and submission against stand-in sbatch/squeue scripts. The real cluster run is
// tests/integration/slurm_sweep.sh.
#include "experiments/slurm_launcher.hpp"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <functional>

#include <gtest/gtest.h>

#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Runs a shell command line; returns its exit status and stdout.
int run_shell(const std::string& command, std::string& out) {
  out.clear();
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> split_nul(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\0') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

void make_executable(const fs::path& path) {
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, fs::perm_options::replace);
}

const std::vector<std::string>& nasty_strings() {
  static const std::vector<std::string> strings = [] {
    std::vector<std::string> s = {"plain", "", "it's", "'", "''", "a b", "  two  spaces ", "$HOME", "${x:-y}",
                                  "`id`", "$(echo hi)", "line1\nline2", "tab\there", "[a, b]", "{name: x}",
                                  "\"double\"", "back\\slash", "\\'", "*", "?", "~", "!x", "!!", "-n", "--",
                                  "a;b|c&d>e<f", "#hash", "algorithms=[most_popular]", "k=v'w\"x`y$z",
                                  "ü日本", "\r", "end\\"};
    std::string all_bytes;
    for (int c = 1; c < 256; ++c) all_bytes += static_cast<char>(c);
    s.push_back(all_bytes);
    return s;
  }();
  return strings;
}

TEST(SlurmLauncher, ShellQuoteRoundTripsThroughBash) {
  // bash -c with each word quoted: printf prints exactly the words bash parsed.
  std::string words;
  for (const auto& word : nasty_strings()) words += fmt::format(" {}", shell_quote(word));
  const std::string program = "printf '%s\\0'" + words;
  std::string out;
  ASSERT_EQ(run_shell("bash -c " + shell_quote(program), out), 0);
  EXPECT_EQ(split_nul(out), nasty_strings());
  // The quoted form has no unquoted specials: quoting twice still round-trips once unwrapped twice.
  ASSERT_EQ(run_shell("bash -c " + shell_quote("bash -c " + shell_quote(program)), out), 0);
  EXPECT_EQ(split_nul(out), nasty_strings());
}

TEST(SlurmLauncher, ShellQuoteRefusesNul) {
  EXPECT_NE(error_of([] { shell_quote(std::string("a\0b", 3)); }).find("NUL"), std::string::npos);
}

TEST(SlurmLauncher, ArraySpecRangesAndThrottle) {
  auto jobs_with = [](std::vector<int> indices) {
    std::vector<SweepJob> jobs;
    for (int i : indices) {
      SweepJob job;
      job.index = i;
      jobs.push_back(job);
    }
    return jobs;
  };
  EXPECT_EQ(slurm_array_spec(jobs_with({0, 1, 2, 3}), 0), "0-3");
  EXPECT_EQ(slurm_array_spec(jobs_with({0, 1, 2, 3}), 2), "0-3%2");
  EXPECT_EQ(slurm_array_spec(jobs_with({5, 1, 3, 4}), 0), "1,3-5");
  EXPECT_EQ(slurm_array_spec(jobs_with({7}), 0), "7");
  EXPECT_EQ(slurm_array_spec(jobs_with({0, 2, 4, 5, 9}), 3), "0,2,4-5,9%3");
}

TEST(SlurmLauncher, ParsesParsableJobIds) {
  EXPECT_EQ(parse_sbatch_job_id("12345\n"), "12345");
  EXPECT_EQ(parse_sbatch_job_id("12345;cluster_a\n"), "12345");
  EXPECT_EQ(parse_sbatch_job_id("sbatch: warning: can't honor --ntasks-per-node\n678\n"), "678");
  EXPECT_EQ(parse_sbatch_job_id("sbatch: error: Batch job submission failed\n"), "");
  EXPECT_EQ(parse_sbatch_job_id(""), "");
  EXPECT_EQ(parse_sbatch_job_id("12a\n"), "");
}

struct Sweep {
  TempDir tmp;
  fs::path dir = tmp / "sweep dir 'quoted' $x";
  fs::path configs = tmp / "my configs";
  std::vector<SweepJob> jobs;

  Sweep() {
    const std::vector<std::vector<std::string>> swept = {
        {"algorithms=[most_popular]", "run.seed=1"},
        {"algorithms=[most_popular]", "run.seed=2"},
        {"algorithms=[random]", "run.seed=1"},
        {"algorithms=[random]", "run.seed=2"}};
    for (int i = 0; i < 4; ++i) {
      SweepJob job;
      job.index = i;
      job.overrides = {"run.threads=1", "metrics.k=5", "dataset=ml_latest_small", swept[i][0], swept[i][1],
                       "run.dir=" + (dir / std::to_string(i)).string()};
      job.swept = swept[i];
      jobs.push_back(job);
    }
    // A nasty job too: every awkward string as one override each.
    SweepJob nasty;
    nasty.index = 4;
    nasty.overrides = nasty_strings();
    jobs.push_back(nasty);
  }
};

TEST(SlurmLauncher, ScriptHeaderHasEveryRequestedOption) {
  Sweep sweep;
  auto settings = SlurmSettings::defaults();
  settings.partition = "gpu";
  settings.time = "02:30:00";
  settings.cpus_per_task = 4;
  settings.mem = "8G";
  settings.gres = "gpu:1";
  settings.max_parallel = 2;
  settings.extra = {"--account=abc", "--exclusive", "--comment=two words", "--constraint=\"a100|h100\""};
  const auto script = sbatch_script(sweep.dir, sweep.jobs, "/opt/tailrec/bin/tailrec", {}, settings);
  const auto out = (sweep.dir / "slurm" / "%A_%a.out").string();
  // Options before the first command; sbatch stops reading #SBATCH lines there.
  const std::string expected = "#SBATCH --job-name=tailrec-sweep\n"
                               "#SBATCH --array=0-4%2\n"
                               "#SBATCH --output=\"" + out + "\"\n"
                               "#SBATCH --cpus-per-task=4\n"
                               "#SBATCH --time=\"02:30:00\"\n"
                               "#SBATCH --partition=\"gpu\"\n"
                               "#SBATCH --mem=\"8G\"\n"
                               "#SBATCH --gres=\"gpu:1\"\n"
                               "#SBATCH --account=\"abc\"\n"
                               "#SBATCH --exclusive\n"
                               "#SBATCH --comment=\"two words\"\n"
                               "#SBATCH --constraint=\"a100|h100\"\n"
                               "\nset -euo pipefail\n";
  EXPECT_NE(script.find(expected), std::string::npos) << script;
  EXPECT_EQ(script.rfind("#!/bin/bash\n", 0), 0u);

  // Defaults: no partition, mem or gres line.
  const auto plain = sbatch_script(sweep.dir, sweep.jobs, "/t", {}, SlurmSettings::defaults());
  EXPECT_EQ(plain.find("--partition"), std::string::npos);
  EXPECT_EQ(plain.find("--mem"), std::string::npos);
  EXPECT_EQ(plain.find("--gres"), std::string::npos);
  EXPECT_NE(plain.find("#SBATCH --array=0-4\n"), std::string::npos);
  EXPECT_NE(plain.find("#SBATCH --time=\"01:00:00\"\n"), std::string::npos);
}

TEST(SlurmLauncher, ScriptRefusesBadSettings) {
  Sweep sweep;
  auto settings = SlurmSettings::defaults();
  settings.extra = {"account=abc"};
  EXPECT_NE(error_of([&] { sbatch_script(sweep.dir, sweep.jobs, "/t", {}, settings); }).find("--account=abc"),
            std::string::npos);
  settings.extra = {};
  settings.partition = "a\nb";
  EXPECT_NE(error_of([&] { sbatch_script(sweep.dir, sweep.jobs, "/t", {}, settings); }).find("launcher.partition"),
            std::string::npos);
  settings.partition = "";
  settings.cpus_per_task = 0;
  EXPECT_NE(error_of([&] { sbatch_script(sweep.dir, sweep.jobs, "/t", {}, settings); }).find("cpus_per_task"),
            std::string::npos);
  EXPECT_NE(error_of([&] { sbatch_script(sweep.dir, {}, "/t", {}, SlurmSettings::defaults()); }).find("at least one job"),
            std::string::npos);
}

// Writes the script and a stand-in tailrec that prints its arguments NUL-separated.
struct ScriptRun {
  Sweep sweep;
  fs::path script = sweep.tmp / "sweep.sbatch";
  fs::path program = sweep.tmp / "bin dir" / "tailrec";

  explicit ScriptRun(const std::string& program_body) {
    sweep.tmp.write("bin dir/tailrec", "#!/bin/bash\n" + program_body);
    make_executable(program);
    fs::create_directories(sweep.configs);
    sweep.tmp.write("sweep.sbatch", sbatch_script(sweep.dir, sweep.jobs, program, {sweep.configs}, SlurmSettings::defaults()));
    fs::create_directories(sweep.dir / "slurm");
  }
  // Runs the script as Slurm runs array task k of job 77: output into the task's log file.
  int run_task(int k, std::string& out) const {
    const auto log = sweep.dir / "slurm" / fmt::format("77_{}.out", k);
    return run_shell(fmt::format("SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID={} bash {} 2>>{}", k,
                                 shell_quote(script.string()), shell_quote(log.string())),
                     out);
  }
};

TEST(SlurmLauncher, ScriptParsesWithBashN) {
  ScriptRun run("printf '%s\\0' \"$@\"\n");
  std::string out;
  EXPECT_EQ(run_shell("bash -n " + shell_quote(run.script.string()) + " 2>&1", out), 0) << out;
}

TEST(SlurmLauncher, ArrayTaskKRunsExactlyJobKArguments) {
  ScriptRun run("printf '%s\\0' \"$@\"\n");
  for (const auto& job : run.sweep.jobs) {
    std::string out;
    ASSERT_EQ(run.run_task(job.index, out), 0) << "task " << job.index;
    std::vector<std::string> expected = {"run", "--config-dir", run.sweep.configs.string(), "--"};
    expected.insert(expected.end(), job.overrides.begin(), job.overrides.end());
    EXPECT_EQ(split_nul(out), expected) << "task " << job.index;
    EXPECT_FALSE(fs::exists(run.sweep.dir / std::to_string(job.index) / "error.txt"));
  }
  // An index the script does not hold is refused, and nothing runs.
  std::string out;
  EXPECT_EQ(run.run_task(9, out), 2);
  EXPECT_EQ(out, "");
}

TEST(SlurmLauncher, FailedTaskWritesErrorTxtWithStatusAndMessage) {
  ScriptRun run("echo 'loading...'\necho 'error: unknown key metrics.kk; did you mean metrics.k?' >&2\nexit 3\n");
  std::string out;
  EXPECT_EQ(run.run_task(2, out), 3);
  const auto error = testing::read_text(run.sweep.dir / "2" / "error.txt");
  EXPECT_NE(error.find("tailrec exited with status 3 in Slurm job 77_2"), std::string::npos) << error;
  EXPECT_NE(error.find("error: unknown key metrics.kk; did you mean metrics.k?"), std::string::npos) << error;
  EXPECT_NE(error.find((run.sweep.dir / "slurm" / "77_2.out").string()), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(run.sweep.dir / "1" / "error.txt"));
}

TEST(SlurmLauncher, TaskKilledBySigtermRecordsTheSignalAndSlurmsReason) {
  // As at the time limit: slurmstepd notes it in the log, then SIGTERM reaches the script and tailrec.
  ScriptRun run("echo 'slurmstepd-vm: error: *** JOB 78 ON vm CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME LIMIT ***' >&2\n"
                "kill -TERM $PPID\nexit 143\n");
  std::string out;
  EXPECT_EQ(run.run_task(1, out), 143);
  const auto error = testing::read_text(run.sweep.dir / "1" / "error.txt");
  EXPECT_NE(error.find("status 143 (SIGTERM: time limit reached or scancel)"), std::string::npos) << error;
  EXPECT_NE(error.find("CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME LIMIT ***"), std::string::npos) << error;
}

TEST(SlurmLauncher, ErrorTxtFromAnEarlierAttemptIsRemovedOnRetry) {
  ScriptRun run("exit 0\n");
  run.sweep.tmp.write("sweep dir 'quoted' $x/1/error.txt", "old failure\n");
  std::string out;
  EXPECT_EQ(run.run_task(1, out), 0);
  EXPECT_FALSE(fs::exists(run.sweep.dir / "1" / "error.txt"));
}

TEST(SlurmLauncher, ErrorTxtWrittenByTheRunItselfIsKept) {
  // The stand-in writes its own error.txt into run.dir (the last override).
  ScriptRun run("d=\"${@: -1}\"\nd=\"${d#run.dir=}\"\nmkdir -p \"$d\"\necho 'own message' >\"$d/error.txt\"\nexit 1\n");
  std::string out;
  EXPECT_EQ(run.run_task(0, out), 1);
  EXPECT_EQ(testing::read_text(run.sweep.dir / "0" / "error.txt"), "own message\n");
}

// Stand-in sbatch and squeue: sbatch checks its arguments and prints an id; squeue reports the
// tasks running twice, then ended.
struct FakeSlurm {
  TempDir bin;
  fs::path calls = bin / "squeue.calls";
  explicit FakeSlurm(const std::string& sbatch_body) {
    bin.write("sbatch", "#!/bin/bash\n" + sbatch_body);
    bin.write("squeue",
              "#!/bin/bash\n"
              "[ \"$*\" = '--noheader --array --jobs=4242 --states=all --format=%i %T --clusters=mycluster' ] "
              "|| { echo \"bad args: $*\"; exit 1; }\n"
              "echo x >>" + shell_quote(calls.string()) + "\n"
              "n=$(wc -l <" + shell_quote(calls.string()) + ")\n"
              "echo 'CLUSTER: mycluster'\n"
              "if [ \"$n\" -le 2 ]; then printf '4242_0 RUNNING\\n4242_1 PENDING\\n';\n"
              "else printf '4242_0 COMPLETED\\n4242_1 FAILED\\n'; fi\n");
    make_executable(bin / "sbatch");
    make_executable(bin / "squeue");
  }
  SlurmSettings settings() const {
    auto s = SlurmSettings::defaults();
    s.sbatch = (bin / "sbatch").string();
    return s;
  }
};

TEST(SlurmLauncher, SubmitWritesTheScriptParsesTheIdAndWaits) {
  FakeSlurm slurm(
      "[ \"$1\" = --parsable ] && [ -s \"$2\" ] && [ -d \"$(dirname \"$2\")\" ] || { echo \"bad args: $*\"; exit 1; }\n"
      "echo 'sbatch: warning: a warning first' >&2\necho '4242;mycluster'\n");
  Sweep sweep;
  // Job 2 completed: its folder holds a complete metrics.json.
  sweep.tmp.write("sweep dir 'quoted' $x/2/metrics.json", "{\"status\": \"complete\"}\n");
  const auto id = submit_slurm_array(sweep.dir, sweep.jobs, "/t", {}, slurm.settings(), Logger::null(),
                                     std::chrono::milliseconds(10));
  EXPECT_EQ(id, "4242");
  // Jobs that ended without metrics.json or error.txt get an error.txt with their last state.
  EXPECT_NE(testing::read_text(sweep.dir / "0" / "error.txt").find("Slurm job 4242_0 ended as COMPLETED without a result"),
            std::string::npos);
  EXPECT_NE(testing::read_text(sweep.dir / "1" / "error.txt").find("Slurm job 4242_1 ended as FAILED without a result"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(sweep.dir / "2" / "error.txt"));
  EXPECT_NE(testing::read_text(sweep.dir / "3" / "error.txt").find("Slurm job 4242_3 ended without a result"),
            std::string::npos);
  EXPECT_EQ(testing::read_text(sweep.dir / "slurm" / "sweep.sbatch"),
            sbatch_script(sweep.dir, sweep.jobs, "/t", {}, slurm.settings()));
  // Polled until the third squeue call showed every task ended.
  EXPECT_EQ(testing::read_text(slurm.calls), "x\nx\nx\n");

  auto no_wait = slurm.settings();
  no_wait.wait = false;
  fs::remove(slurm.calls);
  EXPECT_EQ(submit_slurm_array(sweep.dir, sweep.jobs, "/t", {}, no_wait, Logger::null()), "4242");
  EXPECT_FALSE(fs::exists(slurm.calls));
}

TEST(SlurmLauncher, RejectedSubmissionNamesTheCommandAndItsOutput) {
  FakeSlurm slurm("echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\nexit 1\n");
  Sweep sweep;
  const auto message = error_of([&] {
    submit_slurm_array(sweep.dir, sweep.jobs, "/t", {}, slurm.settings(), Logger::null(), std::chrono::milliseconds(1));
  });
  EXPECT_NE(message.find("--parsable"), std::string::npos) << message;
  EXPECT_NE(message.find("status 1"), std::string::npos) << message;
  EXPECT_NE(message.find("Invalid partition name specified"), std::string::npos) << message;

  FakeSlurm silent("echo 'Submitted batch job 5'\n");
  const auto no_id = error_of([&] {
    submit_slurm_array(sweep.dir, sweep.jobs, "/t", {}, silent.settings(), Logger::null(), std::chrono::milliseconds(1));
  });
  EXPECT_NE(no_id.find("gave no job id"), std::string::npos) << no_id;

  auto missing = slurm.settings();
  missing.sbatch = (slurm.bin / "no-such-sbatch").string();
  const auto not_found = error_of([&] {
    submit_slurm_array(sweep.dir, sweep.jobs, "/t", {}, missing, Logger::null(), std::chrono::milliseconds(1));
  });
  EXPECT_NE(not_found.find("cannot run"), std::string::npos) << not_found;
  EXPECT_NE(not_found.find("no-such-sbatch"), std::string::npos) << not_found;
}

TEST(SlurmLauncher, ArrayIndicesPastMaxArraySizeGetAHint) {
  FakeSlurm slurm("echo 'sbatch: error: Batch job submission failed: Invalid job array specification' >&2\nexit 1\n");
  Sweep sweep;
  sweep.jobs.back().index = 1500;
  const auto message = error_of([&] {
    submit_slurm_array(sweep.dir, sweep.jobs, "/t", {}, slurm.settings(), Logger::null(), std::chrono::milliseconds(1));
  });
  EXPECT_NE(message.find("MaxArraySize"), std::string::npos) << message;
}

// run.anonymize_salt: the script holds no copy of the salt; the task reads it from the sweep's
// private/ folder into TAILREC_ANONYMIZE_SALT, which the job's last override interpolates.
TEST(SlurmLauncher, SaltReachesTheTaskFromPrivateNeverThroughTheScript) {
  const std::string salt = "Zq7-salt 'with quote' $HOME";
  ScriptRun run("printf '%s\\0' \"$@\" \"salt=$TAILREC_ANONYMIZE_SALT\"\n");
  auto& job = run.sweep.jobs[1];
  job.salt = salt;
  job.overrides.insert(job.overrides.begin(), "run={anonymize_users: true, anonymize_salt: <redacted>}");
  const auto script = sbatch_script(run.sweep.dir, run.sweep.jobs, run.program, {run.sweep.configs}, SlurmSettings::defaults());
  EXPECT_EQ(script.find("Zq7-salt"), std::string::npos) << script;
  run.sweep.tmp.write("sweep.sbatch", script);
  write_job_salt(run.sweep.dir, job);
  struct stat folder {}, file {};
  ASSERT_EQ(::stat((run.sweep.dir / "private").c_str(), &folder), 0);
  ASSERT_EQ(::stat((run.sweep.dir / "private" / "1.salt").c_str(), &file), 0);
  EXPECT_EQ(folder.st_mode & 0777, 0700u);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  EXPECT_EQ(testing::read_text(run.sweep.dir / "private" / "1.salt"), salt);
  std::string out;
  ASSERT_EQ(run.run_task(1, out), 0);
  std::vector<std::string> expected = {"run", "--config-dir", run.sweep.configs.string(), "--"};
  expected.insert(expected.end(), job.overrides.begin(), job.overrides.end());
  expected.push_back("run.anonymize_salt=${env:TAILREC_ANONYMIZE_SALT}");
  expected.push_back("salt=" + salt);
  EXPECT_EQ(split_nul(out), expected);
  // A job without a salt gets no such override and no variable.
  ASSERT_EQ(run.run_task(0, out), 0);
  EXPECT_EQ(split_nul(out).back(), "salt=");
}

TEST(SlurmLauncher, SaltFolderRefusesASymlink) {
  TempDir tmp;
  fs::create_directories(tmp / "sweep");
  fs::create_directories(tmp / "elsewhere");
  fs::create_directory_symlink(tmp / "elsewhere", tmp / "sweep" / "private");
  SweepJob job;
  job.index = 0;
  job.salt = "s3cret";
  const auto message = error_of([&] { write_job_salt(tmp / "sweep", job); });
  EXPECT_NE(message.find("symbolic link"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(tmp / "elsewhere"));
}

}  // namespace
}  // namespace tailrec
