// user_knn: user-based k-nearest neighbours with cosine (optionally on TF-IDF/BM25-weighted rows,
// as item_knn) or co-rated Pearson similarity, a ranking score over each user's k neighbours (or,
// as Dacrema et al.'s code does, over the users that have u among theirs) and Resnick's
// mean-centred rating prediction. fit() computes each user's similarity row independently (in
// parallel, in a data-fixed order) and keeps the k best as a sparse users x users matrix W;
// score() is then W_block · X. update() recomputes only the lists new interactions can change
// (incremental.hpp), so it equals a fresh fit bit for bit; explain() lists the neighbours' terms.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/neighbors/incremental.hpp"
#include "algorithms/neighbors/reasons.hpp"
#include "algorithms/neighbors/similarity.hpp"
#include "algorithms/neighbors/weighting.hpp"
#include "algorithms/register_algorithms.hpp"
#include "algorithms/torch/similarity_cuda.hpp"
#include "framework/model/algorithm.hpp"
#include "framework/util/error.hpp"
#include "framework/util/parallel.hpp"

namespace tailrec {

namespace {

enum class UserSimilarity { Cosine, Pearson };

constexpr const char* kDescription =
    "User-based k-nearest neighbours.\n"
    "x_vi = 1 (values=binary) or the rating r_vi (values=rating), then optionally weighted exactly as "
    "item_knn does (weighting=tfidf|bm25 on the item x user matrix, Dacrema et al.'s UserKNNCFRecommender).\n"
    "cosine: sim(u,v) = sum_i x_ui x_vi / (||x_u|| ||x_v||), over the whole user rows of X.\n"
    "pearson: sim(u,v) = sum_k (r_uk - rbar_u)(r_vk - rbar_v) / (sqrt(sum_k (r_uk - rbar_u)^2) "
    "sqrt(sum_k (r_vk - rbar_v)^2)), k over the items BOTH users rated (co-rated); rbar = the mean of "
    "ALL of a user's training ratings, not only the co-rated ones; computed on ratings whatever `values` "
    "says; 0 when either side has no variance on the co-rated items.\n"
    "shrink: sim(u,v) * n / (n + shrink), n = number of co-rated items.\n"
    "N_k(u): the k most similar OTHER users with sim > 0; ties by lower dense user index.\n"
    "ranking: s(u,i) = sum_{v in N_k(u)} sim(u,v) * x_vi (neighborhood=forward, the default); "
    "neighborhood=reverse sums over {v : u in N_k(v)} instead, which is what Dacrema et al.'s "
    "UserKNNCFRecommender computes (row u of its column-wise top-k W).\n"
    "rating (Resnick): rhat_ui = rbar_u + sum_{v in N_k^i(u)} sim(u,v) (r_vi - rbar_v) / "
    "sum_{v in N_k^i(u)} |sim(u,v)|, N_k^i(u) = the k most similar users (sim > 0) who rated i; "
    "rbar_u when there is none; the global mean rating for users without training data.";

std::atomic<uint64_t> next_model_id{1};

class UserKnn final : public Algorithm {
 public:
  explicit UserKnn(const Params& p)
      : k_(p.integer("k")),
        similarity_(p.text("similarity") == "pearson" ? UserSimilarity::Pearson : UserSimilarity::Cosine),
        values_(parse_value_mode(p.text("values"))),
        shrink_(p.real("shrink")),
        weighting_(parse_weighting(p.text("weighting"))),
        k1_(p.real("bm25_k1")),
        b_(p.real("bm25_b")),
        reverse_(p.text("neighborhood") == "reverse") {}

  void fit(const FitContext& context) override {
    build_statistics(context.train);
    fitted_on_cuda_ = context.device == Device::Cuda;
    forward_.assign(static_cast<size_t>(num_users_), {});
    if (fitted_on_cuda_) {
      gpu_lists(context.threads);
    } else {
      std::vector<int32_t> everyone(static_cast<size_t>(num_users_));
      for (int32_t u = 0; u < num_users_; ++u) everyone[static_cast<size_t>(u)] = u;
      recompute_lists(everyone, context.threads);
    }
    publish_neighbors();
  }

