// The one reader of algorithm entries (framework/config/algorithm_entry.hpp): a configs/algorithm/
// <name>.yaml in the search path gives the defaults of every entry of that algorithm, top-level or
// nested in a hybrid's components or a re-ranker's base, and errors name the nested key and the
// file:line its value came from.
#include <filesystem>
#include <fstream>
#include <string>

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
  EXPECT_EQ(k_of(config, "algorithms[2]"), 7) << "null means the default, which the config dir sets";
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
