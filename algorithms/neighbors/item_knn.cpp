// item_knn: item-based k-nearest neighbours as in Dacrema et al.'s RecSys 2019 code
// (ItemKNNCFRecommender + Compute_Similarity_Python): optional TF-IDF / BM25 weighting of the item x
// user matrix, shrunk cosine between item columns, the k best per target item, and
// s(u,i) = Σ_{j∈I_u} w_uj · sim_k(j,i). fit() computes each item's Gram row independently (in
// parallel, in a data-fixed order), so results do not depend on the thread count; update()
// recomputes only the rows new interactions can change (incremental.hpp), bit-identical to a refit.
#include <algorithm>
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

constexpr const char* kDescription =
    "Item-based k-nearest neighbours (Dacrema et al. 2019, ItemKNNCFRecommender).\n"
    "x_ui = 1 (values=binary) or the rating (values=rating); w = x weighted on the ITEM x USER matrix "
    "(items are documents, users terms), I = number of items, n_u = items of user u, len_i = sum_u x_ui, "
    "avg = mean of len_i over all I items, idf_u = ln(I / (1 + n_u)):\n"
    "  none: w_ui = x_ui; tfidf: w_ui = sqrt(x_ui) * idf_u;\n"
    "  bm25: w_ui = x_ui (k1 + 1) / (k1 ((1 - b) + b len_i / avg) + x_ui) * idf_u.\n"
    "sim(i,j) = <w_i, w_j> / (||w_i|| ||w_j|| + shrink + 1e-6) between item columns of w (i != j).\n"
    "Each target item i keeps its k most similar items j (nonzero similarity, ties by lower index): "
    "sim_k(j,i) = sim(j,i) for those j, else 0.\n"
    "ranking: s(u,i) = sum_{j in I_u} w_uj * sim_k(j,i) (the weighted values, as Dacrema's code scores "
    "with its weighted URM).";

class ItemKnn final : public Algorithm {
 public:
  explicit ItemKnn(const Params& p)
      : k_(p.integer("k")),
        shrink_(p.real("shrink")),
        weighting_(parse_weighting(p.text("weighting"))),
        k1_(p.real("bm25_k1")),
        b_(p.real("bm25_b")),
        values_(parse_value_mode(p.text("values"))) {}

  void fit(const FitContext& context) override {
    build_weights(context.train);
    fitted_on_cuda_ = context.device == Device::Cuda;
    targets_.assign(static_cast<size_t>(num_items_), {});
    if (fitted_on_cuda_) {
      gpu_lists(context.threads);
    } else {
      std::vector<int32_t> every_item(static_cast<size_t>(num_items_));
      for (int32_t i = 0; i < num_items_; ++i) every_item[static_cast<size_t>(i)] = i;
      recompute_lists(every_item, context.threads);
    }
    publish_similar();
  }

  // With weighting=none, sim(i,j) depends only on the columns of i and j, so new interactions can
  // change only the lists of items whose column changed and of items co-occurring with one of them
  // (some user has both, before or after); every other target's list is reused.
  UpdateResult update(const UpdateContext& context) override {
    if (const auto why = refit_reason(context); !why.empty()) {
      fit(context.fit);
      return {false, "refit: " + why};
    }
    const CsrMatrix before = std::move(weighted_);  // users x items the lists were computed on
    build_weights(context.fit.train);
    const auto affected = marked_indices(columns_sharing_a_row(before, weighted_, changed_columns(before, weighted_)));
    recompute_lists(affected, context.fit.threads);
    publish_similar();
    return {true, fmt::format("incremental: recomputed {} of {} item neighbourhoods", affected.size(), num_items_)};
  }