  // sim(u,v) depends only on the rows of u and v (their values, means, norms and, with tfidf, the
  // user's own idf), so new interactions can change only the lists of users whose row changed and
  // of users sharing an item with one of them (before or after); every other list is reused.
  UpdateResult update(const UpdateContext& context) override {
    if (const auto why = refit_reason(context); !why.empty()) {
      fit(context.fit);
      return {false, "refit: " + why};
    }
    const CsrMatrix before = std::move(raters_);  // items x users ratings the lists were computed on
    build_statistics(context.fit.train);
    const auto affected = marked_indices(columns_sharing_a_row(before, raters_, changed_columns(before, raters_)));
    recompute_lists(affected, context.fit.threads);
    publish_neighbors();
    return {true, fmt::format("incremental: recomputed {} of {} user neighbourhoods", affected.size(), num_users_)};
  }

  // s(u,i) = sum over u's (forward or reverse) neighbourhood of sim(u,v) * x_vi: one reason per
  // neighbour v who has i.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    if (user < 0 || user >= num_users_ || item < 0 || item >= num_items_) return {};
    std::vector<Reason> reasons;
    const auto neighbours = neighbors_.indices_of(user);
    const auto similarity = neighbors_.values_of(user);
    for (size_t k = 0; k < neighbours.size(); ++k) {
      const float x = value_at(x_, neighbours[k], item);
      if (x != 0.0f) reasons.push_back({Reason::Kind::User, neighbours[k], {}, static_cast<double>(similarity[k]) * x, {}});
    }
    return top_reasons(std::move(reasons), max_reasons);
  }
  bool explains() const override { return true; }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t b = 0; b < users.size(); ++b) {
      float* row = out.data() + b * n;
      std::fill(row, row + n, 0.0f);
      add_weighted_rows(neighbors_, users[b], x_, unit_values_, row);
    }
  }

  // Fold-in (neighborhood=forward): her k nearest training users by the same similarity, computed
  // from her history row (weighted as fit() weights training rows, bm25 with the training item
  // lengths; pearson centred on her own mean), then score()'s sum over them. With reverse
  // neighbourhoods she would need a place in the other users' lists, which a fitted model does not
  // give her without refitting, so reverse does not fold in.
  bool folds_in() const override { return !reverse_; }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    if (reverse_) Algorithm::score_history(users, history, out);
    auto rows = interaction_matrix_rows(history, users);
    const auto norms = row_norms(rows);
    CsrMatrix deviations;
    if (similarity_ == UserSimilarity::Pearson) {
      deviations = interaction_rows(history, users, ValueMode::Rating);
      for (int32_t b = 0; b < deviations.rows; ++b) {
        double sum = 0;
        for (float r : deviations.values_of(b)) sum += r;
        const double mean = deviations.row_size(b) > 0 ? sum / deviations.row_size(b) : 0.0;
        for (int64_t at = deviations.indptr[static_cast<size_t>(b)]; at < deviations.indptr[static_cast<size_t>(b) + 1]; ++at)
          deviations.values[static_cast<size_t>(at)] = static_cast<float>(deviations.values[static_cast<size_t>(at)] - mean);
      }
    }
    RowScratch scratch = scratch_prototype();
    // The prototype assumes x's values are all 1 when the training values are; a history may not be.
    scratch.gram.unit_values = scratch.gram.unit_values &&
                               std::all_of(rows.values.begin(), rows.values.end(), [](float v) { return v == 1.0f; });
    std::vector<std::vector<Neighbor>> lists(users.size());
    for (size_t b = 0; b < users.size(); ++b) {
      candidates_of(rows, deviations, static_cast<int32_t>(b), norms[b], -1, scratch, lists[b]);
      keep_top_k(lists[b], k_);
    }
    const auto neighbours = neighbor_matrix(lists, num_users_);
    const auto n = static_cast<size_t>(num_items_);
    for (size_t b = 0; b < users.size(); ++b) {
      float* row = out.data() + b * n;
      std::fill(row, row + n, 0.0f);
      add_weighted_rows(neighbours, static_cast<int32_t>(b), x_, unit_values_, row);
    }
  }

  bool predicts_ratings() const override { return true; }

  float predict(int32_t user, int32_t item) const override {
    if (user < 0 || user >= num_users_ || x_.row_size(user) == 0) return static_cast<float>(global_mean_);
    const double mean = mean_[static_cast<size_t>(user)];
    if (item < 0 || item >= num_items_) return static_cast<float>(mean);
    // The evaluator predicts a user's test items together: keep that user's similarity row per thread.
    thread_local PredictCache cache;
    if (cache.model_id != model_id_) cache.scratch = scratch_prototype();
    if (cache.model_id != model_id_ || cache.user != user) {
      candidates(user, cache.scratch, cache.list);
      cache.similarity.assign(static_cast<size_t>(num_users_), 0.0f);
      for (const auto& n : cache.list) cache.similarity[static_cast<size_t>(n.index)] = n.similarity;
      cache.model_id = model_id_;
      cache.user = user;
    }
    // N_k^i(u): indices are positions in item i's rater list, which is sorted by user, so the tie
    // rule "lower user index first" is kept.
    const auto raters = raters_.indices_of(item);
    const auto ratings = raters_.values_of(item);
    auto& pool = cache.raters;
    pool.clear();
    for (size_t p = 0; p < raters.size(); ++p) {
      const float s = cache.similarity[static_cast<size_t>(raters[p])];
      if (s > 0) pool.push_back({static_cast<int32_t>(p), s});
    }
    keep_top_k(pool, k_);
    double numerator = 0, denominator = 0;
    for (const auto& n : pool) {
      const auto p = static_cast<size_t>(n.index);
      numerator += static_cast<double>(n.similarity) * (ratings[p] - mean_[static_cast<size_t>(raters[p])]);
      denominator += std::abs(static_cast<double>(n.similarity));
    }
    return static_cast<float>(denominator > 0 ? mean + numerator / denominator : mean);
  }

 private:
  struct RowScratch {
    GramScratch gram;
    PearsonScratch pearson;
  };
  struct PredictCache {
    uint64_t model_id = 0;
    int32_t user = -1;
    RowScratch scratch;
    std::vector<Neighbor> list;
    std::vector<float> similarity;
    std::vector<Neighbor> raters;
  };

  // Everything fit() derives from the training data before the neighbour lists: X (weighted),
  // its transpose and norms, the means, the Pearson deviations and the rater lists.
  void build_statistics(const Interactions& train) {
    num_items_ = train.num_items();
    num_users_ = train.num_users();
    model_id_ = next_model_id.fetch_add(1);  // invalidates predict()'s per-thread caches
    x_ = interaction_matrix(train, values_);
    if (weighting_ == Weighting::TfIdf) x_ = tfidf_weighting(x_);
    if (weighting_ == Weighting::Bm25) {
      lengths_ = item_lengths(x_);
      x_ = bm25_weighting(x_, k1_, b_, lengths_);
    }
    x_by_item_ = transpose(x_);
    norms_ = row_norms(x_);
    unit_values_ = std::all_of(x_.values.begin(), x_.values.end(), [](float v) { return v == 1.0f; });
    if (similarity_ == UserSimilarity::Cosine) gram_prototype_.configure(x_, x_by_item_);
    const auto ratings = interaction_matrix(train, ValueMode::Rating);
    raters_ = transpose(ratings);

    mean_.assign(static_cast<size_t>(num_users_), 0.0);
    double total = 0;
    for (int32_t u = 0; u < num_users_; ++u) {
      double sum = 0;
      for (float r : ratings.values_of(u)) sum += r;
      total += sum;
      if (ratings.row_size(u) > 0) mean_[static_cast<size_t>(u)] = sum / ratings.row_size(u);
    }
    global_mean_ = ratings.nnz() > 0 ? total / static_cast<double>(ratings.nnz()) : 0.0;

    if (similarity_ == UserSimilarity::Pearson) {
      const auto& values = train.values();
      if (!values.empty() && std::all_of(values.begin(), values.end(), [&](float v) { return v == values.front(); }))
        fail("user_knn: similarity=pearson needs ratings, but every training value is {} (implicit data), so "
             "every correlation is 0; use similarity=cosine, or a dataset with a rating column",
             values.front());
      deviations_ = ratings;
      for (int32_t u = 0; u < num_users_; ++u)
        for (int64_t at = deviations_.indptr[static_cast<size_t>(u)]; at < deviations_.indptr[static_cast<size_t>(u) + 1]; ++at)
          deviations_.values[static_cast<size_t>(at)] =
              static_cast<float>(deviations_.values[static_cast<size_t>(at)] - mean_[static_cast<size_t>(u)]);
      deviations_by_item_ = transpose(deviations_);
    }
  }

  // Rows `users` of `history` as x: the values fit() reads, weighted as fit() weights them.
  CsrMatrix interaction_matrix_rows(const Interactions& history, std::span<const int32_t> users) const {
    auto rows = interaction_rows(history, users, values_);
    if (weighting_ == Weighting::TfIdf) rows = tfidf_weighting(rows);
    if (weighting_ == Weighting::Bm25) rows = bm25_weighting(rows, k1_, b_, lengths_);
    return rows;
  }

  // The forward lists N_k(u) of `users`, each computed on its own: identical for any thread count
  // and for any subset of users recomputed.
  void recompute_lists(const std::vector<int32_t>& users, int threads) {
    parallel_chunks(static_cast<int64_t>(users.size()), 64, threads, [&](int64_t begin, int64_t end) {
      RowScratch scratch = scratch_prototype();
      for (int64_t at = begin; at < end; ++at) {
        const int32_t u = users[static_cast<size_t>(at)];
        auto& list = forward_[static_cast<size_t>(u)];
        candidates(u, scratch, list);
        keep_top_k(list, k_);
        list.shrink_to_fit();
      }
    });
  }

  // run.device=cuda: the dense users x users similarity comes from the GPU (float64, see
  // similarity_cuda.hpp); the same "> 0" filter and top-k run here. predict() keeps computing its
  // rows on the CPU (same formula).
  void gpu_lists(int threads) {
    const auto similarity = similarity_ == UserSimilarity::Cosine
                                ? support_cosine_torch(x_, shrink_, TorchDevice::Cuda)
                                : pearson_torch(deviations_, shrink_, TorchDevice::Cuda);
    parallel_chunks(num_users_, 64, threads, [&](int64_t begin, int64_t end) {
      for (auto u = static_cast<int32_t>(begin); u < end; ++u) {
        const float* row = similarity.row(u);
        auto& list = forward_[static_cast<size_t>(u)];
        for (int32_t v = 0; v < num_users_; ++v)
          if (v != u && row[v] > 0) list.push_back({v, row[v]});
        keep_top_k(list, k_);
        list.shrink_to_fit();
      }
    });
  }

  // The scoring matrix from the forward lists (kept for the next update()).
  void publish_neighbors() {
    // Dacrema et al.'s orientation: u scores with every user c that has u among its k nearest.
    neighbors_ = reverse_ ? neighbor_matrix(transpose_lists(forward_, num_users_), num_users_)
                          : neighbor_matrix(forward_, num_users_);
  }

  // Why update() cannot reuse any list, or "" when it can.
  std::string refit_reason(const UpdateContext& context) const {
    // tfidf stays row-local here (idf_u depends on u's own count and the catalog size); bm25's item
    // lengths move with every new interaction.
    if (weighting_ == Weighting::Bm25) return "weighting=bm25 changes every weight (item lengths)";
    if (context.fit.device == Device::Cuda || fitted_on_cuda_)
      return "run.device=cuda computes the whole similarity matrix on the GPU";
    // The changes are found against the data the lists were computed on (raters_), not against
    // context.previous, so only the catalog has to match.
    const auto& train = context.fit.train;
    if (forward_.size() != static_cast<size_t>(num_users_) || train.num_users() != num_users_ || train.num_items() != num_items_)
      return fmt::format("the catalog is {} users x {} items, the model's {} x {}", train.num_users(), train.num_items(),
                         num_users_, num_items_);
    return {};
  }

  RowScratch scratch_prototype() const {
    RowScratch scratch;
    if (similarity_ == UserSimilarity::Cosine) scratch.gram = gram_prototype_;
    else scratch.pearson.resize(num_users_);
    return scratch;
  }

  // Every other user with a positive (shrunk) similarity to `u`, in no particular order.
  void candidates(int32_t u, RowScratch& scratch, std::vector<Neighbor>& out) const {
    candidates_of(x_, deviations_, u, norms_[static_cast<size_t>(u)], u, scratch, out);
  }

  // The training users with a positive (shrunk) similarity to row r of `x` (cosine) or of
  // `deviations` (pearson), `self` excepted: the training rows themselves, or fold-in histories.
  void candidates_of(const CsrMatrix& x, const CsrMatrix& deviations, int32_t r, double norm_r, int32_t self,
                     RowScratch& scratch, std::vector<Neighbor>& out) const {
    out.clear();
    if (similarity_ == UserSimilarity::Cosine) {
      auto& g = scratch.gram;
      gram_row(x, x_by_item_, r, g);
      for (int32_t v : g.touched) {
        const auto s = static_cast<size_t>(v);
        if (v == self || norms_[s] == 0 || norm_r == 0) continue;
        const double sim = shrink_by_support(g.dot[s] / (norm_r * norms_[s]), g.count[s], shrink_);
        const auto stored = static_cast<float>(sim);
        if (stored > 0) out.push_back({v, stored});
      }
    } else {
      auto& p = scratch.pearson;
      pearson_row(deviations, deviations_by_item_, r, p);
      for (int32_t v : p.touched) {
        const auto s = static_cast<size_t>(v);
        if (v == self) continue;
        const double sim = shrink_by_support(pearson_from_sums(p.cross[s], p.self_sq[s], p.partner_sq[s]), p.count[s], shrink_);
        const auto stored = static_cast<float>(sim);
        if (stored > 0) out.push_back({v, stored});
      }
    }
  }

  int64_t k_;
  UserSimilarity similarity_;
  ValueMode values_;
  double shrink_;
  Weighting weighting_;
  double k1_;
  double b_;
  bool reverse_;
  bool fitted_on_cuda_ = false;
  int32_t num_users_ = 0;
  uint64_t model_id_ = 0;
  ItemLengths lengths_;           // bm25: the training item lengths
  CsrMatrix x_;                   // users x items, the (weighted) ranking values
  CsrMatrix x_by_item_;           // items x users
  GramScratch gram_prototype_;    // configured for x_ (cosine only)
  bool unit_values_ = false;      // every x is 1 (binary, unweighted)
  CsrMatrix deviations_;          // users x items, r_ui - rbar_u (pearson only)
  CsrMatrix deviations_by_item_;  // items x users (pearson only)
  CsrMatrix raters_;              // items x users, raw ratings (Resnick)
  std::vector<double> norms_;
  std::vector<double> mean_;
  double global_mean_ = 0;
  std::vector<std::vector<Neighbor>> forward_;  // N_k(u) of every user, as fit computed them
  CsrMatrix neighbors_;           // users x users: N_k(u) (or its reverse) with sim(u,v)
};

}  // namespace

