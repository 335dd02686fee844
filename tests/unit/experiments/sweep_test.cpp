// The sweep grammar (Hydra's basic sweeper): which overrides sweep, their values, and the order of
// the cartesian product. Expected lists are written out by hand.
#include <gtest/gtest.h>

#include "experiments/sweep.hpp"
#include "framework/util/error.hpp"

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

}  // namespace
}  // namespace tailrec
