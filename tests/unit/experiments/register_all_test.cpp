// The exact set of registered names: adding or dropping a component must be a visible change.
#include "experiments/register_all.hpp"

#include <gtest/gtest.h>

#include "framework/util/error.hpp"

namespace tailrec {
namespace {

using Names = std::vector<std::string>;

TEST(Registries, HoldExactlyTheseNames) {
  const auto& r = registries();
  EXPECT_EQ(r.algorithms.names(), (Names{"adaptive_hybrid", "bayesian", "bert", "bpr_mf", "ease", "embedding_regression", "gmf", "item_knn",
                                        "mlp", "most_popular", "neumf", "random", "rerank", "switching", "tfidf", "user_knn",
                                        "weighted"}));
  EXPECT_EQ(r.metrics.names(),
            (Names{"aclt", "aplt", "arp", "coverage", "coverage_count", "entropy", "gini", "head_recall", "hit",
                   "imp_auc", "imp_mrr", "imp_ndcg", "mae", "map", "mrr", "ndcg", "novelty", "pop_reo", "pop_rsp",
                   "precision", "recall", "rmse", "tail_ndcg", "tail_recall"}));
  EXPECT_EQ(r.splits.names(), (Names{"cold_items", "cold_users", "fixed", "kfold", "leave_one_out", "predefined", "random_holdout",
                                     "temporal_global", "temporal_user"}));
  EXPECT_EQ(r.protocols.names(), (Names{"fixed_negatives", "full", "impressions", "replay", "sampled"}));
  EXPECT_EQ(r.datasets.names(),
            (Names{"delimited", "mind", "movielens_100k", "movielens_1m", "movielens_csv", "recbole"}));
}

TEST(Registries, DuplicateNamesAreErrors) {
  Registries r;
  register_all(r);
  EXPECT_THROW(register_all(r), Error);
}

TEST(Registries, UnknownNamesListEveryNameWithASuggestion) {
  try {
    registries().algorithms.at("most_popluar");
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown algorithm 'most_popluar'"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'most_popular'"), std::string::npos) << m;
    EXPECT_NE(m.find("valid names: adaptive_hybrid, bayesian, bert, bpr_mf, ease, embedding_regression, gmf, item_knn, mlp, most_popular, "
                     "neumf, random, rerank, switching, tfidf, user_knn, weighted"),
              std::string::npos)
        << m;
  }
}

TEST(Registries, EveryEntryIsDocumented) {
  const auto& r = registries();
  for (const auto& e : r.algorithms.entries()) {
    EXPECT_FALSE(e.description.empty()) << e.name;
    for (const auto& p : e.params) EXPECT_FALSE(p.help.empty()) << e.name << "." << p.name;
  }
  for (const auto& e : r.metrics.entries()) EXPECT_FALSE(e.description.empty()) << e.name;
  for (const auto& e : r.splits.entries()) EXPECT_FALSE(e.description.empty()) << e.name;
  for (const auto& e : r.protocols.entries()) EXPECT_FALSE(e.description.empty()) << e.name;
  for (const auto& e : r.datasets.entries()) EXPECT_FALSE(e.description.empty()) << e.name;
}

}  // namespace
}  // namespace tailrec
