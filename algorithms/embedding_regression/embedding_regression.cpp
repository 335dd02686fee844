// embedding_regression: ridge regression of ratings on x_ui = [e_u, e_i, 1] (see
// docs/algorithms/content.md). e_i is the item's text embedding (BERT, or TF-IDF reduced by truncated
// SVD), e_u the (rating-weighted) mean of the user's training item embeddings. The weights solve
//   (X^T X + lambda D) w = X^T r,   D = diag(1, ..., 1, 0)   (the intercept is not penalised)
// in double by LDLT; X^T X is assembled from per-user and per-item sums, never from X itself.
#include <cmath>
#include <memory>

#include <Eigen/Cholesky>
#include <Eigen/Dense>

#include "algorithms/bert/item_text_embedding.hpp"
#include "algorithms/embedding_regression/tfidf_svd_embedding.hpp"
#include "algorithms/register_algorithms.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

namespace {

struct RegressionSettings {
  bool bert = true;
  TextEmbeddingSettings text;  // the BERT settings (embeddings: bert)
  FieldSelection fields;       // the text fields (both sources)
  int tfidf_dimensions = 64;
  bool rating_weighted = false;
  double lambda = 1;
};

class EmbeddingRegression final : public Algorithm {
 public:
  explicit EmbeddingRegression(RegressionSettings settings) : settings_(std::move(settings)) {}

  void fit(const FitContext& context) override {
    const auto& train = context.train;
    num_items_ = train.num_items();
    if (train.nnz() == 0) fail("embedding_regression: the training data has no rating to fit");
    Logger& log = context.log ? *context.log : Logger::null();
    const Eigen::MatrixXd items = item_embeddings(context, log);
    const Eigen::Index d = items.cols();
    const int32_t users = train.num_users();

    // Per user: e_u, n_u, the sum of ratings, and the sum of the item embeddings it rated.
    Eigen::MatrixXd user_emb = Eigen::MatrixXd::Zero(users, d);
    Eigen::MatrixXd rated_sum = Eigen::MatrixXd::Zero(users, d);
    Eigen::VectorXd user_count = Eigen::VectorXd::Zero(users), user_ratings = Eigen::VectorXd::Zero(users);
    Eigen::VectorXd item_count = Eigen::VectorXd::Zero(num_items_), item_ratings = Eigen::VectorXd::Zero(num_items_);
    for (int32_t u = 0; u < users; ++u) {
      const auto rated = train.items_of(u);
      const auto ratings = train.values_of(u);
      if (rated.empty()) continue;
      double weight_sum = 0;
      for (size_t n = 0; n < rated.size(); ++n) {
        rated_sum.row(u) += items.row(rated[n]);
        user_ratings(u) += ratings[n];
        item_count(rated[n]) += 1;
        item_ratings(rated[n]) += ratings[n];
        weight_sum += ratings[n];
      }
      user_count(u) = static_cast<double>(rated.size());
      if (settings_.rating_weighted && weight_sum > 0) {
        for (size_t n = 0; n < rated.size(); ++n) user_emb.row(u) += static_cast<double>(ratings[n]) * items.row(rated[n]);
        user_emb.row(u) /= weight_sum;
      } else {
        user_emb.row(u) = rated_sum.row(u) / user_count(u);
      }
    }

    // Normal equations over the training pairs (u, i): blocks [user | item | intercept].
    const Eigen::Index p = 2 * d + 1;
    Eigen::MatrixXd gram(p, p);
    gram.block(0, 0, d, d) = user_emb.transpose() * user_count.asDiagonal() * user_emb;
    gram.block(0, d, d, d) = user_emb.transpose() * rated_sum;
    gram.block(0, 2 * d, d, 1) = user_emb.transpose() * user_count;
    gram.block(d, d, d, d) = items.transpose() * item_count.asDiagonal() * items;
    gram.block(d, 2 * d, d, 1) = items.transpose() * item_count;
    gram(2 * d, 2 * d) = static_cast<double>(train.nnz());
    gram.block(d, 0, d, d) = gram.block(0, d, d, d).transpose();
    gram.block(2 * d, 0, 1, d) = gram.block(0, 2 * d, d, 1).transpose();
    gram.block(2 * d, d, 1, d) = gram.block(d, 2 * d, d, 1).transpose();
    Eigen::VectorXd rhs(p);
    rhs.head(d) = user_emb.transpose() * user_ratings;
    rhs.segment(d, d) = items.transpose() * item_ratings;
    rhs(2 * d) = user_ratings.sum();

    Eigen::MatrixXd system = gram;
    system.diagonal().head(2 * d).array() += settings_.lambda;
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(system);
    const Eigen::VectorXd w = ldlt.solve(rhs);
    // LDLT "solves" a singular system through zero pivots, so the pivots are checked as well.
    const auto pivots = ldlt.vectorD().cwiseAbs();
    const double residual = (system * w - rhs).norm() / std::max(rhs.norm(), 1e-300);
    if (ldlt.info() != Eigen::Success || !w.allFinite() || residual > 1e-6 ||
        !(pivots.minCoeff() > 1e-12 * pivots.maxCoeff()))
      fail("embedding_regression: the ridge system ({} features) is singular or ill-conditioned (relative residual "
           "{:.2e}); raise lambda (now {})",
           p, residual, settings_.lambda);

    // predict(u, i) = (w_U . e_u + b) + w_I . e_i, both terms kept in double.
    user_term_ = (user_emb * w.head(d)).array() + w(2 * d);
    item_term_ = items * w.segment(d, d);
    double squares = 0;
    for (int32_t u = 0; u < users; ++u) {
      const auto rated = train.items_of(u);
      const auto ratings = train.values_of(u);
      for (size_t n = 0; n < rated.size(); ++n) {
        const double e = static_cast<double>(predict(u, rated[n])) - ratings[n];
        squares += e * e;
      }
    }
    log.info("embedding_regression: {} features (2 x {} + intercept), lambda {}, {} training ratings, training rmse "
             "{:.4f}, intercept {:.4f}",
             p, d, settings_.lambda, train.nnz(), std::sqrt(squares / static_cast<double>(train.nnz())), w(2 * d));
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u)
      for (size_t i = 0; i < n; ++i) out[u * n + i] = predict(users[u], static_cast<int32_t>(i));
  }

