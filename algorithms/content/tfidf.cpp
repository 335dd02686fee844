// tfidf: content-based recommendation from TF-IDF item vectors (see docs/algorithms/content.md).
// profile mode: a user's profile is the weighted mean of the vectors of their training items,
// and score(u, i) = cosine(profile_u, x_i). item_knn mode: score(u, i) = sum over the user's
// training items j of w_uj * sim_k(j, i), the cosine of j and i when i is among j's k most similar
// items. Both score cold items, which have text but no interaction.
#include <algorithm>
#include <cmath>
#include <memory>

#include "algorithms/content/contributions.hpp"
#include "algorithms/content/item_features.hpp"
#include "algorithms/content/profile_weights.hpp"
#include "algorithms/content/text_fields.hpp"
#include "algorithms/register_algorithms.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/parallel.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

struct TfidfSettings {
  FieldSelection fields;
  TextPipelineOptions pipeline;
  TfidfOptions tfidf;
  bool centered = false;
  bool item_knn = false;
  int32_t k = 50;
};

DocumentFrequencyBound document_frequency_bound(const Params& params, std::string_view name) {
  try {
    return DocumentFrequencyBound::parse(params.node(name));
  } catch (const Error& e) {
    params.fail_at(name, e.what());
  }
}

TfidfSettings parse_settings(const Params& params) {
  TfidfSettings s;
  s.fields = FieldSelection::parse(params);
  s.pipeline = params.text("tokenizer") == "sklearn" ? TextPipelineOptions::sklearn() : TextPipelineOptions::english();
  s.pipeline.ngram_max = static_cast<int>(params.integer("ngram_max"));
  s.tfidf.min_df = document_frequency_bound(params, "min_df");
  s.tfidf.max_df = document_frequency_bound(params, "max_df");
  s.tfidf.sublinear_tf = params.boolean("sublinear_tf");
  s.centered = params.text("profile_weights") == "centered";
  s.item_knn = params.text("mode") == "item_knn";
  s.k = static_cast<int32_t>(params.integer("k"));
  return s;
}

class Tfidf final : public Algorithm {
 public:
  explicit Tfidf(TfidfSettings settings) : settings_(std::move(settings)) {}

  void fit(const FitContext& context) override {
    num_items_ = context.train.num_items();
    Logger& log = context.log ? *context.log : Logger::null();
    const auto fields = settings_.fields.present(context.content, "tfidf");
    if (context.content.num_items() != num_items_)
      fail("tfidf: the item content covers {} items but the catalog has {}", context.content.num_items(), num_items_);
    try {
      features_ = build_item_features(context.content, fields, settings_.pipeline, settings_.tfidf, context.threads);
    } catch (const Error& e) {
      fail("tfidf: {}", e.what());
    }
    if (features_.matrix.cols() == 0)
      fail("tfidf: no term is left in the text fields after min_df = {} and max_df = {}; lower min_df or raise max_df",
           settings_.tfidf.min_df.to_string(), settings_.tfidf.max_df.to_string());
    for (const auto& b : features_.blocks)
      log.info("tfidf: field '{}' (weight {}) has {} terms", b.field, b.weight, b.vocabulary.size());
    log.info("tfidf: {} items x {} terms, {} non-zeros; {} items have no text and score 0", features_.matrix.rows(),
             features_.matrix.cols(), features_.matrix.nonZeros(), features_.empty_items);
    copy_user_weights(context.train);
    if (settings_.item_knn) build_neighbours(context.threads);
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    std::fill(out.begin(), out.end(), 0.0f);
    if (settings_.item_knn) score_knn(users, trained(), out);
    else score_profiles(users, trained(), out);
  }

  // Fold-in: the profile weights of the history rows (as fit() computes a training user's), scored
  // against the same item vectors and neighbour lists.
  bool folds_in() const override { return true; }
  void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const override {
    const auto weights = profile_weights(history, settings_.centered);
    const auto rows = view_of(weights);
    for (int32_t u : users)
      TAILREC_CHECK(u >= 0 && u < history.num_users(), "tfidf: user {} is outside the history's {} users", u,
                    history.num_users());
    std::fill(out.begin(), out.end(), 0.0f);
    if (settings_.item_knn) score_knn(users, rows, out);
    else score_profiles(users, rows, out);
  }

