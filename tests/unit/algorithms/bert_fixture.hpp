#pragma once
// Shared by the bert and embedding_regression tests: the tiny random BERT checkpoint of
// ../shared/fixtures/bert (tests skip when it is absent), a 6-item catalog with title and genres
// (item 4 has no text at all, item 5 has text but no training interaction), and fitting a
// registered algorithm on it with an optional cache folder and a captured log.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "algorithms/bert/text_embedder.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/logger.hpp"
#include "test_support.hpp"

namespace tailrec::test {

inline std::string tiny_bert() { return std::string(TAILREC_SHARED_DIR) + "/fixtures/bert/tiny-random-bert"; }

#define SKIP_WITHOUT_TINY_BERT()                                   \
  if (!std::filesystem::exists(::tailrec::test::tiny_bert() + "/model.safetensors")) \
  GTEST_SKIP() << ::tailrec::test::tiny_bert() << " not available"

struct BertExample {
  Interactions train;
  ItemContent content{6};
  BertExample() {
    InteractionLog log;
    // 5 users x 6 items; user 4 has no training item, item 5 none either (a cold item with text).
    const std::vector<std::array<float, 3>> triples{{0, 0, 5}, {0, 1, 3}, {0, 2, 4}, {1, 0, 4}, {1, 2, 2},
                                                    {1, 3, 5}, {2, 1, 1}, {2, 3, 4}, {2, 4, 5}, {3, 0, 3},
                                                    {3, 4, 2}, {3, 3, 4}};
    for (const auto& t : triples) log.push(static_cast<int32_t>(t[0]), static_cast<int32_t>(t[1]), t[2]);
    log.has_ratings = true;
    train = Interactions(log, 5, 6);
    content.field("title") = {"Star Wars: Episode IV", "Love Actually", "War of the Worlds", "Notting Hill", "",
                              "Space Odyssey 2001"};
    content.field("genres") = {"Action Adventure Sci-Fi", "Comedy Romance", "Action Sci-Fi Thriller",
                               "Comedy Drama Romance", "", ""};
  }
  // The texts `fusion: concat` encodes, in item order (items with text only).
  std::vector<std::string> concat_texts() const {
    std::vector<std::string> texts;
    for (int32_t i = 0; i < 6; ++i) {
      std::string t = content.value("title", i);
      const auto& g = content.value("genres", i);
      if (!g.empty()) t += (t.empty() ? "" : ". ") + g;
      if (!t.empty()) texts.push_back(t);
    }
    return texts;
  }
};

struct Fitted {
  std::unique_ptr<Algorithm> algorithm;
  std::string log;  // what the fit logged
};

// `yaml` holds the algorithm's parameters; an algorithm with a `model` parameter gets the fixture
// unless the yaml names one.
inline Fitted fit_registered(const std::string& name, const std::string& yaml, const Interactions& train,
                             const ItemContent& content, int threads = 1, const std::filesystem::path& cache_dir = {}) {
  const auto& entry = registries().algorithms.at(name);
  YAML::Node values = YAML::Load(yaml);
  if (!values.IsMap()) values = YAML::Node(YAML::NodeType::Map);
  const bool has_model = std::any_of(entry.params.begin(), entry.params.end(), [](const auto& p) { return p.name == "model"; });
  if (has_model && !values["model"]) values["model"] = tiny_bert();
  auto algorithm = entry.create(Params::from_yaml(entry.params, values, name));
  testing::TempDir logs;
  const auto log_file = (logs / "fit.log").string();
  {
    Logger log;
    log.set_quiet(true);
    log.open_file(log_file);
    algorithm->fit(FitContext{train, content, nullptr, 7, threads, Device::Cpu, &log, {}, cache_dir});
  }
  return {std::move(algorithm), testing::read_text(log_file)};
}

inline std::vector<float> score_users(const Algorithm& a, int32_t users) {
  std::vector<int32_t> ids(static_cast<size_t>(users));
  for (int32_t u = 0; u < users; ++u) ids[static_cast<size_t>(u)] = u;
  std::vector<float> out(static_cast<size_t>(users) * static_cast<size_t>(a.num_items()));
  a.score(ids, out);
  return out;
}

// Independent references for the bert tests: item rows [6 x dim] from TextEmbedder outputs (the
// embedded texts go to the items that have text, the others stay zero), and plain dot/cosine.
using Matrix = std::vector<std::vector<double>>;

inline Matrix item_rows(const Embeddings& e, const std::vector<int32_t>& items_with_text) {
  Matrix rows(6, std::vector<double>(static_cast<size_t>(e.dim), 0.0));
  for (size_t t = 0; t < items_with_text.size(); ++t)
    for (int64_t d = 0; d < e.dim; ++d)
      rows[static_cast<size_t>(items_with_text[t])][static_cast<size_t>(d)] = e.row(static_cast<int64_t>(t))[static_cast<size_t>(d)];
  return rows;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t d = 0; d < a.size(); ++d) s += a[d] * b[d];
  return s;
}

inline double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  const double na = std::sqrt(dot(a, a)), nb = std::sqrt(dot(b, b));
  return na == 0 || nb == 0 ? 0.0 : dot(a, b) / (na * nb);
}

// The concat embeddings of a BertExample, straight from a TextEmbedder (item 4 has no text: zeros).
inline Matrix concat_embeddings(const BertExample& ex) {
  const TextEmbedder embedder(tiny_bert(), EmbedOptions{});
  return item_rows(embedder.embed(ex.concat_texts()), {0, 1, 2, 3, 5});
}

// A user's bert profile computed independently: each training item's weight (1 for binary, the
// rating minus the user's mean rating for centered) and the profile sum_j weight_j e_j.
struct ReferenceProfile {
  std::vector<double> weights;  // in the order of train.items_of(user)
  std::vector<double> profile;
};
inline ReferenceProfile reference_profile(const BertExample& ex, const Matrix& e, int32_t user,
                                          const std::string& profile_weights) {
  const auto items = ex.train.items_of(user);
  const auto ratings = ex.train.values_of(user);
  double mean = 0;
  for (float r : ratings) mean += r;
  if (!ratings.empty()) mean /= static_cast<double>(ratings.size());
  ReferenceProfile out{std::vector<double>(items.size()), std::vector<double>(e[0].size(), 0.0)};
  for (size_t n = 0; n < items.size(); ++n) {
    out.weights[n] = profile_weights == "binary" ? 1.0 : ratings[n] - mean;
    for (size_t d = 0; d < out.profile.size(); ++d) out.profile[d] += out.weights[n] * e[static_cast<size_t>(items[n])][d];
  }
  return out;
}

}  // namespace tailrec::test
