#include "algorithms/hybrid/bayesian_hybrid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "algorithms/hybrid/hybrid.hpp"
#include "framework/run/table.hpp"
#include "framework/util/error.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/parallel.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

// log sum_k exp(x_k) without overflow.
double log_sum_exp(std::span<const double> x) {
  const double top = *std::max_element(x.begin(), x.end());
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (double v : x) sum += std::exp(v - top);
  return top + std::log(sum);
}

std::string show_weights(std::span<const double> w) {
  std::vector<std::string> parts;
  for (double v : w) parts.push_back(fmt::format("{:.4f}", v));
  return fmt::format("[{}]", join(parts, ", "));
}

}  // namespace

BayesianHybrid::BayesianHybrid(const Registries& registries, const Params& params)
    : components_(registries, params, 2, 64),
      normalization_(parse_normalization(params.text("normalization"))),
      temperature_(params.real("temperature")) {
  const size_t m = components_.size();
  if (!(temperature_ > 0)) params.fail_at("temperature", "must be > 0 (e.g. 1.0)");
  if (params.has("prior")) {
    prior_ = params.reals("prior");
    if (prior_.size() != m)
      params.fail_at("prior", fmt::format("{} prior weights given for {} components; give one per component "
                                              "or null for a uniform prior", prior_.size(), m));
    double sum = 0;
    for (double p : prior_) {
      if (!(p > 0)) params.fail_at("prior", fmt::format("prior weight {} must be > 0", p));
      sum += p;
    }
    for (double& p : prior_) p /= sum;
  } else {
    prior_.assign(m, 1.0 / static_cast<double>(m));
  }
  bounds_ = params.integers("buckets");
  if (bounds_.empty()) params.fail_at("buckets", "give at least one upper bound, e.g. [5, 10, 20, 50, 100, 1000000000]");
  for (size_t b = 0; b < bounds_.size(); ++b)
    if (bounds_[b] < 0 || (b > 0 && bounds_[b] <= bounds_[b - 1]))
      params.fail_at("buckets", "the upper bounds must be >= 0 and strictly increasing, e.g. [5, 10, 20, 50, 100, 1000000000]");
}

void BayesianHybrid::fit(const FitContext& context) {
  num_items_ = context.train.num_items();
  components_.fit(context);
  fit_posteriors(context);
  context_log(context).info("bayesian: mean posterior weights per activity bucket (training interactions):\n{}",
                            bucket_table());
}

UpdateResult BayesianHybrid::update(const UpdateContext& context) {
  auto result = components_.update(context);
  // The posteriors are the updated components' likelihoods of each user's validation items (and the
  // bucket means follow the users' new activity): recomputed in full, exactly as fit() computes them.
  fit_posteriors(context.fit);
  result.how += context.fit.validation
                    ? "; posteriors recomputed from the updated components on the validation carve-out "
                      "(its items now in train no longer count)"
                    : "; no validation carve-out: every user keeps the prior";
  return result;
}

std::vector<Reason> BayesianHybrid::explain(int32_t user, int32_t item, int max_reasons) const {
  return components_.explain_blend(user, item, max_reasons, posterior(user), normalization_);
}

void BayesianHybrid::fit_posteriors(const FitContext& context) {
  const Interactions& train = context.train;
  const size_t m_count = components_.size();
  const int32_t num_users = train.num_users();
  const auto n = static_cast<size_t>(num_items_);
  weights_.assign(static_cast<size_t>(num_users) * m_count, 0.0);
  std::vector<uint8_t> has_posterior(static_cast<size_t>(num_users), 0);

  // Validation items that are candidates (not in train): the evidence of each user.
  std::vector<int32_t> evidence_users;
  if (context.validation) {
    for (int32_t u = 0; u < std::min(num_users, context.validation->num_users()); ++u)
      for (int32_t i : context.validation->items_of(u))
        if (!train.contains(u, i)) {
          evidence_users.push_back(u);
          break;
        }
  }

  const auto evidence_count = static_cast<int64_t>(evidence_users.size());
  parallel_chunks(evidence_count, 64, context.threads, [&](int64_t begin, int64_t end) {
    const std::span<const int32_t> block(evidence_users.data() + begin, static_cast<size_t>(end - begin));
    std::vector<std::vector<float>> scores(m_count, std::vector<float>(block.size() * n));
    for (size_t m = 0; m < m_count; ++m) components_.score_normalized(m, block, scores[m], normalization_);
    std::vector<uint8_t> in_train(n);
    std::vector<double> z, log_post(m_count);
    for (size_t b = 0; b < block.size(); ++b) {
      const int32_t u = block[b];
      std::fill(in_train.begin(), in_train.end(), 0);
      for (int32_t i : train.items_of(u)) in_train[static_cast<size_t>(i)] = 1;
      for (size_t m = 0; m < m_count; ++m) {
        const float* row = scores[m].data() + b * n;
        z.clear();
        for (size_t j = 0; j < n; ++j)
          if (!in_train[j]) z.push_back(static_cast<double>(row[j]) / temperature_);
        const double log_partition = log_sum_exp(z);
        double log_likelihood = 0;
        for (int32_t i : context.validation->items_of(u))
          if (!in_train[static_cast<size_t>(i)])
            log_likelihood += static_cast<double>(row[static_cast<size_t>(i)]) / temperature_ - log_partition;
        log_post[m] = std::log(prior_[m]) + log_likelihood;
      }
      const double evidence = log_sum_exp(log_post);
      for (size_t m = 0; m < m_count; ++m)
        weights_[static_cast<size_t>(u) * m_count + m] = std::exp(log_post[m] - evidence);
      has_posterior[static_cast<size_t>(u)] = 1;
    }
  });

  // Bucket means, summed in user order (deterministic for any thread count).
  buckets_.assign(bounds_.size(), {});
  for (size_t b = 0; b < bounds_.size(); ++b) {
    buckets_[b].lower = b == 0 ? 0 : bounds_[b - 1] + 1;
    buckets_[b].upper = bounds_[b];
    buckets_[b].mean_weight.assign(m_count, 0.0);
  }
  const auto bucket_of = [&](int32_t u) {
    const int64_t count = train.row_size(u);
    for (size_t b = 0; b < bounds_.size(); ++b)
      if (count <= bounds_[b]) return b;
    return bounds_.size() - 1;
  };
  std::vector<double> overall(m_count, 0.0);
  for (int32_t u = 0; u < num_users; ++u) {
    auto& bucket = buckets_[bucket_of(u)];
    ++bucket.users;
    if (!has_posterior[static_cast<size_t>(u)]) continue;
    ++bucket.validation_users;
    for (size_t m = 0; m < m_count; ++m) {
      bucket.mean_weight[m] += weights_[static_cast<size_t>(u) * m_count + m];
      overall[m] += weights_[static_cast<size_t>(u) * m_count + m];
    }
  }
  for (double& w : overall) w /= std::max<double>(1.0, static_cast<double>(evidence_count));
  for (auto& bucket : buckets_) {
    if (bucket.validation_users > 0) {
      for (double& w : bucket.mean_weight) w /= bucket.validation_users;
      bucket.source = "validation";
    } else if (evidence_count > 0) {
      bucket.mean_weight = overall;
      bucket.source = "all validation users";
    } else {
      bucket.mean_weight = prior_;
      bucket.source = "prior";
    }
  }
  for (int32_t u = 0; u < num_users; ++u) {
    if (has_posterior[static_cast<size_t>(u)]) continue;
    const auto& mean = buckets_[bucket_of(u)].mean_weight;
    std::copy(mean.begin(), mean.end(), weights_.begin() + static_cast<long>(static_cast<size_t>(u) * m_count));
  }
  auto& log = context_log(context);
  if (!context.validation)
    log.info("bayesian: no validation carve-out (set split.validation=0.1 to fit posteriors): every user gets "
             "the prior {}", show_weights(prior_));
  else
    log.info("bayesian: posteriors of {} users with validation items (T={}, {} normalisation); the other users "
             "take their bucket's mean", evidence_count, temperature_, normalization_names()[static_cast<size_t>(normalization_)]);
}

