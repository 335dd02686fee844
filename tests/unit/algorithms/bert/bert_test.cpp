// The bert algorithm on the tiny random checkpoint (../shared/fixtures/bert): profile and item_knn
// scores against an independent computation from TextEmbedder outputs, field fusion (mean vs
// concat), items without text, the embedding cache (hit, corrupted file recomputed), thread-count
// independence, a weighted hybrid with a bert component, and parameter errors.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "algorithms/bert/embedding_cache.hpp"
#include "algorithms/bert/item_text_embedding.hpp"
#include "algorithms/bert/model_location.hpp"
#include "algorithms/bert/text_embedder.hpp"
#include "algorithms/hybrid/score_normalization.hpp"
#include "framework/util/error.hpp"
#include "unit/algorithms/bert_fixture.hpp"
#include "unit/algorithms/bert_test_support.hpp"

namespace tailrec {
namespace {

using test::BertExample;
using test::fit_registered;
using test::score_users;
using test::tiny_bert;

using testing::error_of;

using test::concat_embeddings;
using test::cosine;
using test::dot;
using test::item_rows;
using test::Matrix;

TEST(Bert, ProfileScoresEqualCosinesOfIndependentEmbeddings) {
  SKIP_WITHOUT_TINY_BERT();
  BertExample ex;
  const auto e = concat_embeddings(ex);
  for (const std::string weights : {"binary", "centered"}) {
    SCOPED_TRACE(weights);
    const auto fitted = fit_registered("bert", "{fields: {title: 1, genres: 1}, profile_weights: " + weights + "}",
                                       ex.train, ex.content);
    const auto scores = score_users(*fitted.algorithm, 5);
    for (int32_t u = 0; u < 5; ++u) {
      const auto profile = test::reference_profile(ex, e, u, weights).profile;
      for (int32_t i = 0; i < 6; ++i)
        EXPECT_NEAR(scores[static_cast<size_t>(u * 6 + i)], cosine(profile, e[static_cast<size_t>(i)]), 1e-5)
            << "user " << u << " item " << i;
    }
    // Item 4 has no text (zero embedding) and user 4 no training item: both score exactly 0.
    for (int32_t u = 0; u < 5; ++u) EXPECT_EQ(scores[static_cast<size_t>(u * 6 + 4)], 0.0f);
    for (int32_t i = 0; i < 6; ++i) EXPECT_EQ(scores[static_cast<size_t>(4 * 6 + i)], 0.0f);
    EXPECT_NE(fitted.log.find("1 items have no text"), std::string::npos) << fitted.log;
  }
}

TEST(Bert, FusionMeanIsTheWeightedMeanOfFieldEmbeddingsAndConcatEncodesJoinedText) {
  SKIP_WITHOUT_TINY_BERT();
  BertExample ex;
  const TextEmbedder embedder(tiny_bert(), EmbedOptions{});
  const FitContext context{ex.train, ex.content, nullptr, 7, 1, Device::Cpu, &Logger::null(), {}};
  const auto settings_of = [](const std::string& yaml) {
    const auto schema = text_embedding_params();
    YAML::Node values = YAML::Load(yaml);
    values["model"] = tiny_bert();
    return parse_text_embedding_settings(Params::from_yaml(schema, values, "bert"));
  };
  const auto mean = embed_item_texts(settings_of("{fields: {title: 2, genres: 1}, fusion: mean}"), context, "bert");
  const auto concat = embed_item_texts(settings_of("{fields: {title: 1, genres: 1}}"), context, "bert");
  ASSERT_EQ(mean.matrix.rows, 6);
  ASSERT_EQ(mean.matrix.dim, 32);
  EXPECT_EQ(mean.empty_items, 1);
  EXPECT_EQ(concat.empty_items, 1);
  for (int32_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    const std::string title = ex.content.value("title", i), genres = ex.content.value("genres", i);
    std::vector<double> expected(32, 0.0);
    double weights = 0;
    for (const auto& [text, w] : {std::pair{title, 2.0}, std::pair{genres, 1.0}}) {
      if (text.empty()) continue;
      const std::vector<std::string> one{text};
      const auto e = embedder.embed(one);
      for (size_t d = 0; d < 32; ++d) expected[d] += w * e.row(0)[d];
      weights += w;
    }
    for (size_t d = 0; d < 32; ++d) {
      const double want = weights == 0 ? 0.0 : expected[d] / weights;
      EXPECT_NEAR(mean.matrix.row(i)[d], want, 1e-5) << "dim " << d;
    }
  }
  const auto independent = concat_embeddings(ex);
  double differs = 0;
  for (int32_t i = 0; i < 6; ++i)
    for (size_t d = 0; d < 32; ++d) {
      EXPECT_NEAR(concat.matrix.row(i)[d], independent[static_cast<size_t>(i)][d], 1e-6);
      differs = std::max(differs, std::abs(double(concat.matrix.row(i)[d]) - mean.matrix.row(i)[d]));
    }
  EXPECT_GT(differs, 1e-3) << "mean and concat fusion should give different embeddings";
}

TEST(Bert, ItemKnnScoresSumTheTopKCosines) {
  SKIP_WITHOUT_TINY_BERT();
  BertExample ex;
  const auto e = concat_embeddings(ex);
  const int k = 2;
  const auto fitted = fit_registered("bert", "{fields: {title: 1, genres: 1}, mode: item_knn, k: 2}", ex.train, ex.content);
  const auto scores = score_users(*fitted.algorithm, 5);
  // N_k(j): the k items i != j with the largest positive cosine, ties by lower index.
  std::vector<std::vector<double>> knn(6, std::vector<double>(6, 0.0));
  for (size_t j = 0; j < 6; ++j) {
    std::vector<std::pair<double, size_t>> candidates;
    for (size_t i = 0; i < 6; ++i)
      if (i != j && cosine(e[j], e[i]) > 0) candidates.emplace_back(cosine(e[j], e[i]), i);
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (size_t n = 0; n < std::min<size_t>(k, candidates.size()); ++n) knn[j][candidates[n].second] = candidates[n].first;
  }
  for (int32_t u = 0; u < 5; ++u)
    for (size_t i = 0; i < 6; ++i) {
      double expected = 0;
      for (int32_t j : ex.train.items_of(u)) expected += knn[static_cast<size_t>(j)][i];
      EXPECT_NEAR(scores[static_cast<size_t>(u) * 6 + i], expected, 1e-5) << "user " << u << " item " << i;
    }
}

TEST(Bert, ScoresDoNotDependOnThreadsOrBlocks) {
  SKIP_WITHOUT_TINY_BERT();
  BertExample ex;
  for (const std::string mode : {"profile", "item_knn"}) {
    const std::string yaml = "{mode: " + mode + ", k: 3}";
    const auto one = fit_registered("bert", yaml, ex.train, ex.content, 1);
    const auto two = fit_registered("bert", yaml, ex.train, ex.content, 2);
    const auto block = score_users(*one.algorithm, 5);
    EXPECT_EQ(block, score_users(*two.algorithm, 5)) << mode;
    for (int32_t u = 0; u < 5; ++u) {
      std::vector<float> alone(6);
      one.algorithm->score(std::span<const int32_t>(&u, 1), alone);
      for (size_t i = 0; i < 6; ++i) EXPECT_EQ(alone[i], block[static_cast<size_t>(u) * 6 + i]) << mode;
    }
  }
}

TEST(Bert, EmbeddingCacheHitsAndRecomputesADamagedFile) {
  SKIP_WITHOUT_TINY_BERT();
  BertExample ex;
  testing::TempDir cache;
  const std::string yaml = "{fields: {title: 1, genres: 1}}";
  const auto first = fit_registered("bert", yaml, ex.train, ex.content, 1, cache.path());
  EXPECT_NE(first.log.find("embedding cache miss: encoded 5 texts in"), std::string::npos) << first.log;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(cache / "embeddings")) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(first.log.find("stored " + files[0].string()), std::string::npos) << first.log;
  const auto expected = score_users(*first.algorithm, 5);

