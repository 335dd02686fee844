// explain() of the content models: tfidf (profile: one reason per shared term; item_knn: one per
// liked item that has the target among its neighbours) on a 4-item example computed by hand, and
// bert (profile and item_knn) against contributions computed here from TextEmbedder outputs.
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "algorithms/bert/text_embedder.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/logger.hpp"
#include "unit/algorithms/bert_fixture.hpp"

namespace tailrec {
namespace {

// --- tfidf: the 4-item example ------------------------------------------------------------------
//
// Titles: 0 "space war", 1 "space love", 2 "love stories", 3 "space war stories". The english
// pipeline stems "stories" to "stori" (Porter step 1a: ies -> i); vocabulary (sorted): love, space,
// stori, war. n = 4 documents; df: love 2 (1, 2), space 3 (0, 1, 3), stori 2 (2, 3), war 2 (0, 3).
// idf = ln((1 + n) / (1 + df)) + 1: a = ln(5/3) + 1 = 1.5108256 (df 2), s = ln(5/4) + 1 = 1.2231436.
// Every count is 1 (tf = 1), rows L2-normalised, with N = sqrt(s^2 + a^2), M = sqrt(s^2 + 2 a^2):
//   x0 = (0, s, 0, a) / N     x1 = (a, s, 0, 0) / N
//   x2 = (1, 0, 1, 0) / sqrt2 x3 = (0, s, a, a) / M
// Cosines: cos(0,1) = s^2/N^2 = 0.395927, cos(0,2) = 0, cos(0,3) = N/M = 0.789565,
//          cos(1,2) = a/(sqrt2 N) = 0.549578, cos(1,3) = s^2/(N M) = 0.312610, cos(2,3) = a/(sqrt2 M) = 0.433928.
const double kA = std::log(5.0 / 3.0) + 1, kS = std::log(5.0 / 4.0) + 1;
const double kN = std::sqrt(kS * kS + kA * kA), kM = std::sqrt(kS * kS + 2 * kA * kA);

struct TextExample {
  ItemContent content{4};
  TextExample() { content.field("title") = {"space war", "space love", "love stories", "space war stories"}; }
};

InteractionLog log_of(const std::vector<std::array<float, 3>>& triples) {
  InteractionLog log;
  for (const auto& t : triples) log.push(static_cast<int32_t>(t[0]), static_cast<int32_t>(t[1]), t[2]);
  log.has_ratings = true;
  return log;
}

std::unique_ptr<Algorithm> fit(const std::string& name, const std::string& yaml, const Interactions& train,
                               const ItemContent& content) {
  const auto& entry = registries().algorithms.at(name);
  YAML::Node values = YAML::Load(yaml);
  if (!values.IsMap()) values = YAML::Node(YAML::NodeType::Map);
  if (name == "bert" && !values["model"]) values["model"] = test::tiny_bert();
  auto a = entry.create(Params::from_yaml(entry.params, values, name));
  a->fit(FitContext{train, content, nullptr, 7, 1, Device::Cpu, &Logger::null(), {}});
  return a;
}

float score_of(const Algorithm& a, int32_t user, int32_t item) {
  std::vector<float> row(static_cast<size_t>(a.num_items()));
  a.score(std::span<const int32_t>(&user, 1), row);
  return row[static_cast<size_t>(item)];
}

double weight_sum(const std::vector<Reason>& reasons) {
  double sum = 0;
  for (const auto& r : reasons) sum += r.weight;
  return sum;
}

TEST(ContentExplain, TfidfProfileNamesTheSharedStemmedTermsLargestFirst) {
  TextExample ex;
  // User 0 likes items 0 and 1 (binary): p = x0 + x1 = (a, 2s, 0, a) / N, so
  // p / |p| = (a, 2s, 0, a) / sqrt(2a^2 + 4s^2). Against x3 = (0, s, a, a) / M the products are
  // space 2s^2 / (sqrt(2a^2 + 4s^2) M) = 0.374186, war a^2 / (sqrt(2a^2 + 4s^2) M) = 0.285451,
  // love and stori 0: score(0, 3) = 0.659636.
  const Interactions train(log_of({{0, 0, 1}, {0, 1, 1}}), 1, 4);
  const auto a = fit("tfidf", "{}", train, ex.content);
  ASSERT_TRUE(a->explains());
  const double norm = std::sqrt(2 * kA * kA + 4 * kS * kS);
  const double space = 2 * kS * kS / (norm * kM), war = kA * kA / (norm * kM);
  const auto reasons = a->explain(0, 3, 10);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].kind, Reason::Kind::Term);
  EXPECT_EQ(reasons[0].text, "space");
  EXPECT_NEAR(reasons[0].weight, space, 1e-6);
  EXPECT_EQ(reasons[1].text, "war");
  EXPECT_NEAR(reasons[1].weight, war, 1e-6);
  EXPECT_NEAR(score_of(*a, 0, 3), space + war, 1e-6);
  EXPECT_NEAR(weight_sum(reasons), score_of(*a, 0, 3), 1e-5);
  // max_reasons cuts the list; 0 gives none.
  const auto top = a->explain(0, 3, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].text, "space");
  EXPECT_TRUE(a->explain(0, 3, 0).empty());
  // Item 2 = (1, 0, 1, 0)/sqrt2 shares only "love" with the profile: a / (sqrt(2a^2+4s^2) sqrt2) = 0.328915.
  const auto love = a->explain(0, 2, 10);
  ASSERT_EQ(love.size(), 1u);
  EXPECT_EQ(love[0].text, "love");
  EXPECT_NEAR(love[0].weight, kA / (norm * std::sqrt(2.0)), 1e-6);
  // The stemmed token: item 2's "stories" is stored as "stori".
  const Interactions likes_2(log_of({{0, 2, 1}}), 1, 4);
  const auto b = fit("tfidf", "{}", likes_2, ex.content);
  const auto stori = b->explain(0, 3, 10);
  ASSERT_EQ(stori.size(), 1u);
  EXPECT_EQ(stori[0].text, "stori");
  EXPECT_NEAR(stori[0].weight, kA / (std::sqrt(2.0) * kM), 1e-6);  // x2[stori] x3[stori] = cos(2,3)
}