std::span<const double> BayesianHybrid::posterior(int32_t user) const {
  const size_t m_count = components_.size();
  if (user < 0 || static_cast<size_t>(user) * m_count >= weights_.size()) return prior_;
  return std::span<const double>(weights_.data() + static_cast<size_t>(user) * m_count, m_count);
}

std::string BayesianHybrid::bucket_table() const {
  std::vector<std::string> header{"training interactions", "users", "validation users"};
  for (const auto& label : components_.labels()) header.push_back(fmt::format("w({})", label));
  header.push_back("from");
  std::vector<std::vector<std::string>> rows;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const auto& bucket = buckets_[b];
    std::vector<std::string> row{b + 1 == buckets_.size() ? fmt::format("{}+", bucket.lower)
                                                          : fmt::format("{}-{}", bucket.lower, bucket.upper),
                                 fmt::format("{}", bucket.users), fmt::format("{}", bucket.validation_users)};
    for (double w : bucket.mean_weight) row.push_back(fmt::format("{:.4f}", w));
    row.push_back(bucket.source);
    rows.push_back(std::move(row));
  }
  return format_table(header, rows);
}

void BayesianHybrid::score(std::span<const int32_t> users, std::span<float> out) const {
  const size_t m_count = components_.size();
  const auto n = static_cast<size_t>(num_items_);
  std::fill(out.begin(), out.end(), 0.0f);
  std::vector<float> buffer(out.size());
  for (size_t m = 0; m < m_count; ++m) {
    components_.score_normalized(m, users, buffer, normalization_);
    for (size_t u = 0; u < users.size(); ++u) {
      const auto w = static_cast<float>(posterior(users[u])[m]);
      for (size_t i = 0; i < n; ++i) out[u * n + i] += w * buffer[u * n + i];
    }
  }
}

void register_bayesian(Registries& registries) {
  registries.algorithms.add(
      {"bayesian",
       "Bayesian model averaging per user: components weighted by their posterior given the user's validation items.\n"
       "z_m(u,j) = norm_u(s_m(u,.))(j) / T; log P(V_u|m) = sum_{i in V_u} [z_m(u,i) - log sum_{j in C_u} exp z_m(u,j)],\n"
       "C_u = items not in train_u; P(m|R_u) = P(m) P(V_u|m) / sum_k P(k) P(V_u|k) (double, log-sum-exp);\n"
       "score(u,i) = sum_m P(m|R_u) norm_u(s_m(u,.))(i). Users without validation items take the mean posterior of\n"
       "their activity bucket (training interactions <= bound); without a validation carve-out, the prior.",
       {components_param({"user_knn", "tfidf"},
                         "the averaged algorithms (>= 2): registered names or maps {name, label?, <params>}"),
        ParamSpec::real("temperature", 1.0, "T: the softmax likelihood uses normalised scores / T (> 0)", 0.0),
        ParamSpec::choice("normalization", "zscore", normalization_names(),
                          "per-user normalisation of each component's scores (likelihood and blend)"),
        ParamSpec::optional("prior", ParamType::FloatList, "P(m), one weight > 0 per component (rescaled to sum 1); null = uniform"),
        [] {
          auto spec = ParamSpec::optional("buckets", ParamType::IntList,
                                          "activity buckets: increasing upper bounds of training interactions");
          YAML::Node bounds(YAML::NodeType::Sequence);
          for (int64_t b : {5, 10, 20, 50, 100, 1000000000}) bounds.push_back(b);
          spec.default_value = bounds;
          return spec;
        }()},
       [&registries](const Params& params) { return std::make_unique<BayesianHybrid>(registries, params); }});
}

}  // namespace tailrec
