// The tfidf vectorizer against scikit-learn (tests/data/tfidf/sklearn_tfidf.json, made by
// tests/tools/make_tfidf_fixture.py), field fusion, and the tfidf algorithm on a 3-item example
// computed by hand: profile and item_knn scores, cold items, users without items, determinism.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "algorithms/content/item_features.hpp"
#include "algorithms/content/tfidf_vectorizer.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// --- scikit-learn parity --------------------------------------------------------------------------

DocumentFrequencyBound bound_of(const nlohmann::json& v) {
  return v.is_number_integer() ? DocumentFrequencyBound::count(v.get<int64_t>())
                               : DocumentFrequencyBound::fraction(v.get<double>());
}

TEST(TfidfVectorizer, MatchesScikitLearnOnTheFixture) {
  std::ifstream in(std::string(TAILREC_TEST_DATA) + "/tfidf/sklearn_tfidf.json");
  ASSERT_TRUE(in) << "missing tests/data/tfidf/sklearn_tfidf.json";
  const auto fixture = nlohmann::json::parse(in);
  const auto texts = fixture.at("texts").get<std::vector<std::string>>();
  ASSERT_EQ(texts.size(), 30u);
  ASSERT_EQ(fixture.at("cases").size(), 4u);
  for (const auto& c : fixture.at("cases")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const auto& p = c.at("params");
    TextPipelineOptions pipeline = TextPipelineOptions::sklearn();
    TfidfOptions options;
    if (p.contains("stop_words")) pipeline.remove_stop_words = true;
    if (p.contains("ngram_range")) pipeline.ngram_max = p.at("ngram_range")[1].get<int>();
    if (p.contains("sublinear_tf")) options.sublinear_tf = p.at("sublinear_tf").get<bool>();
    if (p.contains("smooth_idf")) options.smooth_idf = p.at("smooth_idf").get<bool>();
    if (p.contains("norm")) options.normalize = !p.at("norm").is_null();
    if (p.contains("min_df")) options.min_df = bound_of(p.at("min_df"));
    if (p.contains("max_df")) options.max_df = bound_of(p.at("max_df"));

    TfidfVectorizer vectorizer{TextPipeline(pipeline), options};
    const auto matrix = vectorizer.fit_transform(texts, 2);
    EXPECT_EQ(vectorizer.vocabulary(), c.at("vocabulary").get<std::vector<std::string>>());
    const auto idf = c.at("idf").get<std::vector<double>>();
    ASSERT_EQ(vectorizer.idf().size(), idf.size());
    for (size_t t = 0; t < idf.size(); ++t) EXPECT_NEAR(vectorizer.idf()[t], idf[t], 1e-9) << t;
    const auto& rows = c.at("rows");
    ASSERT_EQ(matrix.rows(), static_cast<Eigen::Index>(rows.size()));
    for (size_t d = 0; d < rows.size(); ++d) {
      std::vector<std::pair<int, double>> ours;
      for (TfidfMatrix::InnerIterator it(matrix, static_cast<Eigen::Index>(d)); it; ++it)
        ours.emplace_back(static_cast<int>(it.col()), it.value());
      ASSERT_EQ(ours.size(), rows[d].size()) << "document " << d << ": " << texts[d];
      for (size_t k = 0; k < ours.size(); ++k) {
        EXPECT_EQ(ours[k].first, rows[d][k][0].get<int>()) << "document " << d;
        EXPECT_NEAR(ours[k].second, rows[d][k][1].get<double>(), 1e-6) << "document " << d;
      }
    }
  }
}

TEST(TfidfVectorizer, ParsesDocumentFrequencyBoundsLikeSklearn) {
  const auto count = DocumentFrequencyBound::parse(YAML::Load("2"));
  EXPECT_FALSE(count.proportion);
  EXPECT_EQ(count.documents(10), 2.0);
  const auto share = DocumentFrequencyBound::parse(YAML::Load("1.0"));  // 1.0 is all, 1 is one
  EXPECT_TRUE(share.proportion);
  EXPECT_EQ(share.documents(10), 10.0);
  EXPECT_EQ(DocumentFrequencyBound::parse(YAML::Load("0.25")).documents(8), 2.0);
  EXPECT_NE(error_of([] { DocumentFrequencyBound::parse(YAML::Load("0")); }).find("at least 1"), std::string::npos);
  EXPECT_NE(error_of([] { DocumentFrequencyBound::parse(YAML::Load("1.5")); }).find("[0.0, 1.0]"), std::string::npos);
  EXPECT_NE(error_of([] { DocumentFrequencyBound::parse(YAML::Load("lots")); }).find("'lots' is neither"), std::string::npos);
}