  const auto second = fit_registered("bert", yaml, ex.train, ex.content, 1, cache.path());
  EXPECT_NE(second.log.find("embedding cache hit: " + files[0].string()), std::string::npos) << second.log;
  EXPECT_EQ(second.log.find("cache miss"), std::string::npos) << second.log;
  EXPECT_EQ(score_users(*second.algorithm, 5), expected);

  // One flipped bit among the values: the checksum catches it, the embeddings are recomputed.
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-20, std::ios::end);
    char c = 0;
    f.read(&c, 1);
    f.seekp(-20, std::ios::end);
    c ^= 0x01;
    f.write(&c, 1);
  }
  const auto third = fit_registered("bert", yaml, ex.train, ex.content, 1, cache.path());
  EXPECT_NE(third.log.find("fails its checksum"), std::string::npos) << third.log;
  EXPECT_NE(third.log.find("embedding cache miss"), std::string::npos) << third.log;
  EXPECT_EQ(score_users(*third.algorithm, 5), expected);

  // A truncated file is rejected too; the rewritten one hits again.
  std::filesystem::resize_file(files[0], std::filesystem::file_size(files[0]) - 7);
  const auto fourth = fit_registered("bert", yaml, ex.train, ex.content, 1, cache.path());
  EXPECT_NE(fourth.log.find("bytes after its header"), std::string::npos) << fourth.log;
  EXPECT_EQ(score_users(*fourth.algorithm, 5), expected);
  EXPECT_NE(fit_registered("bert", yaml, ex.train, ex.content, 1, cache.path()).log.find("embedding cache hit"),
            std::string::npos);

  // Other texts or another fusion give another key; cache: false writes nothing.
  const auto other = fit_registered("bert", "{fields: {title: 1}}", ex.train, ex.content, 1, cache.path());
  EXPECT_NE(other.log.find("embedding cache miss"), std::string::npos);
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(cache / "embeddings")) ++count;
  EXPECT_EQ(count, 2u);
  testing::TempDir off;
  const auto uncached = fit_registered("bert", "{cache: false}", ex.train, ex.content, 1, off.path());
  EXPECT_NE(uncached.log.find("embedding cache off"), std::string::npos) << uncached.log;
  EXPECT_FALSE(std::filesystem::exists(off / "embeddings"));
}