TEST(ContentExplain, TfidfProfileLeavesOutNegativeTermsOfCenteredProfiles) {
  TextExample ex;
  // User 0 rates item 0 5 and item 2 1: mean 3, weights +2, -2, p = 2 (x0 - x2)
  // = 2 (-1/sqrt2, s/N, -1/sqrt2, a/N), |.| = 2 sqrt2 (both halves have unit norm). Against x3:
  // war a^2/(sqrt2 N M) = 0.337258, space s^2/(sqrt2 N M) = 0.221049, stori -a/(2M) = -0.306833 (left out).
  const Interactions train(log_of({{0, 0, 5}, {0, 2, 1}}), 1, 4);
  const auto a = fit("tfidf", "{profile_weights: centered}", train, ex.content);
  const double war = kA * kA / (std::sqrt(2.0) * kN * kM), space = kS * kS / (std::sqrt(2.0) * kN * kM);
  const double stori = -kA / (2 * kM);
  const auto reasons = a->explain(0, 3, 10);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].text, "war");
  EXPECT_NEAR(reasons[0].weight, war, 1e-6);
  EXPECT_EQ(reasons[1].text, "space");
  EXPECT_NEAR(reasons[1].weight, space, 1e-6);
  EXPECT_NEAR(score_of(*a, 0, 3), war + space + stori, 1e-6);
}

TEST(ContentExplain, TfidfItemKnnNamesTheLikedNeighbours) {
  TextExample ex;
  // User 0 likes items 0, 1, 2 (binary). With k = 3 every item's list holds item 3 if the cosine is
  // positive: contributions cos(0,3) = 0.789565 > cos(2,3) = 0.433928 > cos(1,3) = 0.312610.
  const Interactions train(log_of({{0, 0, 1}, {0, 1, 1}, {0, 2, 1}}), 1, 4);
  const double c03 = kN / kM, c13 = kS * kS / (kN * kM), c23 = kA / (std::sqrt(2.0) * kM);
  {
    const auto a = fit("tfidf", "{mode: item_knn, k: 3}", train, ex.content);
    const auto reasons = a->explain(0, 3, 10);
    ASSERT_EQ(reasons.size(), 3u);
    const std::vector<int32_t> ids{0, 2, 1};
    const std::vector<double> weights{c03, c23, c13};
    for (size_t n = 0; n < 3; ++n) {
      EXPECT_EQ(reasons[n].kind, Reason::Kind::Item);
      EXPECT_EQ(reasons[n].id, ids[n]);
      EXPECT_NEAR(reasons[n].weight, weights[n], 1e-6);
    }
    EXPECT_NEAR(weight_sum(reasons), score_of(*a, 0, 3), 1e-5);
    EXPECT_NEAR(score_of(*a, 0, 3), c03 + c13 + c23, 1e-6);
  }
  {
    // k = 2: item 1's neighbours are 2 (0.549578) and 0 (0.395927); item 3 is not among them, so
    // item 1 is no reason and adds nothing to the score.
    const auto a = fit("tfidf", "{mode: item_knn, k: 2}", train, ex.content);
    const auto reasons = a->explain(0, 3, 10);
    ASSERT_EQ(reasons.size(), 2u);
    EXPECT_EQ(reasons[0].id, 0);
    EXPECT_EQ(reasons[1].id, 2);
    EXPECT_NEAR(weight_sum(reasons), score_of(*a, 0, 3), 1e-5);
    EXPECT_NEAR(score_of(*a, 0, 3), c03 + c23, 1e-6);
  }
}

// --- bert: contributions from independent embeddings ------------------------------------------

using test::concat_embeddings;
using test::dot;
using test::Matrix;

struct Expected {
  int32_t id;
  double weight;
};

// The positive contributions, largest first, ties by lower id.
std::vector<Expected> sorted_positive(std::vector<Expected> all) {
  std::erase_if(all, [](const Expected& e) { return !(e.weight > 0); });
  std::sort(all.begin(), all.end(),
            [](const Expected& a, const Expected& b) { return a.weight != b.weight ? a.weight > b.weight : a.id < b.id; });
  return all;
}