TEST(TfidfVectorizer, RejectsMaxDfBelowMinDf) {
  TfidfOptions options;
  options.min_df = DocumentFrequencyBound::count(3);
  options.max_df = DocumentFrequencyBound::fraction(0.5);  // 0.5 * 4 = 2 documents < 3
  TfidfVectorizer vectorizer{TextPipeline(), options};
  const auto message = error_of([&] { vectorizer.fit_transform({"a b", "c d", "e f", "g h"}); });
  EXPECT_NE(message.find("lower min_df or raise max_df"), std::string::npos) << message;
}

// --- the 3-item example -----------------------------------------------------------------------------
//
// Titles: item 0 "space war", item 1 "space love", item 2 "love story"; n = 3 documents.
// Vocabulary (sorted): love, space, story, war. df: love 2, space 2, story 1, war 1.
// idf: a = ln(4/3) + 1 = 1.2876821 (df 2), b = ln(4/2) + 1 = 1.6931472 (df 1). Every count is 1.
// |(a, b)| = sqrt(a^2 + b^2) = 2.1271748, so
//   x0 = (0, a, 0, b) / 2.1271748 = (0, 0.6053485, 0, 0.7959605)
//   x1 = (a, a, 0, 0) / (a sqrt 2)  = (0.7071068, 0.7071068, 0, 0)
//   x2 = (a, 0, b, 0) / 2.1271748 = (0.6053485, 0, 0.7959605, 0)
// cos(x0, x1) = 0.6053485 * 0.7071068 = 0.4280460 = cos(x1, x2); cos(x0, x2) = 0.
constexpr double kA = 0.6053485081062916;
constexpr double kB = 0.7959605415681652;
constexpr double kCos01 = 0.4280460350631185;

struct Example {
  Interactions train;
  ItemContent content{3};
  // user 0: item 0 (rating 4); user 1: items 0 (5) and 2 (1); user 2: nothing.
  // Item 1 has no training interaction: it is a cold item.
  Example() {
    InteractionLog log;
    log.push(0, 0, 4);
    log.push(1, 0, 5);
    log.push(1, 2, 1);
    log.has_ratings = true;
    train = Interactions(log, 3, 3);
    auto& title = content.field("title");
    title = {"space war", "space love", "love story"};
  }
};

std::unique_ptr<Algorithm> fit_tfidf(const std::string& yaml, const Interactions& train, const ItemContent& content,
                                     int threads = 1) {
  const auto& entry = registries().algorithms.at("tfidf");
  auto algorithm = entry.create(Params::from_yaml(entry.params, YAML::Load(yaml), "tfidf"));
  FitContext context{train, content, nullptr, 7, threads, Device::Cpu, &Logger::null(), {}};
  algorithm->fit(context);
  return algorithm;
}

std::vector<float> scores(const Algorithm& a, int32_t users) {
  std::vector<int32_t> ids(static_cast<size_t>(users));
  for (int32_t u = 0; u < users; ++u) ids[static_cast<size_t>(u)] = u;
  std::vector<float> out(static_cast<size_t>(users) * static_cast<size_t>(a.num_items()));
  a.score(ids, out);
  return out;
}

TEST(Tfidf, ItemVectorsMatchTheHandComputation) {
  Example ex;
  const auto features = build_item_features(ex.content, {{"title", 1}}, TextPipelineOptions::sklearn(), {}, 1);
  const Eigen::MatrixXf dense(features.matrix);
  Eigen::MatrixXf expected(3, 4);
  expected << 0, kA, 0, kB,  //
      M_SQRT1_2, M_SQRT1_2, 0, 0,  //
      kA, 0, kB, 0;
  EXPECT_TRUE(dense.isApprox(expected, 1e-6f)) << dense;
  EXPECT_EQ(features.blocks[0].vocabulary, (std::vector<std::string>{"love", "space", "story", "war"}));
}

