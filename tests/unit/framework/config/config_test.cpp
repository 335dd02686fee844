// Composition, overrides and strictness of the Hydra-like config.
#include "framework/config/config.hpp"

#include <gtest/gtest.h>

#include "framework/config/params.hpp"
#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

using testing::TempDir;

// A small config tree: two groups, a primary config and an experiment.
struct ConfigFixture : ::testing::Test {
  TempDir dir;
  void SetUp() override {
    dir.write("config.yaml",
              "defaults:\n  - split: holdout\n  - dataset: small\n  - _self_\n"
              "algorithms: [a]\nrun:\n  seed: 42\n  threads: 1\n");
    dir.write("split/holdout.yaml", "name: holdout\nratio: 0.2\n");
    dir.write("split/loo.yaml", "name: loo\norder: latest\n");
    dir.write("dataset/small.yaml", "loader: csv\npath: data.csv\ncolumns:\n  user: u\n  item: i\n");
    dir.write("experiment/big.yaml",
              "defaults:\n  - override /split: loo\nrun:\n  seed: 7\n");
    dir.write("algorithm/a.yaml", "k: 1\n");
  }
  Config make(std::vector<std::string> overrides) { return compose({{dir.path()}, std::move(overrides), "config"}); }
};

TEST_F(ConfigFixture, ComposesGroupsUnderTheirKeysAndSelfLast) {
  auto c = make({});
  EXPECT_EQ(c.at("split.name").as_string(), "holdout");
  EXPECT_EQ(c.at("dataset.columns.user").as_string(), "u");
  EXPECT_EQ(c.at("run.seed").as_int(), 42);
  EXPECT_EQ(c.at("experiment").as_string(), "default");
  EXPECT_EQ(c.choices.at("split"), "holdout");
}

TEST_F(ConfigFixture, RecordsWhereEachValueCameFrom) {
  auto c = make({"run.seed=3"});
  EXPECT_EQ(c.origin("split.ratio"), (dir / "split/holdout.yaml").string() + ":2");
  EXPECT_EQ(c.origin("run.seed"), "command line override 'run.seed=3'");
}

TEST_F(ConfigFixture, GroupOverrideSwapsTheWholeGroup) {
  auto c = make({"split=loo"});
  EXPECT_EQ(c.at("split.name").as_string(), "loo");
  EXPECT_FALSE(c.at("split").has("ratio"));
}

TEST_F(ConfigFixture, ExperimentChangesGroupsAndKeysButCommandLineWins) {
  auto c = make({"experiment=big"});
  EXPECT_EQ(c.at("split.name").as_string(), "loo");
  EXPECT_EQ(c.at("run.seed").as_int(), 7);
  EXPECT_EQ(c.at("experiment").as_string(), "big");
  auto d = make({"experiment=big", "split=holdout", "run.seed=9"});
  EXPECT_EQ(d.at("split.name").as_string(), "holdout");
  EXPECT_EQ(d.at("run.seed").as_int(), 9);
}

TEST_F(ConfigFixture, AlgorithmEntryParametersByLabel) {
  auto c = make({"algorithms=[a, {name: a, label: a2, k: 3}]", "algorithms.a.k=10", "algorithms.a2.k=20"});
  EXPECT_EQ(c.at("algorithms").node()[0]["name"].as<std::string>(), "a");  // a plain name became a map
  EXPECT_EQ(c.at("algorithms").node()[0]["k"].as<int>(), 10);
  EXPECT_EQ(c.at("algorithms").node()[1]["k"].as<int>(), 20);
  EXPECT_EQ(c.origin("algorithms[1].k"), "command line override 'algorithms.a2.k=20'");
  auto removed = make({"algorithms=[{name: a, k: 3}]", "~algorithms.a.k"});
  EXPECT_FALSE(removed.at("algorithms").node()[0]["k"]);
  try {
    make({"algorithms.b.k=1"});
    FAIL() << "an unknown label must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no entry of algorithms has the label 'b'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make({"algorithms.a.name=b"}), Error);
}

TEST_F(ConfigFixture, ValuesAreTypedAsYaml) {
  auto c = make({"algorithms=[a,b]", "split.ratio=0.5", "+run.extra=true"});
  EXPECT_EQ(c.at("algorithms").as_strings(), (std::vector<std::string>{"a", "b"}));
  EXPECT_DOUBLE_EQ(c.at("split.ratio").as_double(), 0.5);
  EXPECT_TRUE(c.at("run.extra").as_bool());
}

TEST_F(ConfigFixture, AddAndRemove) {
  auto c = make({"+dataset.sep=;", "~dataset.path"});
  EXPECT_EQ(c.at("dataset.sep").as_string(), ";");
  EXPECT_FALSE(c.at("dataset").has("path"));
}

// A config error is typed: it carries its key and origin, and says them once.
TEST_F(ConfigFixture, ConfigErrorsCarryTheirKeyAndOrigin) {
  auto c = make({"+run.extra=1"});
  try {
    c.at("run.extra").fail_here("bad value");
    FAIL() << "fail_here must throw";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "run.extra");
    EXPECT_EQ(e.origin(), "command line override '+run.extra=1'");
    EXPECT_STREQ(e.what(), "config key 'run.extra' (command line override '+run.extra=1'): bad value");
  }
  EXPECT_STREQ(ConfigError("a.b", "", "missing").what(), "config key 'a.b': missing");
}