void expect_reasons(const std::vector<Reason>& reasons, const std::vector<Expected>& expected, const std::string& where) {
  ASSERT_EQ(reasons.size(), expected.size()) << where;
  for (size_t n = 0; n < expected.size(); ++n) {
    EXPECT_EQ(reasons[n].kind, Reason::Kind::Item) << where;
    EXPECT_EQ(reasons[n].id, expected[n].id) << where << " reason " << n;
    EXPECT_NEAR(reasons[n].weight, expected[n].weight, 1e-5) << where << " reason " << n;
  }
}

TEST(ContentExplain, BertProfileNamesTheLikedItemsMostSimilarToTheTarget) {
  SKIP_WITHOUT_TINY_BERT();
  test::BertExample ex;
  const auto e = concat_embeddings(ex);
  int sums_checked = 0;
  for (const std::string weights : {"binary", "centered"}) {
    const auto a = fit("bert", "{fields: {title: 1, genres: 1}, profile_weights: " + weights + "}", ex.train, ex.content);
    ASSERT_TRUE(a->explains());
    for (int32_t u = 0; u < 5; ++u) {
      const auto items = ex.train.items_of(u);
      const auto [w, profile] = test::reference_profile(ex, e, u, weights);
      const double pn = std::sqrt(dot(profile, profile));
      for (int32_t i = 0; i < 6; ++i) {
        const std::string where = weights + " user " + std::to_string(u) + " item " + std::to_string(i);
        const auto& ei = e[static_cast<size_t>(i)];
        const double en = std::sqrt(dot(ei, ei));
        // cos(p_u, e_i) = sum_j a_uj <e_j, e_i> / (|p_u| |e_i|): one term per liked item j.
        std::vector<Expected> all;
        double negative = 0;
        if (pn > 0 && en > 0)
          for (size_t n = 0; n < items.size(); ++n) {
            const double c = w[n] * dot(e[static_cast<size_t>(items[n])], ei) / (pn * en);
            all.push_back({items[n], c});
            if (c < 0) negative += c;
          }
        const auto reasons = a->explain(u, i, 100);
        expect_reasons(reasons, sorted_positive(all), where);
        // The reasons and the left-out negative terms add up to the score.
        EXPECT_NEAR(weight_sum(reasons) + negative, score_of(*a, u, i), 1e-5) << where;
        if (negative == 0 && !reasons.empty()) {
          EXPECT_NEAR(weight_sum(reasons), score_of(*a, u, i), 1e-5) << where;
          ++sums_checked;
        }
        // The first reason alone with max_reasons = 1.
        const auto top = a->explain(u, i, 1);
        ASSERT_EQ(top.size(), std::min<size_t>(1, reasons.size())) << where;
        if (!top.empty()) {
          EXPECT_EQ(top[0].id, reasons[0].id) << where;
        }
      }
    }
  }
  EXPECT_GT(sums_checked, 10);  // enough cases where every term is positive
}

TEST(ContentExplain, BertItemKnnNamesTheLikedNeighbours) {
  SKIP_WITHOUT_TINY_BERT();
  test::BertExample ex;
  const auto e = concat_embeddings(ex);
  const size_t k = 2;
  // N_k(j): the k items i != j with the largest positive cosine, ties by lower index.
  std::vector<std::vector<double>> knn(6, std::vector<double>(6, 0.0));
  for (size_t j = 0; j < 6; ++j) {
    std::vector<std::pair<double, size_t>> candidates;
    for (size_t i = 0; i < 6; ++i) {
      const double nj = std::sqrt(dot(e[j], e[j])), ni = std::sqrt(dot(e[i], e[i]));
      const double c = nj == 0 || ni == 0 ? 0.0 : dot(e[j], e[i]) / (nj * ni);
      if (i != j && c > 0) candidates.emplace_back(c, i);
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (size_t n = 0; n < std::min(k, candidates.size()); ++n) knn[j][candidates[n].second] = candidates[n].first;
  }
  const auto a = fit("bert", "{fields: {title: 1, genres: 1}, mode: item_knn, k: 2}", ex.train, ex.content);
  int explained = 0;
  for (int32_t u = 0; u < 5; ++u)
    for (int32_t i = 0; i < 6; ++i) {
      const std::string where = "user " + std::to_string(u) + " item " + std::to_string(i);
      std::vector<Expected> all;
      for (int32_t j : ex.train.items_of(u)) all.push_back({j, knn[static_cast<size_t>(j)][static_cast<size_t>(i)]});
      const auto reasons = a->explain(u, i, 100);
      expect_reasons(reasons, sorted_positive(all), where);
      EXPECT_NEAR(weight_sum(reasons), score_of(*a, u, i), 1e-5) << where;  // binary: every term is >= 0
      explained += reasons.empty() ? 0 : 1;
    }
  EXPECT_GT(explained, 5);
}

}  // namespace
}  // namespace tailrec