TEST(Tfidf, FusesFieldsWithWeights) {
  // genres: "Drama" for items 0 and 1, none for item 2. One term, so each non-empty genre row is (1).
  // Item 0 = (x0 title, 2 * 1 genre) / sqrt(1 + 4): title entries 0.6053485 / sqrt 5 = 0.2707201 and
  // 0.7959605 / sqrt 5 = 0.3559644, genre 2 / sqrt 5 = 0.8944272. Item 2 has no genre: x2 unchanged.
  Example ex;
  ex.content.field("genres") = {"Drama", "Drama", ""};
  const auto features =
      build_item_features(ex.content, {{"title", 1}, {"genres", 2}}, TextPipelineOptions::sklearn(), {}, 1);
  ASSERT_EQ(features.matrix.cols(), 5);
  EXPECT_EQ(features.blocks[1].offset, 4);
  const Eigen::MatrixXf dense(features.matrix);
  EXPECT_NEAR(dense(0, 1), 0.2707201, 1e-6);
  EXPECT_NEAR(dense(0, 3), 0.3559644, 1e-6);
  EXPECT_NEAR(dense(0, 4), 0.8944272, 1e-6);
  EXPECT_NEAR(dense(2, 0), kA, 1e-6);
  EXPECT_NEAR(dense(2, 2), kB, 1e-6);
  EXPECT_EQ(dense(2, 4), 0.0f);
}

TEST(Tfidf, ProfileScoresAreCosinesAndCoverColdItems) {
  Example ex;
  const auto a = fit_tfidf("{fields: {title: 1}, tokenizer: sklearn}", ex.train, ex.content);
  const auto s = scores(*a, 3);
  // user 0: profile = x0. scores = (x0.x0, x0.x1, x0.x2) = (1, 0.4280460, 0).
  EXPECT_NEAR(s[0], 1.0, 1e-6);
  EXPECT_NEAR(s[1], kCos01, 1e-6);  // item 1 is cold: scored from its text
  EXPECT_NEAR(s[2], 0.0, 1e-6);
  // user 1: profile = x0 + x2, |x0 + x2| = sqrt 2 (unit, orthogonal). score(item 1) =
  // (0.4280460 + 0.4280460) / sqrt 2 = 0.6053485; items 0 and 2: (1 + 0) / sqrt 2 = 0.7071068.
  EXPECT_NEAR(s[3], M_SQRT1_2, 1e-6);
  EXPECT_NEAR(s[4], 2 * kCos01 / M_SQRT2, 1e-6);
  EXPECT_NEAR(s[5], M_SQRT1_2, 1e-6);
  // user 2 has no training item: 0 everywhere.
  EXPECT_EQ(s[6], 0.0f);
  EXPECT_EQ(s[7], 0.0f);
  EXPECT_EQ(s[8], 0.0f);
}

TEST(Tfidf, CenteredProfilesWeighByRatingMinusMean) {
  // user 1: ratings 5 and 1, mean 3, weights +2 and -2: profile = 2 x0 - 2 x2, unit = (x0 - x2) / sqrt 2.
  // score(item 0) = 1 / sqrt 2, score(item 1) = (0.4280460 - 0.4280460) / sqrt 2 = 0, score(item 2) = -1 / sqrt 2.
  // user 0 has a single rating: weight 4 - 4 = 0, a zero profile, so 0 everywhere.
  Example ex;
  const auto a = fit_tfidf("{fields: {title: 1}, tokenizer: sklearn, profile_weights: centered}", ex.train, ex.content);
  const auto s = scores(*a, 3);
  EXPECT_EQ(s[0], 0.0f);
  EXPECT_NEAR(s[3], M_SQRT1_2, 1e-6);
  EXPECT_NEAR(s[4], 0.0, 1e-6);
  EXPECT_NEAR(s[5], -M_SQRT1_2, 1e-6);
}

TEST(Tfidf, ItemKnnSumsNeighbourSimilarities) {
  // Similarities: cos(0,1) = cos(1,2) = 0.4280460, cos(0,2) = 0. With k = 1: item 0 -> {1},
  // item 2 -> {1}, item 1 -> {0} (a tie with item 2, broken by the lower index).
  // user 0 (item 0): score(1) = 0.4280460, others 0. user 1 (items 0, 2): score(1) = 2 * 0.4280460
  // = 0.8560921, score(0) = 0 (item 0 is only item 1's neighbour, and item 1 is not the user's).
  Example ex;
  const auto a = fit_tfidf("{fields: {title: 1}, tokenizer: sklearn, mode: item_knn, k: 1}", ex.train, ex.content);
  const auto s = scores(*a, 3);
  EXPECT_EQ(s[0], 0.0f);
  EXPECT_NEAR(s[1], kCos01, 1e-6);
  EXPECT_EQ(s[2], 0.0f);
  EXPECT_EQ(s[3], 0.0f);
  EXPECT_NEAR(s[4], 2 * kCos01, 1e-6);
  EXPECT_EQ(s[5], 0.0f);
  for (size_t i = 6; i < 9; ++i) EXPECT_EQ(s[i], 0.0f);
}