void register_user_knn(Registries& registries) {
  registries.algorithms.add(
      {"user_knn",
       kDescription,
       {ParamSpec::integer("k", 50, "neighbours per user (the k most similar users with positive similarity)", 1),
        ParamSpec::choice("similarity", "cosine", {"cosine", "pearson"},
                          "cosine over the user rows, or Pearson over co-rated items"),
        ParamSpec::choice("values", "binary", {"binary", "rating"}, "x = 1 for every interaction, or x = the rating"),
        ParamSpec::real("shrink", 0.0, "shrinkage: sim * n / (n + shrink), n = co-rated items; 0 = none", 0.0),
        ParamSpec::choice("weighting", "none", {"none", "tfidf", "bm25"},
                          "IR weighting of x before the cosine and the score, as item_knn's (Dacrema et al.)"),
        ParamSpec::real("bm25_k1", 1.2, "BM25 term-frequency saturation k1", 0.0),
        ParamSpec::real("bm25_b", 0.75, "BM25 length normalisation b (0 = none, 1 = full)", 0.0, 1.0),
        ParamSpec::choice("neighborhood", "forward", {"forward", "reverse"},
                          "ranking over N_k(u), or over the users having u in their N_k (Dacrema et al.'s code)")},
       [](const Params& p) { return std::make_unique<UserKnn>(p); }});
}

}  // namespace tailrec
