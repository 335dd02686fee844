// The sweep grammar (Hydra's basic sweeper): which overrides sweep, their values, and the order of
// the cartesian product. Expected lists are written out by hand.
#include <gtest/gtest.h>

#include "experiments/commands.hpp"
#include "experiments/sweep.hpp"
#include "framework/config/config.hpp"
#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

using Strings = std::vector<std::string>;

TEST(Sweep, RecognisesSweptValues) {
  EXPECT_TRUE(is_sweep_override("k=10,20"));
  EXPECT_TRUE(is_sweep_override("dataset=ml100k,ml1m"));
  EXPECT_TRUE(is_sweep_override("k=range(3)"));
  EXPECT_TRUE(is_sweep_override("k=choice(1)"));
  EXPECT_TRUE(is_sweep_override("+new=a,b"));
  EXPECT_FALSE(is_sweep_override("metrics.k=[5,10]"));          // a list value, not a sweep
  EXPECT_FALSE(is_sweep_override("algorithms=[{name: a, k: 1}]"));
  EXPECT_FALSE(is_sweep_override("title='a,b'"));                // quoted comma
  EXPECT_FALSE(is_sweep_override("~k"));
  EXPECT_FALSE(is_sweep_override("k=5"));
}

TEST(Sweep, ExpandsValuesRangesAndChoices) {
  EXPECT_EQ(expand_override("k=10, 20,30"), (Strings{"k=10", "k=20", "k=30"}));
  EXPECT_EQ(expand_override("a=[1,2],[3]"), (Strings{"a=[1,2]", "a=[3]"}));
  EXPECT_EQ(expand_override("k=range(3)"), (Strings{"k=0", "k=1", "k=2"}));
  EXPECT_EQ(expand_override("k=range(10,40,10)"), (Strings{"k=10", "k=20", "k=30"}));
  EXPECT_EQ(expand_override("k=range(5,0,-2)"), (Strings{"k=5", "k=3", "k=1"}));
  // Floats are start + i * step (no accumulated rounding): 0, 0.1, 0.2 -- Python's range semantics.
  EXPECT_EQ(expand_override("x=range(0,0.3,0.1)"), (Strings{"x=0", "x=0.1", "x=0.2"}));
  EXPECT_EQ(expand_override("+x=choice(a,'b c')"), (Strings{"+x=a", "+x='b c'"}));
  EXPECT_EQ(expand_override("k=7"), (Strings{"k=7"}));
  EXPECT_THROW(expand_override("k=range(5,1)"), Error);
  EXPECT_THROW(expand_override("k=range(1,5,0)"), Error);
  EXPECT_THROW(expand_override("k=1,,2"), Error);
}

TEST(Sweep, CartesianProductInCommandLineOrderThenSeeds) {
  const auto jobs = expand_sweep({"a=1,2", "fixed=x", "b=p,q,r"}, {7, 8}, "/s");
  ASSERT_EQ(jobs.size(), 12u);
  // The last swept key varies fastest, each combination over the seeds.
  EXPECT_EQ(jobs[0].swept, (Strings{"a=1", "b=p", "run.seed=7"}));
  EXPECT_EQ(jobs[1].swept, (Strings{"a=1", "b=p", "run.seed=8"}));
  EXPECT_EQ(jobs[2].swept, (Strings{"a=1", "b=q", "run.seed=7"}));
  EXPECT_EQ(jobs[6].swept, (Strings{"a=2", "b=p", "run.seed=7"}));
  EXPECT_EQ(jobs[11].overrides, (Strings{"a=2", "fixed=x", "b=r", "run.seed=8", "run.dir=/s/11"}));
  for (size_t i = 0; i < jobs.size(); ++i) EXPECT_EQ(jobs[i].index, static_cast<int>(i));
  const auto single = expand_sweep({"k=5"}, {}, "/s");
  ASSERT_EQ(single.size(), 1u);
  EXPECT_TRUE(single[0].swept.empty());
  EXPECT_EQ(single[0].overrides, (Strings{"k=5", "run.dir=/s/0"}));
}