// A larger random catalog: words drawn from a small vocabulary, some items never interacted with.
struct RandomCatalog {
  Interactions train;
  ItemContent content{120};
  RandomCatalog() {
    const char* words[] = {"space", "war", "love", "story", "funny", "dark", "city", "night", "robot", "dream",
                           "family", "murder", "island", "ghost", "music", "king", "school", "road", "heist", "storm"};
    Random rng(5);
    auto& title = content.field("title");
    auto& genres = content.field("genres");
    for (auto& t : title)
      for (int w = 0; w < 4; ++w) t += std::string(words[rng.below(20)]) + " ";
    for (auto& g : genres) g = std::string(words[rng.below(5)]) + "|" + words[rng.below(5)];
    InteractionLog log;
    for (int32_t u = 0; u < 40; ++u)
      for (int32_t i = 0; i < 100; ++i)  // items 100..119 stay cold
        if (rng.below(8) == 0) log.push(u, i, static_cast<float>(1 + rng.below(5)));
    log.has_ratings = true;
    train = Interactions(log, 40, 120);
  }
};

TEST(Tfidf, IsDeterministicAndIndependentOfThreadsAndBlocks) {
  RandomCatalog c;
  for (const std::string yaml : {"{fields: {title: 1, genres: 0.5}}", "{mode: item_knn, k: 10, ngram_max: 2}",
                                 "{profile_weights: centered, min_df: 2, max_df: 0.9}"}) {
    SCOPED_TRACE(yaml);
    const auto one = fit_tfidf(yaml, c.train, c.content, 1);
    const auto two = fit_tfidf(yaml, c.train, c.content, 2);
    const auto block = scores(*one, 40);
    EXPECT_EQ(scores(*two, 40), block);
    for (int32_t u = 0; u < 40; u += 7) {  // a user alone scores as inside a block
      std::vector<float> row(120);
      one->score(std::span<const int32_t>(&u, 1), row);
      for (size_t i = 0; i < 120; ++i) EXPECT_EQ(row[i], block[static_cast<size_t>(u) * 120 + i]);
    }
    // Cold items 100..119 receive non-zero scores for some user.
    float cold = 0;
    for (int32_t u = 0; u < 40; ++u)
      for (size_t i = 100; i < 120; ++i) cold = std::max(cold, std::abs(block[static_cast<size_t>(u) * 120 + i]));
    EXPECT_GT(cold, 0.0f);
  }
}

TEST(Tfidf, ExplainsBadParametersAndMissingText) {
  Example ex;
  auto message = error_of([&] { fit_tfidf("{fields: {titel: 1}}", ex.train, ex.content); });
  EXPECT_NE(message.find("no text field 'titel' (did you mean 'title'?)"), std::string::npos) << message;
  message = error_of([&] { fit_tfidf("{fields: {title: -1}}", ex.train, ex.content); });
  EXPECT_NE(message.find("must be a number > 0"), std::string::npos) << message;
  message = error_of([&] { fit_tfidf("{fields: [title]}", ex.train, ex.content); });
  EXPECT_NE(message.find("non-empty map"), std::string::npos) << message;
  message = error_of([&] { fit_tfidf("{min_df: 0}", ex.train, ex.content); });
  EXPECT_NE(message.find("min_df"), std::string::npos) << message;
  message = error_of([&] { fit_tfidf("{min_df: 3}", ex.train, ex.content); });  // every term is in < 3 titles
  EXPECT_NE(message.find("no term is left"), std::string::npos) << message;
  const ItemContent none(3);
  message = error_of([&] { fit_tfidf("{}", ex.train, none); });
  EXPECT_NE(message.find("no item content"), std::string::npos) << message;
}

}  // namespace
}  // namespace tailrec