// Hydra's ~key=value deletes the key only when it holds that value.
TEST_F(ConfigFixture, RemoveWithAValueChecksIt) {
  auto c = make({"run.seed=7", "~run.seed=7"});
  EXPECT_FALSE(c.at("run").has("seed"));
  try {
    make({"run.seed=7", "~run.seed=8"});
    FAIL() << "a value that differs must be refused";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'~run.seed=8': config key 'run.seed' holds 7, not 8"), std::string::npos) << m;
    EXPECT_NE(m.find("write ~run.seed to delete it"), std::string::npos) << m;
  }
  auto removed = make({"algorithms=[{name: a, k: 3}]", "~algorithms.a.k=3"});
  EXPECT_FALSE(removed.at("algorithms").node()[0]["k"]);
  EXPECT_THROW(make({"algorithms=[{name: a, k: 3}]", "~algorithms.a.k=4"}), Error);
  EXPECT_THROW(make({"algorithms=[a,b]", "~algorithms=[a]"}), Error);
  auto list = make({"algorithms=[a,b]", "~algorithms=[a, b]"});
  EXPECT_FALSE(list.root().has("algorithms"));
  // Values compare as values: numbers by value, block-style lists from files, a group by its option.
  EXPECT_FALSE(make({"~split.ratio=0.20"}).at("split").has("ratio"));
  EXPECT_FALSE(make({"~algorithms=[a]"}).root().has("algorithms"));  // `algorithms: [a]` in the file
  EXPECT_FALSE(make({"~dataset.columns={item: i, user: u}"}).at("dataset").has("columns"));
  EXPECT_FALSE(make({"~split=holdout"}).root().has("split"));
  try {
    make({"~split=loo"});
    FAIL() << "another option than the chosen one must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("group 'split' is holdout, not loo"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make({"~split.ratio=0.3"}), Error);
}

TEST_F(ConfigFixture, SettingAMissingKeySuggestsThePlusAndTheClosestKey) {
  try {
    make({"run.sead=3"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'run.sead' does not exist"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'seed'"), std::string::npos) << m;
    EXPECT_NE(m.find("+run.sead=3"), std::string::npos) << m;
  }
}

TEST_F(ConfigFixture, AddingAnExistingKeyIsAnError) {
  EXPECT_THROW(make({"+run.seed=1"}), Error);
}

TEST_F(ConfigFixture, UnknownGroupOptionListsTheOptions) {
  try {
    make({"split=lo"});
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown option 'lo' for config group 'split'"), std::string::npos) << m;
    EXPECT_NE(m.find("holdout, loo"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'loo'"), std::string::npos) << m;
  }
}

TEST_F(ConfigFixture, BadOverrideSyntaxNamesTheOverride) {
  EXPECT_THROW(make({"run.seed"}), Error);            // no '='
  EXPECT_THROW(make({"=3"}), Error);                  // empty key
  EXPECT_THROW(make({"="}), Error);                   // '=' only
  EXPECT_THROW(make({"algorithms=[a,b"}), Error);     // unbalanced bracket
  EXPECT_THROW(make({"run..seed=1"}), Error);         // empty path part
  try {
    make({"algorithms=[a,b"});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("override 'algorithms=[a,b'"), std::string::npos) << e.what();
  }
}

TEST_F(ConfigFixture, UnreadKeysAreErrorsNamingPathOriginAndNeighbours) {
  dir.write("split/typo.yaml", "name: holdout\nratoi: 0.2\n");
  auto c = make({"split=typo"});
  c.at("split.name").as_string();
  c.root()["split"].get_double("ratio", 0.2);
  c.root()["dataset"].mark_read();
  c.root()["run"].mark_read();
  c.root()["algorithms"].mark_read();
  c.root()["experiment"].mark_read();
  try {
    c.check_all_read();
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown config key 'split.ratoi'"), std::string::npos) << m;
    EXPECT_NE(m.find("split/typo.yaml:2"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'ratio'"), std::string::npos) << m;
  }
}

TEST_F(ConfigFixture, WrongTypesNameKeyValueAndType) {
  auto c = make({"run.seed=abc"});
  try {
    c.at("run.seed").as_int();
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("run.seed"), std::string::npos);
    EXPECT_NE(m.find("'abc' is not an integer"), std::string::npos) << m;
  }
}

TEST_F(ConfigFixture, DuplicateKeysInAFileAreErrors) {
  dir.write("split/dup.yaml", "name: holdout\nratio: 0.2\nratio: 0.3\n");
  EXPECT_THROW(make({"split=dup"}), Error);
}

TEST_F(ConfigFixture, EarlierSearchFoldersWin) {
  TempDir mine;
  mine.write("split/holdout.yaml", "name: holdout\nratio: 0.5\n");
  auto c = compose({{mine.path(), dir.path()}, {}, "config"});
  EXPECT_DOUBLE_EQ(c.at("split.ratio").as_double(), 0.5);
}

TEST_F(ConfigFixture, InterpolatesEnvironmentAndHome) {
  setenv("TAILREC_TEST_VALUE", "xyz", 1);
  auto c = make({"dataset.path=${env:TAILREC_TEST_VALUE}/f.csv", "+run.other=${oc.env:TAILREC_UNSET_VAR,dflt}"});
  EXPECT_EQ(c.at("dataset.path").as_string(), "xyz/f.csv");
  EXPECT_EQ(c.at("run.other").as_string(), "dflt");
  EXPECT_THROW(make({"dataset.path=${env:TAILREC_UNSET_VAR}"}), Error);
}

// A flow map typed on the command line is checked for duplicate keys like a file is.
TEST_F(ConfigFixture, DuplicateKeysInAnOverrideValueAreErrors) {
  for (const std::string o : {"algorithms=[{name: a, k: 5, k: 7}]", "run={seed: 1, seed: 2}", "+run.x={a: {b: 1, b: 2}}"}) {
    std::string m;
    try {
      make({o});
    } catch (const Error& e) {
      m = e.what();
    }
    EXPECT_NE(m.find("override '" + o + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("appears twice in the value"), std::string::npos) << m;
  }
}

// A plain override value is taken byte for byte: no YAML folding of a newline, no ' #' comment,
// no 'a: b' map; null and ~ are null; quotes and brackets are YAML.
TEST_F(ConfigFixture, PlainOverrideValuesAreLiteral) {
  auto c = make({"dataset.path=dir/a\nb #c: d.csv", "+run.a=null", "+run.b=~", "+run.c=\"null\"", "+run.d=' x '",
                 "+run.e=  spaced  ", "+run.f=*not_an_alias", "+run.g=- item"});
  EXPECT_EQ(c.at("dataset.path").as_string(), "dir/a\nb #c: d.csv");
  EXPECT_TRUE(c.at("run.a").is_null());
  EXPECT_TRUE(c.at("run.b").is_null());
  EXPECT_EQ(c.at("run.c").as_string(), "null");
  EXPECT_EQ(c.at("run.d").as_string(), " x ");
  EXPECT_EQ(c.at("run.e").as_string(), "  spaced  ");
  EXPECT_EQ(c.at("run.f").as_string(), "*not_an_alias");
  EXPECT_EQ(c.at("run.g").as_string(), "- item");
  // The composed config written out reads back to the same value.
  EXPECT_EQ(YAML::Load(c.to_yaml())["dataset"]["path"].Scalar(), "dir/a\nb #c: d.csv");
  EXPECT_THROW(make({"+run.h='a' b"}), Error);  // a quote starts a quoted string, which must be the whole value
  EXPECT_THROW(make({"+run.i=\"a\" #c"}), Error);
}

// Invalid UTF-8 is refused at composition, naming the key and where the value came from.
TEST_F(ConfigFixture, InvalidUtf8ValuesNameTheKeyAndOrigin) {
  const auto error = [&](std::vector<std::string> overrides) {
    try {
      make(std::move(overrides));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  auto m = error({"dataset.path=a\xff" "b"});
  EXPECT_NE(m.find("config key 'dataset.path' (command line override 'dataset.path=a\\xFFb')"), std::string::npos) << m;
  EXPECT_NE(m.find("not valid UTF-8 (byte 0xFF at offset 1)"), std::string::npos) << m;
  setenv("TAILREC_TEST_LATIN1", "caf\xe9", 1);
  m = error({"+run.note=${env:TAILREC_TEST_LATIN1}"});
  EXPECT_NE(m.find("config key 'run.note' (command line override '+run.note=${env:TAILREC_TEST_LATIN1}')"),
            std::string::npos) << m;
  EXPECT_NE(m.find("'caf\\xE9'"), std::string::npos) << m;
  dir.write("split/latin.yaml", "name: holdout\nratio: caf\xe9\n");
  m = error({"split=latin"});
  EXPECT_NE(m.find("config key 'split.ratio' ("), std::string::npos) << m;
  EXPECT_NE(m.find("split/latin.yaml:2)"), std::string::npos) << m;
  EXPECT_EQ(error({"+run.note=caf\xc3\xa9"}), "(no error)");  // valid UTF-8 passes
}

// 20,000 unknown keys: one bounded line naming the first five and counting the rest.
TEST_F(ConfigFixture, ManyUnknownKeysGiveABoundedError) {
  std::string text = "name: holdout\nratio: 0.2\n";
  for (int i = 0; i < 20000; ++i) text += "unknown_key_" + std::to_string(i) + ": 1\n";
  dir.write("split/many.yaml", text);
  Config fresh = make({"split=many"});
  for (const char* key : {"dataset", "run", "algorithms", "experiment"}) fresh.root()[key].mark_read();
  fresh.at("split.name").as_string();
  std::string m;
  try {
    fresh.check_all_read();
  } catch (const Error& e) {
    m = e.what();
  }
  EXPECT_NE(m.find("unknown config key 'split.unknown_key_0'"), std::string::npos) << m.substr(0, 300);
  EXPECT_NE(m.find("and 19996 more unknown keys"), std::string::npos) << m.substr(0, 300);  // ratio is one of them
  EXPECT_LT(m.size(), 4096u);
  EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(Params, ResolveChecksUnknownKeysTypesRangesAndChoices) {
  const std::vector<ParamSpec> schema{
      ParamSpec::integer("k", 10, "neighbours", 1),
      ParamSpec::choice("similarity", "cosine", {"cosine", "pearson"}, "similarity"),
      ParamSpec::real("shrink", 0.0, "shrinkage", 0.0),
  };
  auto p = Params::from_yaml(schema, YAML::Load("{k: 5}"));
  EXPECT_EQ(p.integer("k"), 5);
  EXPECT_EQ(p.text("similarity"), "cosine");
  EXPECT_DOUBLE_EQ(p.real("shrink"), 0.0);
  EXPECT_THROW(Params::from_yaml(schema, YAML::Load("{kk: 5}")), Error);
  EXPECT_THROW(Params::from_yaml(schema, YAML::Load("{k: 0}")), Error);
  EXPECT_THROW(Params::from_yaml(schema, YAML::Load("{k: 2.5}")), Error);
  EXPECT_THROW(Params::from_yaml(schema, YAML::Load("{similarity: cosin}")), Error);
  try {
    Params::from_yaml(schema, YAML::Load("{simlarity: pearson}"), "algorithms[0]");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'similarity'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec
