// bert: content-based recommendation from BERT item embeddings (see docs/algorithms/content.md).
// profile mode: p_u = sum over the user's training items j of a_uj e_j, score(u, i) = cos(p_u, e_i).
// item_knn mode: score(u, i) = sum_j a_uj cos(e_j, e_i) [i among the k most similar items to j].
// Items without text have a zero embedding and score 0; cold items with text are scored like any other.
#include <algorithm>
#include <cmath>
#include <memory>

#include "algorithms/bert/embedding_neighbours.hpp"
#include "algorithms/bert/item_text_embedding.hpp"
#include "algorithms/content/contributions.hpp"
#include "algorithms/content/profile_weights.hpp"
#include "algorithms/register_algorithms.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"

namespace tailrec {

namespace {

struct BertSettings {
  TextEmbeddingSettings text;
  bool centered = false;
  bool item_knn = false;
  int32_t k = 50;
};

class BertRecommender final : public Algorithm {
 public:
  explicit BertRecommender(BertSettings settings) : settings_(std::move(settings)) {}

  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    Logger& log = context.log ? *context.log : Logger::null();
    auto embeddings = embed_item_texts(settings_.text, context, "bert");
    dim_ = static_cast<size_t>(embeddings.matrix.dim);
    raw_ = std::move(embeddings.matrix);
    unit_ = unit_rows(raw_);
    copy_user_weights(context.train);
    if (settings_.item_knn) {
      neighbours_ = nearest_items(unit_, settings_.k, context.threads);
      log.info("bert: item_knn with k = {}: {} neighbour pairs", settings_.k, neighbours_.item.size());
    }
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    std::fill(out.begin(), out.end(), 0.0f);
    if (settings_.item_knn) score_knn(users, trained(), out);
    else score_profiles(users, trained(), out);
  }

  // Fold-in: the profile weights of the history rows (as fit() computes a training user's), scored
  // against the same embeddings and neighbour lists.
  bool folds_in() const override { return true; }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    const auto weights = profile_weights(history, settings_.centered);
    for (int32_t u : users)
      TAILREC_CHECK(u >= 0 && u < history.num_users(), "bert: user {} is outside the history's {} users", u,
                    history.num_users());
    std::fill(out.begin(), out.end(), 0.0f);
    if (settings_.item_knn) score_knn(users, view_of(weights), out);
    else score_profiles(users, view_of(weights), out);
  }

  // The embeddings come from the catalog's text alone, and so do the neighbour lists: new
  // interactions change only the profile weights of the users they name.
  UpdateResult update(const UpdateContext& context) override {
    return update_profile_model(user_begin_, user_items_, weights_, num_items_, settings_.centered, context,
                                [&] { fit(context.fit); });
  }

  bool explains() const override { return true; }
  bool scores_cold_items() const override { return true; }  // from their text