  // s(u,i) = sum_{j in I_u} w_uj * sim_k(j,i): one reason per item j of u among i's neighbours.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    if (user < 0 || user >= weighted_.rows || item < 0 || item >= num_items_) return {};
    std::vector<Reason> reasons;
    for (const auto& n : targets_[static_cast<size_t>(item)]) {
      const float w = value_at(weighted_, user, n.index);
      if (w != 0.0f) reasons.push_back({Reason::Kind::Item, n.index, {}, static_cast<double>(w) * n.similarity, {}});
    }
    return top_reasons(std::move(reasons), max_reasons);
  }
  bool explains() const override { return true; }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t b = 0; b < users.size(); ++b) {
      float* row = out.data() + b * n;
      std::fill(row, row + n, 0.0f);
      add_weighted_rows(weighted_, users[b], similar_, false, row);
    }
  }

  // Fold-in: each history row weighted as fit() weights a training row (tfidf's idf_u from her own
  // row, bm25's item lengths from training), then score()'s sparse product with the same lists, so
  // a history scores exactly as a training user with that row would.
  bool folds_in() const override { return true; }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    const auto rows = weigh(interaction_rows(history, users, values_));
    const auto n = static_cast<size_t>(num_items_);
    for (size_t b = 0; b < users.size(); ++b) {
      float* row = out.data() + b * n;
      std::fill(row, row + n, 0.0f);
      add_weighted_rows(rows, static_cast<int32_t>(b), similar_, false, row);
    }
  }

 private:
  void build_weights(const Interactions& train) {
    num_items_ = train.num_items();
    const auto x = interaction_matrix(train, values_);
    if (weighting_ == Weighting::Bm25) lengths_ = item_lengths(x);
    weighted_ = weigh(x);
  }

  // w of the rows of x; bm25 with the training lengths.
  CsrMatrix weigh(const CsrMatrix& x) const {
    switch (weighting_) {
      case Weighting::TfIdf: return tfidf_weighting(x);
      case Weighting::Bm25: return bm25_weighting(x, k1_, b_, lengths_);
      case Weighting::None: break;
    }
    return x;
  }

  // N_k(i) of the `items`, each target computed on its own: identical for any thread count and for
  // any subset of targets recomputed.
  void recompute_lists(const std::vector<int32_t>& items, int threads) {
    const auto by_item = transpose(weighted_);  // items x users: the item columns of w
    const auto norms = row_norms(by_item);
    GramScratch prototype;
    prototype.configure(by_item, weighted_);
    parallel_chunks(static_cast<int64_t>(items.size()), 32, threads, [&](int64_t begin, int64_t end) {
      GramScratch scratch = prototype;
      for (int64_t at = begin; at < end; ++at) {
        const int32_t i = items[static_cast<size_t>(at)];
        gram_row(by_item, weighted_, i, scratch);
        auto& list = targets_[static_cast<size_t>(i)];
        list.clear();
        for (int32_t j : scratch.touched) {
          if (j == i) continue;
          const auto s = static_cast<size_t>(j);
          const auto sim = static_cast<float>(shrunk_cosine(scratch.dot[s], norms[static_cast<size_t>(i)], norms[s], shrink_));
          if (sim != 0.0f) list.push_back({j, sim});
        }
        keep_top_k(list, k_);
        list.shrink_to_fit();
      }
    });
  }

  // run.device=cuda: the dense similarity comes from the GPU (float64, see similarity_cuda.hpp);
  // the same nonzero filter and top-k run here, so the model matches the CPU path.
  void gpu_lists(int threads) {
    const auto similarity = shrunk_cosine_torch(transpose(weighted_), shrink_, TorchDevice::Cuda);
    parallel_chunks(num_items_, 32, threads, [&](int64_t begin, int64_t end) {
      for (auto i = static_cast<int32_t>(begin); i < end; ++i) {
        const float* row = similarity.row(i);
        auto& list = targets_[static_cast<size_t>(i)];
        for (int32_t j = 0; j < num_items_; ++j)
          if (j != i && row[j] != 0.0f) list.push_back({j, row[j]});
        keep_top_k(list, k_);
        list.shrink_to_fit();
      }
    });
  }

  // Row j of `similar_` lists the targets i with j in N_k(i): s(u,·) = Σ_j w_uj · similar_[j].
  void publish_similar() { similar_ = neighbor_matrix(transpose_lists(targets_, num_items_), num_items_); }

  // Why update() cannot reuse any list, or "" when it can.
  std::string refit_reason(const UpdateContext& context) const {
    // tfidf's idf_u and bm25's item lengths move with every new interaction, and so every weight
    // of the users and items they touch, hence most similarities.
    if (weighting_ == Weighting::TfIdf) return "weighting=tfidf changes every weight";
    if (weighting_ == Weighting::Bm25) return "weighting=bm25 changes every weight";
    if (context.fit.device == Device::Cuda || fitted_on_cuda_)
      return "run.device=cuda computes the whole similarity matrix on the GPU";
    // The changes are found against the data the lists were computed on (weighted_), not against
    // context.previous, so only the catalog has to match.
    const auto& train = context.fit.train;
    if (targets_.size() != static_cast<size_t>(num_items_) || train.num_users() != weighted_.rows || train.num_items() != num_items_)
      return fmt::format("the catalog is {} users x {} items, the model's {} x {}", train.num_users(), train.num_items(),
                         weighted_.rows, num_items_);
    return {};
  }

  int64_t k_;
  double shrink_;
  Weighting weighting_;
  double k1_;
  double b_;
  ValueMode values_;
  bool fitted_on_cuda_ = false;
  ItemLengths lengths_;  // bm25: the training item lengths
  CsrMatrix weighted_;  // users x items, w
  std::vector<std::vector<Neighbor>> targets_;  // N_k(i) of every target item i, with sim(j,i)
  CsrMatrix similar_;   // items x items: row j holds (i, sim(j,i)) for every i with j in N_k(i)
};

}  // namespace

void register_item_knn(Registries& registries) {
  registries.algorithms.add(
      {"item_knn",
       kDescription,
       {ParamSpec::integer("k", 100, "neighbours kept per target item", 1),
        ParamSpec::real("shrink", 0.0, "added to the cosine denominator: <a,b> / (|a||b| + shrink + 1e-6)", 0.0),
        ParamSpec::choice("weighting", "none", {"none", "tfidf", "bm25"},
                          "IR weighting of the item x user matrix before the similarity"),
        ParamSpec::real("bm25_k1", 1.2, "BM25 term-frequency saturation k1", 0.0),
        ParamSpec::real("bm25_b", 0.75, "BM25 length normalisation b (0 = none, 1 = full)", 0.0, 1.0),
        ParamSpec::choice("values", "binary", {"binary", "rating"}, "x = 1 for every interaction, or x = the rating")},
       [](const Params& p) { return std::make_unique<ItemKnn>(p); }});
}

}  // namespace tailrec
