// item_knn: item-based k-nearest neighbours as in Dacrema et al.'s RecSys 2019 code
// (ItemKNNCFRecommender + Compute_Similarity_Python): optional TF-IDF / BM25 weighting of the item x
// user matrix, shrunk cosine between item columns, the k best per target item, and
// s(u,i) = Σ_{j∈I_u} w_uj · sim_k(j,i). fit() computes each item's Gram row independently (in
// parallel, in a data-fixed order), so results do not depend on the thread count.
#include <algorithm>
#include <memory>

#include "algorithms/neighbors/neighbors.hpp"
#include "algorithms/neighbors/similarity.hpp"
#include "algorithms/neighbors/weighting.hpp"
#include "algorithms/torch/similarity_cuda.hpp"
#include "framework/algorithm.hpp"
#include "framework/parallel.hpp"

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
    num_items_ = context.train.num_items();
    const auto x = interaction_matrix(context.train, values_);
    switch (weighting_) {
      case Weighting::None: weighted_ = x; break;
      case Weighting::TfIdf: weighted_ = tfidf_weighting(x); break;
      case Weighting::Bm25: weighted_ = bm25_weighting(x, k1_, b_); break;
    }
    const auto by_item = transpose(weighted_);  // items x users: the item columns of w
    const auto norms = row_norms(by_item);

    // Neighbours of each target item, each computed on its own.
    std::vector<std::vector<Neighbor>> lists(static_cast<size_t>(num_items_));
    if (context.device == Device::Cuda) {
      // run.device=cuda: the dense similarity comes from the GPU (float64, see similarity_cuda.hpp);
      // the same nonzero filter and top-k run here, so the model matches the CPU path.
      const auto similarity = shrunk_cosine_torch(by_item, shrink_, TorchDevice::Cuda);
      parallel_chunks(num_items_, 32, context.threads, [&](int64_t begin, int64_t end) {
        for (auto i = static_cast<int32_t>(begin); i < end; ++i) {
          const float* row = similarity.row(i);
          auto& list = lists[static_cast<size_t>(i)];
          for (int32_t j = 0; j < num_items_; ++j)
            if (j != i && row[j] != 0.0f) list.push_back({j, row[j]});
          keep_top_k(list, k_);
          list.shrink_to_fit();
        }
      });
    } else {
      GramScratch prototype;
      prototype.configure(by_item, weighted_);
      parallel_chunks(num_items_, 32, context.threads, [&](int64_t begin, int64_t end) {
        GramScratch scratch = prototype;
        for (auto i = static_cast<int32_t>(begin); i < end; ++i) {
          gram_row(by_item, weighted_, i, scratch);
          auto& list = lists[static_cast<size_t>(i)];
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
    // Row j of `similar_` lists the targets i with j in N_k(i): s(u,·) = Σ_j w_uj · similar_[j].
    similar_ = neighbor_matrix(transpose_lists(lists, num_items_), num_items_);
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    const auto n = static_cast<size_t>(num_items_);
    for (size_t b = 0; b < users.size(); ++b) {
      float* row = out.data() + b * n;
      std::fill(row, row + n, 0.0f);
      add_weighted_rows(weighted_, users[b], similar_, false, row);
    }
  }

 private:
  int64_t k_;
  double shrink_;
  Weighting weighting_;
  double k1_;
  double b_;
  ValueMode values_;
  CsrMatrix weighted_;  // users x items, w
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