  // The item vectors (vocabulary and idf included) come from the catalog's text alone, and so do
  // the neighbour lists: new interactions change only the profile weights of the users they name.
  UpdateResult update(const UpdateContext& context) override {
    return update_profile_model(user_begin_, user_items_, weights_, num_items_, settings_.centered, context,
                                [&] { fit(context.fit); });
  }

  bool explains() const override { return true; }
  bool scores_cold_items() const override { return true; }  // from their text

  // profile: score = sum_t p_u[t] x_i[t] / |p_u|, one reason per term; item_knn: score = sum_j
  // a_uj cos(x_j, x_i) over the user's items j that have i among their neighbours.
  std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const override {
    std::vector<Contribution> all;
    if (settings_.item_knn) {
      for (auto n = user_begin_[static_cast<size_t>(user)]; n < user_begin_[static_cast<size_t>(user) + 1]; ++n) {
        const auto j = static_cast<size_t>(user_items_[static_cast<size_t>(n)]);
        for (size_t p = neighbour_begin_[j]; p < neighbour_begin_[j + 1]; ++p)
          if (neighbour_items_[p] == item)
            all.push_back({static_cast<int32_t>(j), static_cast<double>(weights_[static_cast<size_t>(n)] * neighbour_sims_[p])});
      }
      std::vector<Reason> reasons;
      for (const auto& c : top_contributions(std::move(all), max_reasons))
        reasons.push_back({Reason::Kind::Item, c.index, {}, c.weight, {}});
      return reasons;
    }
    const auto& X = features_.matrix;
    std::vector<float> profile(static_cast<size_t>(X.cols()), 0.0f);
    if (!build_profile(user, trained(), 0, 1, profile)) return {};
    for (ItemMatrix::InnerIterator t(X, item); t; ++t)
      all.push_back({static_cast<int32_t>(t.col()), static_cast<double>(profile[static_cast<size_t>(t.col())]) * t.value()});
    std::vector<Reason> reasons;
    for (const auto& c : top_contributions(std::move(all), max_reasons))
      reasons.push_back({Reason::Kind::Term, -1, term(c.index), c.weight, {}});
    return reasons;
  }

 private:
  // The term of column t as its field's vectorizer stores it (stemmed when the pipeline stems).
  const std::string& term(int32_t t) const {
    for (auto b = features_.blocks.rbegin(); b != features_.blocks.rend(); ++b)
      if (t >= b->offset) return b->vocabulary[static_cast<size_t>(t - b->offset)];
    return features_.blocks.front().vocabulary.front();  // unreachable: the first block has offset 0
  }

  ProfileView trained() const { return {user_begin_, user_items_, weights_}; }

  // Training items per user with their profile weight: 1 (binary) or rating - user mean (centered).
  void copy_user_weights(const Interactions& train) {
    auto p = profile_weights(train, settings_.centered);
    user_begin_ = std::move(p.begin);
    user_items_ = std::move(p.items);
    weights_ = std::move(p.weights);
  }

  // Users are scored kLanes at a time: their profiles sit term-major in one dense buffer
  // (profile[t * kLanes + lane]) so that one pass over the sparse item rows serves every lane.
  // Each lane's arithmetic is the same whatever the block, so a user alone scores identically.
  static constexpr size_t kLanes = 16;

  void score_profiles(std::span<const int32_t> users, const ProfileView& rows, std::span<float> out) const {
    const auto& X = features_.matrix;
    const size_t terms = static_cast<size_t>(X.cols());
    const size_t items = static_cast<size_t>(num_items_);
    const auto* row_ptr = X.outerIndexPtr();
    const auto* cols = X.innerIndexPtr();
    const auto* vals = X.valuePtr();
    std::vector<float> profile(terms * kLanes);
    for (size_t start = 0; start < users.size(); start += kLanes) {
      const size_t lanes = std::min(kLanes, users.size() - start);
      std::fill(profile.begin(), profile.end(), 0.0f);
      bool any = false;
      for (size_t lane = 0; lane < lanes; ++lane) any |= build_profile(users[start + lane], rows, lane, kLanes, profile);
      if (!any) continue;
      for (size_t i = 0; i < items; ++i) {
        float acc[kLanes] = {};
        for (auto p = row_ptr[i]; p < row_ptr[i + 1]; ++p) {
          const float x = vals[p];
          const float* column = profile.data() + static_cast<size_t>(cols[p]) * kLanes;
          for (size_t lane = 0; lane < kLanes; ++lane) acc[lane] += column[lane] * x;
        }
        for (size_t lane = 0; lane < lanes; ++lane) out[(start + lane) * items + i] = acc[lane];
      }
    }
  }