// multirun.yaml records job folders relative to the sweep (a moved sweep resumes in its new place)
// and no salt; both checked on the file's text, then read back after the folder moved.
TEST(Sweep, MultirunYamlIsRelativeAndHoldsNoSalt) {
  namespace fs = std::filesystem;
  testing::TempDir tmp;
  const auto first = tmp / "first";
  fs::create_directories(first);
  auto jobs = expand_sweep({"run.anonymize_salt=SALTX-1,SALTY-2", "k=5"}, {}, first);
  ASSERT_EQ(jobs.size(), 2u);
  redact_salts(jobs, {"SALTX-1", "SALTY-2"});
  EXPECT_EQ(jobs[1].overrides, (Strings{"run.anonymize_salt=<redacted salt 2>", "k=5", "run.dir=" + (first / "1").string()}));
  EXPECT_EQ(jobs[1].salt, "SALTY-2");
  jobs[0].config_hash = "00000000000000aa";
  SweepSettings settings;
  settings.launcher = "local";
  write_multirun_yaml(first, {"tailrec", "run", "--multirun", "run.anonymize_salt=SALTX-1,SALTY-2", "k=5"}, {}, settings,
                      jobs);
  const auto text = testing::read_text(first / "multirun.yaml");
  EXPECT_EQ(text.find("SALT"), std::string::npos) << text;
  EXPECT_EQ(text.find(first.string()), std::string::npos) << text;
  EXPECT_NE(text.find("dir: \"1\""), std::string::npos) << text;

  fs::rename(first, tmp / "moved");
  const auto file = read_multirun_yaml(tmp / "moved");
  ASSERT_EQ(file.jobs.size(), 2u);
  EXPECT_EQ(file.jobs[1].overrides,
            (Strings{"run.anonymize_salt=<redacted salt 2>", "k=5", "run.dir=" + (tmp / "moved" / "1").string()}));
  EXPECT_TRUE(file.jobs[1].salt_in_private);
  EXPECT_TRUE(file.jobs[1].salt.empty());
  EXPECT_EQ(file.jobs[0].config_hash, "00000000000000aa");
  EXPECT_EQ(file.jobs[1].config_hash, "");
}

// A multirun.yaml of an older tailrec holds absolute run.dir overrides: read as <new sweep>/<n>.
TEST(Sweep, OldAbsoluteJobFoldersResolveUnderTheNewSweepFolder) {
  namespace fs = std::filesystem;
  testing::TempDir tmp;
  tmp.write("copy/multirun.yaml",
            "command_line: [tailrec, run, --multirun, k=1,2]\nconfig_dirs: []\njobs:\n"
            "  - {index: 0, overrides: [k=1, run.dir=/old/place/sweep/0], swept: [k=1]}\n"
            "  - {index: 1, overrides: [k=2, run.dir=/old/place/sweep/1], swept: [k=2]}\n");
  const auto file = read_multirun_yaml(tmp / "copy");
  ASSERT_EQ(file.jobs.size(), 2u);
  EXPECT_EQ(file.jobs[1].overrides, (Strings{"k=2", "run.dir=" + (tmp / "copy" / "1").string()}));
  // A job folder that is not <sweep>/<index> (an edited file) is refused.
  tmp.write("edited/multirun.yaml",
            "command_line: []\nconfig_dirs: []\njobs:\n  - {index: 0, overrides: [run.dir=/etc], swept: []}\n");
  EXPECT_THROW(read_multirun_yaml(tmp / "edited"), Error);
  tmp.write("edited2/multirun.yaml",
            "command_line: []\nconfig_dirs: []\njobs:\n  - {index: 0, dir: \"../x\", overrides: [], swept: []}\n");
  EXPECT_THROW(read_multirun_yaml(tmp / "edited2"), Error);
}

TEST(Sweep, RedactsEverySaltLongestFirst) {
  std::vector<SweepJob> jobs(2);
  jobs[0].salt = "abc";
  jobs[1].salt = "abcdef";
  EXPECT_EQ(redact_salts("x=abcdef y=abc", jobs), "x=<redacted salt 2> y=<redacted salt 1>");
}

// What a resume compares: equal when only the job's place, salt or sweep settings differ, different
// when an experiment setting does.
TEST(Sweep, ConfigHashIgnoresPlaceSaltAndSweepSettingsOnly) {
  const auto search = config_search_path({});
  const auto hash = [&](const Strings& overrides) { return job_config_hash(compose({search, overrides, "config"})); };
  const auto base = hash({"metrics.k=5", "run.dir=/a/0"});
  EXPECT_EQ(base.size(), 16u);
  EXPECT_EQ(hash({"metrics.k=5", "run.dir=/elsewhere/0", "sweep.dir=/b", "sweep.seeds=3", "launcher=slurm"}), base);
  EXPECT_EQ(hash({"metrics.k=5", "run.dir=/a/0", "run.anonymize_users=true", "run.anonymize_salt=x"}),
            hash({"metrics.k=5", "run.dir=/a/0", "run.anonymize_users=true", "run.anonymize_salt=y"}));
  EXPECT_NE(hash({"metrics.k=10", "run.dir=/a/0"}), base);
  EXPECT_NE(hash({"metrics.k=5", "run.dir=/a/0", "run.seed=7"}), base);
}

}  // namespace
}  // namespace tailrec