TEST(Bert, WeightedHybridBlendsBertAndUserKnn) {
  SKIP_WITHOUT_TINY_BERT();
  BertExample ex;
  const std::string bert = "{name: bert, model: '" + tiny_bert() + "', fields: {title: 1, genres: 1}}";
  const auto hybrid = fit_registered("weighted", "{components: [" + bert + ", user_knn], alpha: [0.7, 0.3]}", ex.train,
                                     ex.content);
  const auto alone_bert = fit_registered("bert", "{fields: {title: 1, genres: 1}}", ex.train, ex.content);
  const auto alone_knn = fit_registered("user_knn", "{}", ex.train, ex.content);
  const auto blended = score_users(*hybrid.algorithm, 5);
  auto b = score_users(*alone_bert.algorithm, 5);
  auto k = score_users(*alone_knn.algorithm, 5);
  for (size_t u = 0; u < 5; ++u) {
    normalize_row(std::span<float>(b).subspan(u * 6, 6), Normalization::MinMax);
    normalize_row(std::span<float>(k).subspan(u * 6, 6), Normalization::MinMax);
    for (size_t i = 0; i < 6; ++i)
      EXPECT_NEAR(blended[u * 6 + i], 0.7 * b[u * 6 + i] + 0.3 * k[u * 6 + i], 1e-6) << "user " << u << " item " << i;
  }
}

TEST(Bert, ModelIdsResolveInTheFetchFolder) {
  testing::TempDir models;
  std::filesystem::create_directories(models / "owner--name");
  const char* saved = std::getenv("TAILREC_MODEL_DIR");
  const std::string keep = saved ? saved : "";
  ::setenv("TAILREC_MODEL_DIR", models.path().c_str(), 1);
  EXPECT_EQ(model_root_dir(), models.path());
  EXPECT_EQ(resolve_model_location("owner/name"), models / "owner--name");
  EXPECT_EQ(resolve_model_location(models.path().string()), models.path());  // a folder as given
  const auto absent = error_of([] { resolve_model_location("owner/other"); });
  EXPECT_NE(absent.find("no checkpoint folder 'owner/other'"), std::string::npos) << absent;
  EXPECT_NE(absent.find((models / "owner--other").string()), std::string::npos) << absent;
  EXPECT_NE(absent.find("tailrec model fetch owner/other"), std::string::npos) << absent;
  if (saved) ::setenv("TAILREC_MODEL_DIR", keep.c_str(), 1);
  else ::unsetenv("TAILREC_MODEL_DIR");
}

TEST(Bert, BadParametersGiveClearErrors) {
  const auto& entry = registries().algorithms.at("bert");
  const auto create = [&](const std::string& yaml) {
    return error_of([&] { entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "algorithms[0]")); });
  };
  const auto missing = create("{model: /nonexistent/model}");
  EXPECT_NE(missing.find("config key 'algorithms[0].model'"), std::string::npos) << missing;
  EXPECT_NE(missing.find("no checkpoint folder '/nonexistent/model'"), std::string::npos) << missing;
  const auto id = create("{model: org/not-fetched-model}");
  EXPECT_NE(id.find("tailrec model fetch org/not-fetched-model"), std::string::npos) << id;
  SKIP_WITHOUT_TINY_BERT();
  const std::string model = "model: '" + tiny_bert() + "'";
  const auto weights = create("{" + model + ", fields: {title: 2, genres: 1}}");
  EXPECT_NE(weights.find("config key 'algorithms[0].fields'"), std::string::npos) << weights;
  EXPECT_NE(weights.find("set fusion: mean"), std::string::npos) << weights;
  EXPECT_NE(create("{" + model + ", pooling: first}").find("'first' is not one of auto, mean, cls, max, pooler"),
            std::string::npos);
  EXPECT_NE(create("{" + model + ", fields: {title: 0}}").find("must be a number > 0"), std::string::npos);
  EXPECT_NE(create("{" + model + ", max_length: 1}").find("no room for [CLS] and [SEP]"), std::string::npos);

  BertExample ex;
  const auto field = error_of([&] { fit_registered("bert", "{fields: {titel: 1}}", ex.train, ex.content); });
  EXPECT_NE(field.find("has no text field 'titel' (did you mean 'title'?)"), std::string::npos) << field;
  const auto too_long = error_of([&] { fit_registered("bert", "{max_length: 500}", ex.train, ex.content); });
  EXPECT_NE(too_long.find("bert: embedding max_length 500 is out of range"), std::string::npos) << too_long;
  const ItemContent none(6);
  const auto no_text = error_of([&] { fit_registered("bert", "{}", ex.train, none); });
  EXPECT_NE(no_text.find("bert needs item text"), std::string::npos) << no_text;
}

}  // namespace
}  // namespace tailrec