  // Writes the unit-length profile of `user` into `lane` (profile[t * stride + lane], zeros on
  // entry); false when it is zero (no items, or centered weights that are all 0), in which case the
  // user scores 0 everywhere. explain() uses stride 1: the same arithmetic as a scoring lane.
  bool build_profile(int32_t user, const ProfileView& rows, size_t lane, size_t stride, std::vector<float>& profile) const {
    const auto& X = features_.matrix;
    const auto* row_ptr = X.outerIndexPtr();
    const auto* cols = X.innerIndexPtr();
    const auto* vals = X.valuePtr();
    const auto b = static_cast<size_t>(rows.begin[static_cast<size_t>(user)]);
    const auto e = static_cast<size_t>(rows.begin[static_cast<size_t>(user) + 1]);
    if (b == e) return false;
    for (size_t n = b; n < e; ++n) {
      const auto j = static_cast<size_t>(rows.items[n]);
      const float w = rows.weights[n];
      for (auto p = row_ptr[j]; p < row_ptr[j + 1]; ++p) profile[static_cast<size_t>(cols[p]) * stride + lane] += w * vals[p];
    }
    double squares = 0;
    const size_t terms = static_cast<size_t>(X.cols());
    for (size_t t = 0; t < terms; ++t) squares += static_cast<double>(profile[t * stride + lane]) * profile[t * stride + lane];
    if (squares == 0) return false;
    const auto inv = static_cast<float>(1.0 / std::sqrt(squares));
    for (size_t t = 0; t < terms; ++t) profile[t * stride + lane] *= inv;
    return true;
  }

  // For each item j, its k most similar other items by cosine (ties: lower index first),
  // positive similarities only. Computed through the term -> items inverted index.
  void build_neighbours(int threads) {
    const auto& X = features_.matrix;
    const ItemMatrix by_term = X.transpose();
    const size_t items = static_cast<size_t>(num_items_);
    std::vector<std::vector<std::pair<int32_t, float>>> neighbours(items);
    parallel_chunks(static_cast<int64_t>(items), 64, threads, [&](int64_t begin, int64_t end) {
      std::vector<float> sim(items, 0.0f);
      std::vector<char> seen(items, 0);
      std::vector<int32_t> touched;
      for (auto j = begin; j < end; ++j) {
        for (ItemMatrix::InnerIterator t(X, j); t; ++t) {
          for (ItemMatrix::InnerIterator i(by_term, t.col()); i; ++i) {
            const auto other = static_cast<size_t>(i.col());
            if (!seen[other]) seen[other] = 1, touched.push_back(static_cast<int32_t>(other));
            sim[other] += t.value() * i.value();
          }
        }
        std::vector<std::pair<int32_t, float>> candidates;
        for (int32_t i : touched) {
          if (i != j && sim[static_cast<size_t>(i)] > 0) candidates.emplace_back(i, sim[static_cast<size_t>(i)]);
          sim[static_cast<size_t>(i)] = 0, seen[static_cast<size_t>(i)] = 0;
        }
        touched.clear();
        const auto better = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
        const size_t keep = std::min(candidates.size(), static_cast<size_t>(settings_.k));
        std::partial_sort(candidates.begin(), candidates.begin() + static_cast<long>(keep), candidates.end(), better);
        candidates.resize(keep);
        neighbours[static_cast<size_t>(j)] = std::move(candidates);
      }
    });
    neighbour_begin_.assign(items + 1, 0);
    for (size_t j = 0; j < items; ++j) neighbour_begin_[j + 1] = neighbour_begin_[j] + neighbours[j].size();
    neighbour_items_.resize(neighbour_begin_.back());
    neighbour_sims_.resize(neighbour_begin_.back());
    for (size_t j = 0; j < items; ++j)
      for (size_t n = 0; n < neighbours[j].size(); ++n) {
        neighbour_items_[neighbour_begin_[j] + n] = neighbours[j][n].first;
        neighbour_sims_[neighbour_begin_[j] + n] = neighbours[j][n].second;
      }
  }

