// The one reader of algorithm entries (framework/config/algorithm_entry.hpp): a configs/algorithm/
// <name>.yaml in the search path gives the defaults of every entry of that algorithm, top-level or
// nested in a hybrid's components or a re-ranker's base, and errors name the nested key and the
// file:line its value came from.
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "experiments/register_all.hpp"
#include "framework/config/algorithm_entry.hpp"
#include "framework/util/error.hpp"

namespace tailrec {
namespace {

namespace fs = std::filesystem;

// A --config-dir with configs/algorithm/user_knn.yaml (the only file in it).
class ConfigDir {
 public:
  explicit ConfigDir(const std::string& user_knn_yaml)
      : dir_(fs::temp_directory_path() / ("tailrec-entry-test-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "algorithm");
    std::ofstream(dir_ / "algorithm" / "user_knn.yaml") << user_knn_yaml;
  }
  ~ConfigDir() { fs::remove_all(dir_); }
  std::vector<fs::path> search_path() const { return {dir_, fs::path(TAILREC_SOURCE_DIR) / "configs"}; }
  std::string file() const { return (dir_ / "algorithm" / "user_knn.yaml").string(); }

 private:
  fs::path dir_;
};

Config expanded(const std::string& algorithms, const ConfigDir& dir) {
  Config config(YAML::Load("algorithms: " + algorithms));
  expand_algorithm_list(config, "algorithms", registries().algorithms, dir.search_path());
  return config;
}

int64_t k_of(const Config& config, const std::string& path) {
  return read_algorithm_entry(registries().algorithms, config.at(path)).params.integer("k");
}

TEST(AlgorithmEntry, ConfigDirDefaultsReachEveryDepth) {
  const ConfigDir dir("k: 7\n");
  const auto config = expanded(
      "[user_knn, {name: user_knn, label: mine, k: 9}, {name: user_knn, label: nulled, k: null},"
      " {name: weighted, components: [user_knn, {name: item_knn}]}, rerank,"
      " {name: switching, components: [tfidf, {name: rerank, base: {name: user_knn, k: 11}}]}]",
      dir);
  EXPECT_EQ(k_of(config, "algorithms[0]"), 7);
  EXPECT_EQ(k_of(config, "algorithms[1]"), 9);
  EXPECT_EQ(k_of(config, "algorithms[2]"), 50) << "an explicit null keeps its schema meaning: the schema's default";
  EXPECT_EQ(k_of(config, "algorithms[3].components[0]"), 7);
  EXPECT_EQ(k_of(config, "algorithms[4].base"), 7) << "the schema's default base (user_knn) takes the file's k";
  EXPECT_EQ(k_of(config, "algorithms[5].components[1].base"), 11);
  // The built-in item_knn.yaml fills the nested item_knn; its values are the schema's.
  EXPECT_EQ(k_of(config, "algorithms[3].components[1]"), 100);
  EXPECT_EQ(config.origin("algorithms[3].components[0].k"), dir.file() + ":1");
  EXPECT_EQ(config.at("algorithms[3].components[0].label").as_string(), "user_knn");
  EXPECT_EQ(config.at("algorithms[1].label").as_string(), "mine");
}

TEST(AlgorithmEntry, NestedErrorsNameTheKeyAndTheFileLine) {
  const ConfigDir dir("similarity: cosine\nk: -3\n");
  const auto config = expanded("[{name: weighted, components: [user_knn, tfidf]}]", dir);
  try {
    create_algorithm(registries().algorithms, config.at("algorithms[0]"));
    FAIL() << "k: -3 was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("config key 'algorithms[0].components[0].k' (" + dir.file() + ":2)"), std::string::npos)
        << what;
  }
}

// A file that names its own algorithm in a nested parameter would expand forever; an alias bomb
// would expand exponentially. Both stop with an error naming the key.
TEST(AlgorithmEntry, SelfReferenceAndHugeExpansionsStop) {
  const auto dir = fs::temp_directory_path() / ("tailrec-entry-cycle-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "algorithm");
  std::ofstream(dir / "algorithm" / "weighted.yaml") << "components: [weighted, most_popular]\n";
  const std::vector<fs::path> search{dir, fs::path(TAILREC_SOURCE_DIR) / "configs"};
  const auto error = [&](const std::string& algorithms) -> std::string {
    try {
      Config config(YAML::Load("algorithms: " + algorithms));
      expand_algorithm_list(config, "algorithms", registries().algorithms, search);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const auto cycle = error("[weighted]");
  EXPECT_NE(cycle.find("nest more than 8 levels deep"), std::string::npos) << cycle;
  EXPECT_NE(cycle.find("algorithms[0].components[0].components[0]"), std::string::npos) << cycle;
  // 3^7 entries written with aliases, 7 levels deep: stopped at the entry budget.
  std::string bomb = "most_popular";
  for (int level = 0; level < 7; ++level)
    bomb = fmt::format("{{name: bayesian, components: [&a{0} {1}, *a{0}, *a{0}]}}", level, bomb);
  EXPECT_NE(error("[" + bomb + "]").find("more than 1000 algorithm entries"), std::string::npos);
  fs::remove_all(dir);
}

TEST(AlgorithmEntry, DefaultsFilesHoldParametersOnlyAndLabelsAreIdentifiers) {
  const ConfigDir dir("name: item_knn\nk: 3\n");
  try {
    expanded("[user_knn]", dir);
    FAIL() << "a name in a defaults file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file() + ":1: 'name' cannot be set here"), std::string::npos) << e.what();
  }
  const ConfigDir plain("k: 3\n");
  for (const std::string label : {"../../x", "/abs", "", "a b", ".hidden", "tab\tlabel"}) {
    const auto config = expanded(fmt::format("[{{name: user_knn, label: \"{}\"}}]", label), plain);
    try {
      read_algorithm_entry(registries().algorithms, config.at("algorithms[0]"));
      FAIL() << "label '" << label << "' was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("is not an identifier"), std::string::npos) << e.what();
    }
  }
  const auto fine = expanded("[{name: user_knn, label: uknn-50.v2_b}, {name: user_knn, label: null}]", plain);
  EXPECT_EQ(read_algorithm_entry(registries().algorithms, fine.at("algorithms[0]")).label, "uknn-50.v2_b");
  EXPECT_EQ(read_algorithm_entry(registries().algorithms, fine.at("algorithms[1]")).label, "user_knn");
}

TEST(AlgorithmEntry, KeysNestedInADefaultsFileKeepTheirOwnLines) {
  const auto dir = fs::temp_directory_path() / ("tailrec-entry-lines-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "algorithm");
  std::ofstream(dir / "algorithm" / "weighted.yaml") << "components:\n  - user_knn\n  - name: item_knn\n    k: 0\n";
  Config config(YAML::Load("algorithms: [weighted]"));
  expand_algorithm_list(config, "algorithms", registries().algorithms, {dir, fs::path(TAILREC_SOURCE_DIR) / "configs"});
  EXPECT_EQ(config.origin("algorithms[0].components[1].k"), (dir / "algorithm" / "weighted.yaml").string() + ":4");
  fs::remove_all(dir);
}

TEST(AlgorithmEntry, MalformedEntriesAreRefusedAtTheirKey) {
  const ConfigDir dir("k: 7\n");
  const auto error = [&](const std::string& algorithms) -> std::string {
    try {
      expanded(algorithms, dir);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error("[]").find("list at least one algorithm"), std::string::npos);
  EXPECT_NE(error("{k: 3}").find("expected a list of algorithm names or maps"), std::string::npos);
  EXPECT_NE(error("[{k: 3}]").find("config key 'algorithms[0]'"), std::string::npos);
  const auto typo = error("[{name: weighted, components: [user_knn, {name: tfidff}]}]");
  EXPECT_NE(typo.find("config key 'algorithms[0].components[1].name'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("did you mean 'tfidf'"), std::string::npos) << typo;
  const auto base = error("[{name: rerank, base: [user_knn]}]");
  EXPECT_NE(base.find("config key 'algorithms[0].base'"), std::string::npos) << base;
  // A single name is a list of one.
  EXPECT_EQ(expanded("user_knn", dir).at("algorithms[0].name").as_string(), "user_knn");
}

}  // namespace
}  // namespace tailrec