  bool predicts_ratings() const override { return true; }
  // A cold user's embedding is 0, so her scores are the item term w_i.e_i + b: a ranking learnt
  // from every user's ratings and the item's text, not ties.
  bool ranks_cold_users() const override { return true; }
  bool scores_cold_items() const override { return true; }  // e_i comes from the item's text
  float predict(int32_t user, int32_t item) const override {
    return static_cast<float>(user_term_(user) + item_term_(item));
  }

 private:
  Eigen::MatrixXd item_embeddings(const FitContext& context, Logger& log) const {
    Embeddings e;
    if (settings_.bert) {
      e = embed_item_texts(settings_.text, context, "embedding_regression").matrix;
    } else {
      const auto fields = settings_.fields.present(context.content, "embedding_regression");
      if (context.content.num_items() != num_items_)
        fail("embedding_regression: the item content covers {} items but the catalog has {}",
             context.content.num_items(), num_items_);
      try {
        const auto reduced =
            tfidf_svd_embedding(context.content, fields, settings_.tfidf_dimensions, context.seed, context.threads, log);
        log.info("embedding_regression: {} items have no text and a zero TF-IDF embedding", reduced.empty_items);
        e = reduced.matrix;
      } catch (const Error& error) {
        fail("embedding_regression: {}", error.what());
      }
    }
    Eigen::MatrixXd m(e.rows, e.dim);
    for (int64_t r = 0; r < e.rows; ++r)
      for (int64_t c = 0; c < e.dim; ++c) m(r, c) = e.values[static_cast<size_t>(r * e.dim + c)];
    return m;
  }

  RegressionSettings settings_;
  Eigen::VectorXd user_term_;
  Eigen::VectorXd item_term_;
};

std::vector<ParamSpec> regression_params() {
  std::vector<ParamSpec> params{
      ParamSpec::choice("embeddings", "bert", {"bert", "tfidf"},
                        "item embeddings: bert (the model/pooling/... parameters) or tfidf (fused TF-IDF of the same "
                        "fields, english tokenizer, sublinear tf, reduced by truncated SVD)"),
  };
  for (auto& p : text_embedding_params()) params.push_back(std::move(p));
  params.push_back(ParamSpec::integer("tfidf_dimensions", 64,
                                      "embeddings: tfidf: dimensions kept by the randomized truncated SVD (seeded by "
                                      "run.seed)",
                                      1, 4096));
  params.push_back(ParamSpec::choice("user_embedding", "mean", {"mean", "rating_weighted"},
                                     "e_u = mean of the user's training item embeddings, or their mean weighted by "
                                     "rating"));
  params.push_back(ParamSpec::real("lambda", 1.0, "ridge penalty on every weight but the intercept", 0));
  return params;
}

RegressionSettings parse_settings(const Params& params) {
  RegressionSettings s;
  s.bert = params.text("embeddings") == "bert";
  s.fields = FieldSelection::parse(params);
  if (s.bert) s.text = parse_text_embedding_settings(params);
  s.tfidf_dimensions = static_cast<int>(params.integer("tfidf_dimensions"));
  s.rating_weighted = params.text("user_embedding") == "rating_weighted";
  s.lambda = params.real("lambda");
  return s;
}

}  // namespace

void register_embedding_regression(Registries& registries) {
  registries.algorithms.add(
      {"embedding_regression",
       "Rating prediction: ridge regression of ratings on the concatenated user and item text embeddings (BERT, or "
       "TF-IDF reduced by truncated SVD).\n"
       "x_ui = [e_u, e_i, 1], e_u = mean_{j in I_u} e_j (or sum r_uj e_j / sum r_uj), "
       "w = argmin sum_{(u,i) in train} (r_ui - w.x_ui)^2 + lambda |w without intercept|^2.\n"
       "predict(u, i) = score(u, i) = w.x_ui (unclipped). The user term is constant per user, so every user's "
       "ranking is the same item order by w_I.e_i.",
       regression_params(),
       [](const Params& params) { return std::make_unique<EmbeddingRegression>(parse_settings(params)); }});
}

}  // namespace tailrec