  void score_knn(std::span<const int32_t> users, const ProfileView& rows, std::span<float> out) const {
    const size_t items = static_cast<size_t>(num_items_);
    for (size_t u = 0; u < users.size(); ++u) {
      float* row = out.data() + u * items;
      const auto user = static_cast<size_t>(users[u]);
      for (auto n = static_cast<size_t>(rows.begin[user]); n < static_cast<size_t>(rows.begin[user + 1]); ++n) {
        const auto j = static_cast<size_t>(rows.items[n]);
        const float w = rows.weights[n];
        for (size_t p = neighbour_begin_[j]; p < neighbour_begin_[j + 1]; ++p)
          row[neighbour_items_[p]] += w * neighbour_sims_[p];
      }
    }
  }

  TfidfSettings settings_;
  ItemFeatures features_;
  std::vector<int64_t> user_begin_;
  std::vector<int32_t> user_items_;
  std::vector<float> weights_;
  std::vector<size_t> neighbour_begin_;
  std::vector<int32_t> neighbour_items_;
  std::vector<float> neighbour_sims_;
};

std::vector<ParamSpec> tfidf_params() {
  return {
      fields_param("text fields and their weights; each is vectorised alone, L2-normalised, weighted, concatenated, "
                   "then L2-normalised. Default fields missing from a dataset are skipped"),
      ParamSpec::choice("tokenizer", "english", {"english", "sklearn"},
                        "english: lowercase, \\w\\w+ tokens, sklearn's stop words, Porter stems; "
                        "sklearn: lowercase, \\w\\w+ tokens only (scikit-learn's default analyzer)"),
      ParamSpec::integer("ngram_max", 1, "word n-grams 1..ngram_max", 1, 5),
      ParamSpec{"min_df", ParamType::Node, YAML::Node("1"),
                "drop terms in fewer documents: an integer count, or a proportion like 0.01", {}, {}, {}, false},
      ParamSpec{"max_df", ParamType::Node, YAML::Node("1.0"),
                "drop terms in more documents: an integer count, or a proportion like 0.5", {}, {}, {}, false},
      ParamSpec::boolean("sublinear_tf", true, "term frequency 1 + ln(tf) instead of the raw count"),
      ParamSpec::choice("profile_weights", "binary", {"binary", "centered"},
                        "weight of each training item in the profile: 1, or the rating minus the user's mean rating"),
      ParamSpec::choice("mode", "profile", {"profile", "item_knn"},
                        "profile: cosine(user profile, item); item_knn: sum of the k-nearest-neighbour similarities "
                        "of the user's items"),
      ParamSpec::integer("k", 50, "neighbours per item in item_knn mode", 1),
  };
}

}  // namespace

void register_tfidf(Registries& registries) {
  registries.algorithms.add(
      {"tfidf",
       "Content-based: TF-IDF item vectors from text fields, scored against a user profile or by item-to-item kNN.\n"
       "x_i = L2(concat_f w_f * L2(tfidf_f(i))), tfidf = tf * (ln((1+n)/(1+df)) + 1), tf = 1 + ln(count) when "
       "sublinear_tf.\n"
       "profile: p_u = sum_{j in I_u} a_uj x_j (a = 1 or r_uj - mean_u), score(u, i) = <p_u / |p_u|, x_i>.\n"
       "item_knn: score(u, i) = sum_{j in I_u} a_uj * cos(x_j, x_i) [i among the k most similar items to j].\n"
       "Cold items are scored from their text; users without training items score 0.",
       tfidf_params(),
       [](const Params& params) { return std::make_unique<Tfidf>(parse_settings(params)); }});
}

}  // namespace tailrec