  // profile: cos(p_u, e_i) = sum_j a_uj <e_j, e_i> / (|p_u| |e_i|), one reason per liked item j;
  // item_knn: score = sum_j a_uj cos(e_j, e_i) over the user's items j that have i among their neighbours.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    const auto b = static_cast<size_t>(user_begin_[static_cast<size_t>(user)]);
    const auto e = static_cast<size_t>(user_begin_[static_cast<size_t>(user) + 1]);
    std::vector<Contribution> all;
    if (settings_.item_knn) {
      for (size_t n = b; n < e; ++n) {
        const auto j = static_cast<size_t>(user_items_[n]);
        for (auto p = static_cast<size_t>(neighbours_.begin[j]); p < static_cast<size_t>(neighbours_.begin[j + 1]); ++p)
          if (neighbours_.item[p] == item)
            all.push_back({static_cast<int32_t>(j), static_cast<double>(weights_[n] * neighbours_.similarity[p])});
      }
    } else {
      // |p_u| as build_profile computes it (double, item order).
      std::vector<double> sum(dim_, 0.0);
      for (size_t n = b; n < e; ++n) {
        const auto row = raw_.row(user_items_[n]);
        const double w = weights_[n];
        for (size_t d = 0; d < dim_; ++d) sum[d] += w * row[d];
      }
      const auto target = raw_.row(item);
      double profile_squares = 0, item_squares = 0;
      for (double v : sum) profile_squares += v * v;
      for (size_t d = 0; d < dim_; ++d) item_squares += static_cast<double>(target[d]) * target[d];
      if (profile_squares == 0 || item_squares == 0) return {};
      const double scale = 1.0 / (std::sqrt(profile_squares) * std::sqrt(item_squares));
      for (size_t n = b; n < e; ++n) {
        const auto row = raw_.row(user_items_[n]);
        double dot = 0;
        for (size_t d = 0; d < dim_; ++d) dot += static_cast<double>(row[d]) * target[d];
        all.push_back({user_items_[n], weights_[n] * dot * scale});
      }
    }
    std::vector<Reason> reasons;
    for (const auto& c : top_contributions(std::move(all), max_reasons))
      reasons.push_back({Reason::Kind::Item, c.index, {}, c.weight, {}});
    return reasons;
  }

 private:
  ProfileView trained() const { return {user_begin_, user_items_, weights_}; }

  // Training items per user with their profile weight: 1 (binary) or rating - user mean (centered).
  void copy_user_weights(const Interactions& train) {
    auto p = profile_weights(train, settings_.centered);
    user_begin_ = std::move(p.begin);
    user_items_ = std::move(p.items);
    weights_ = std::move(p.weights);
  }

  // Users are scored kLanes at a time: their unit profiles sit dimension-major in one buffer
  // (profile[d * kLanes + lane]) so that one pass over the item matrix serves every lane. Each lane's
  // arithmetic is the same whatever the block, so a user alone scores identically.
  static constexpr size_t kLanes = 16;

  void score_profiles(std::span<const int32_t> users, const ProfileView& rows, std::span<float> out) const {
    const size_t items = static_cast<size_t>(num_items_);
    std::vector<float> profile(dim_ * kLanes);
    std::vector<double> sum(dim_);
    for (size_t start = 0; start < users.size(); start += kLanes) {
      const size_t lanes = std::min(kLanes, users.size() - start);
      std::fill(profile.begin(), profile.end(), 0.0f);
      bool any = false;
      for (size_t lane = 0; lane < lanes; ++lane) any |= build_profile(users[start + lane], rows, lane, sum, profile);
      if (!any) continue;
      for (size_t i = 0; i < items; ++i) {
        const float* e = unit_.values.data() + i * dim_;
        float acc[kLanes] = {};
        for (size_t d = 0; d < dim_; ++d) {
          const float x = e[d];
          const float* column = profile.data() + d * kLanes;
          for (size_t lane = 0; lane < kLanes; ++lane) acc[lane] += column[lane] * x;
        }
        for (size_t lane = 0; lane < lanes; ++lane) out[(start + lane) * items + i] = acc[lane];
      }
    }
  }

  // p_u = sum_j a_uj e_j in double (item order), divided by its norm into `lane`; false when it is
  // zero (no items, items without text, or centered weights that are all 0): the user scores 0.
  bool build_profile(int32_t user, const ProfileView& rows, size_t lane, std::vector<double>& sum,
                     std::vector<float>& profile) const {
    const auto b = static_cast<size_t>(rows.begin[static_cast<size_t>(user)]);
    const auto e = static_cast<size_t>(rows.begin[static_cast<size_t>(user) + 1]);
    std::fill(sum.begin(), sum.end(), 0.0);
    for (size_t n = b; n < e; ++n) {
      const auto row = raw_.row(rows.items[n]);
      const double w = rows.weights[n];
      for (size_t d = 0; d < dim_; ++d) sum[d] += w * row[d];
    }
    double squares = 0;
    for (double v : sum) squares += v * v;
    if (squares == 0) return false;
    const double inv = 1.0 / std::sqrt(squares);
    for (size_t d = 0; d < dim_; ++d) profile[d * kLanes + lane] = static_cast<float>(sum[d] * inv);
    return true;
  }

  void score_knn(std::span<const int32_t> users, const ProfileView& rows, std::span<float> out) const {
    const size_t items = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u) {
      float* row = out.data() + u * items;
      const auto user = static_cast<size_t>(users[u]);
      for (auto n = static_cast<size_t>(rows.begin[user]); n < static_cast<size_t>(rows.begin[user + 1]); ++n) {
        const auto j = static_cast<size_t>(rows.items[n]);
        const float w = rows.weights[n];
        for (auto p = static_cast<size_t>(neighbours_.begin[j]); p < static_cast<size_t>(neighbours_.begin[j + 1]); ++p)
          row[neighbours_.item[p]] += w * neighbours_.similarity[p];
      }
    }
  }

  BertSettings settings_;
  size_t dim_ = 0;
  Embeddings raw_;   // item embeddings as encoded (profiles sum these)
  Embeddings unit_;  // the same rows L2-normalised (cosines)
  std::vector<int64_t> user_begin_;
  std::vector<int32_t> user_items_;
  std::vector<float> weights_;
  ItemNeighbours neighbours_;
};

std::vector<ParamSpec> bert_params() {
  auto params = text_embedding_params();
  params.push_back(ParamSpec::choice("profile_weights", "binary", {"binary", "centered"},
                                     "weight of each training item: 1, or the rating minus the user's mean rating"));
  params.push_back(ParamSpec::choice("mode", "profile", {"profile", "item_knn"},
                                     "profile: cosine(user profile, item); item_knn: sum of the k-nearest-neighbour "
                                     "cosines of the user's items"));
  params.push_back(ParamSpec::integer("k", 50, "neighbours per item in item_knn mode", 1));
  return params;
}

BertSettings parse_settings(const Params& params) {
  BertSettings s;
  s.text = parse_text_embedding_settings(params);
  s.centered = params.text("profile_weights") == "centered";
  s.item_knn = params.text("mode") == "item_knn";
  s.k = static_cast<int32_t>(params.integer("k"));
  return s;
}

}  // namespace

void register_bert(Registries& registries) {
  registries.algorithms.add(
      {"bert",
       "Content-based: BERT embeddings of item text (any Hugging Face BERT checkpoint), scored against a user "
       "profile or by item-to-item kNN.\n"
       "e_i = pool(BERT(text_i)) (concat: fields joined with \". \"; mean: sum_f w_f e_fi / sum_f w_f over the "
       "non-empty fields); items without text: e_i = 0.\n"
       "profile: p_u = sum_{j in I_u} a_uj e_j (a = 1 or r_uj - mean_u), score(u, i) = cos(p_u, e_i).\n"
       "item_knn: score(u, i) = sum_{j in I_u} a_uj * cos(e_j, e_i) [i among the k most similar items to j].\n"
       "Cold items are scored from their text; users without training items score 0.",
       bert_params(), [](const Params& params) { return std::make_unique<BertRecommender>(parse_settings(params)); }});
}

}  // namespace tailrec
