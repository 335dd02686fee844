#include "framework/evaluation/evaluator.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>

#include "framework/metrics/topk.hpp"
#include "framework/util/error.hpp"
#include "framework/util/parallel.hpp"

namespace tailrec {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Ranks a candidate protocol's items: score descending; on equal scores a relevant item ranks
// below the others when the protocol says so (NCF), then dense index ascending.
void rank_candidates(std::span<const float> row, const EvalCase& c, bool relevant_loses_ties, int length,
                     std::vector<Scored>& out) {
  out.clear();
  for (int32_t item : c.candidates) out.push_back({rankable(row[static_cast<size_t>(item)]), item});
  const auto is_relevant = [&](int32_t item) {
    return std::binary_search(c.relevant.begin(), c.relevant.end(), item);
  };
  const auto before = [&](const Scored& a, const Scored& b) {
    if (a.score != b.score) return a.score > b.score;
    if (relevant_loses_ties) {
      const bool ra = is_relevant(a.item), rb = is_relevant(b.item);
      if (ra != rb) return !ra;
    }
    return a.item < b.item;
  };
  const auto keep = std::min<size_t>(out.size(), static_cast<size_t>(length));
  std::partial_sort(out.begin(), out.begin() + static_cast<long>(keep), out.end(), before);
  out.resize(keep);
}

// The 1-based rank of a case's one relevant item among all its candidates, under rank_candidates' order.
int32_t rank_of_relevant(std::span<const float> row, const EvalCase& c, bool relevant_loses_ties) {
  const int32_t relevant = c.relevant.front();
  const float score = rankable(row[static_cast<size_t>(relevant)]);
  int32_t above = 0;
  for (int32_t item : c.candidates) {
    if (item == relevant) continue;
    const float s = rankable(row[static_cast<size_t>(item)]);
    above += s > score || (s == score && (relevant_loses_ties || item < relevant));
  }
  return above + 1;
}

}  // namespace

int64_t evaluation_block_size(int32_t num_items, int64_t budget_bytes) {
  // Room for eight blocks in the budget, at most 256 users per block.
  const int64_t row_bytes = std::max<int64_t>(1, num_items) * static_cast<int64_t>(sizeof(float));
  return std::clamp<int64_t>(budget_bytes / (8 * row_bytes), 1, 256);
}

int stored_list_length(int list_length, int32_t num_items) {
  // No list holds more items than the catalog: metrics.k=[100000] on 9,742 items stores 9,742 per case.
  return std::max(1, std::min(list_length, std::max<int32_t>(1, num_items)));
}

Evaluation evaluate(const Algorithm& algorithm, const EvaluationInput& input,
                    const std::vector<std::unique_ptr<Metric>>& metrics, const EvaluationOptions& options) {
  const int32_t num_items = input.train.num_items();
  const int length = stored_list_length(options.list_length, num_items);
  const auto& cases = input.cases;
  const auto num_cases = static_cast<int64_t>(cases.size());

  Evaluation result;
  result.list_length = length;
  // Metrics with one value per case: averaged per user (PerUser) or over all cases (PerCase).
  const auto per_case = [](const Metric& m) {
    return m.kind() == Metric::Kind::PerUser || m.kind() == Metric::Kind::PerCase;
  };
  for (const auto& m : metrics) {
    result.metric_names.push_back(m->name());
    if (per_case(*m)) result.per_user_names.push_back(m->name());
  }

  // Cases grouped by user, users in ascending order.
  std::vector<int64_t> order(static_cast<size_t>(num_cases));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return cases[static_cast<size_t>(a)].user < cases[static_cast<size_t>(b)].user;
  });
  std::vector<int64_t> user_begin;  // index into `order` where each distinct user starts
  for (int64_t i = 0; i < num_cases; ++i)
    if (i == 0 || cases[static_cast<size_t>(order[static_cast<size_t>(i)])].user !=
                      cases[static_cast<size_t>(order[static_cast<size_t>(i - 1)])].user) {
      user_begin.push_back(i);
      result.users.push_back(cases[static_cast<size_t>(order[static_cast<size_t>(i)])].user);
    }
  user_begin.push_back(num_cases);
  const auto num_users = static_cast<int64_t>(result.users.size());

  result.case_users.resize(static_cast<size_t>(num_cases));
  result.lists.assign(static_cast<size_t>(num_cases * length), -1);
  result.list_scores.assign(static_cast<size_t>(num_cases * length), 0.0f);
  result.list_size.assign(static_cast<size_t>(num_cases), 0);
  result.relevant_rank.assign(static_cast<size_t>(num_cases), 0);

  std::vector<const Metric*> per_user_metrics;
  for (const auto& m : metrics)
    if (per_case(*m)) per_user_metrics.push_back(m.get());
  const size_t M = per_user_metrics.size();
  std::vector<double> case_values(static_cast<size_t>(num_cases) * M, kNaN);
  // Stratified accuracy: S metrics over G item groups; per user and group, the sum and count of the
  // case values, turned into the user's mean when her cases are done.
  std::vector<const Metric*> stratified;
  if (options.item_strata)
    for (const auto* m : per_user_metrics)
      if (m->judges_relevance()) stratified.push_back(m), result.stratified_names.push_back(m->name());
  const size_t S = stratified.size();
  const size_t G = S > 0 ? options.item_strata->groups.size() : 0;
  std::vector<double> user_group_values(static_cast<size_t>(num_users) * G * S, kNaN);

  const int64_t block = evaluation_block_size(num_items, options.memory_budget_bytes);
  result.block_size = block;
  const int64_t block_bytes = block * num_items * static_cast<int64_t>(sizeof(float));
  const int workers = static_cast<int>(std::clamp<int64_t>(options.memory_budget_bytes / std::max<int64_t>(1, block_bytes),
                                                           1, std::max(1, options.threads)));
  std::atomic<int64_t> done{0};
  // A cold user's row from a model without information about her is ties (or noise): no list.
  const bool empties_cold_lists = options.fitted_on && !algorithm.ranks_cold_users();
  // Ranking cold items only, a model that cannot score them has nothing but ties to offer.
  const bool blind_to_candidates = options.cold_candidates && !algorithm.scores_cold_items();
  const auto has_row = [](const Interactions* m, int32_t user) {
    return m && user < m->num_users() && m->row_size(user) > 0;
  };
  const auto cold_and_unknown = [&](int32_t user) {
    return empties_cold_lists && !has_row(options.fitted_on, user) && !has_row(options.history, user);
  };
  const auto uninformed = [&](int32_t user) { return blind_to_candidates || cold_and_unknown(user); };
  result.blind_to_candidates = blind_to_candidates;
  const std::span<const int32_t> excluded_items =
      options.excluded_items ? std::span<const int32_t>(*options.excluded_items) : std::span<const int32_t>();
  for (const int32_t user : result.users)
    if (cold_and_unknown(user)) result.uninformed_users.push_back(user);

  parallel_chunks(num_users, block, workers, [&](int64_t begin, int64_t end) {
    const auto count = static_cast<size_t>(end - begin);
    std::vector<int32_t> users(result.users.begin() + begin, result.users.begin() + end);
    // A model blind to every candidate gives only empty lists: its scores would be computed for nothing.
    std::vector<float> scores(blind_to_candidates ? 0 : count * static_cast<size_t>(num_items));
    if (!blind_to_candidates) {
      if (options.history) algorithm.score_history(users, *options.history, scores);
      else algorithm.score(users, scores);
    }
    std::vector<Scored> heap, ranked;
    std::vector<std::vector<int32_t>> group_relevant(G);
    std::vector<double> group_sum(G * S);
    std::vector<int> group_counted(G * S);
    for (int64_t u = begin; u < end; ++u) {
      std::fill(group_sum.begin(), group_sum.end(), 0.0);
      std::fill(group_counted.begin(), group_counted.end(), 0);
      const int32_t user = result.users[static_cast<size_t>(u)];
      const auto row = blind_to_candidates
                           ? std::span<const float>()
                           : std::span<const float>(scores.data() + static_cast<size_t>(u - begin) * static_cast<size_t>(num_items),
                                                    static_cast<size_t>(num_items));
      const auto train_items = input.train.items_of(user);
      for (int64_t i = user_begin[static_cast<size_t>(u)]; i < user_begin[static_cast<size_t>(u) + 1]; ++i) {
        const int64_t c = order[static_cast<size_t>(i)];
        const EvalCase& ec = cases[static_cast<size_t>(c)];
        if (uninformed(user)) ranked.clear();
        else if (ec.candidates.empty()) top_k_excluding(row, train_items, length, heap, ranked, excluded_items);
        else rank_candidates(row, ec, input.relevant_loses_ties, length, ranked);
        const auto at = static_cast<size_t>(c * length);
        for (size_t r = 0; r < ranked.size(); ++r) {
          result.lists[at + r] = ranked[r].item;
          result.list_scores[at + r] = ranked[r].score;
        }
        result.case_users[static_cast<size_t>(c)] = user;
        result.list_size[static_cast<size_t>(c)] = static_cast<int32_t>(ranked.size());
        if (!uninformed(user) && !ec.candidates.empty() && ec.relevant.size() == 1)
          result.relevant_rank[static_cast<size_t>(c)] = rank_of_relevant(row, ec, input.relevant_loses_ties);
        RankedCase rc{user, std::span<const int32_t>(result.lists.data() + at, ranked.size()), ec.relevant, train_items,
                      ec.candidates.size()};
        for (size_t m = 0; m < M; ++m) {
          const auto v = per_user_metrics[m]->user_value(rc, input.context);
          if (v) case_values[static_cast<size_t>(c) * M + m] = *v;
        }
        if (G == 0) continue;
        // The same list judged per item group: only the group's relevant items count.
        for (auto& g : group_relevant) g.clear();
        for (int32_t item : ec.relevant) {
          const int g = options.item_strata->group(item);
          if (g >= 0) group_relevant[static_cast<size_t>(g)].push_back(item);
        }
        for (size_t g = 0; g < G; ++g) {
          if (group_relevant[g].empty()) continue;
          RankedCase in_group = rc;
          in_group.relevant = group_relevant[g];
          for (size_t m = 0; m < S; ++m)
            if (const auto v = stratified[m]->user_value(in_group, input.context))
              group_sum[g * S + m] += *v, ++group_counted[g * S + m];
        }
      }
      for (size_t i = 0; i < G * S; ++i)
        if (group_counted[i] > 0)
          user_group_values[static_cast<size_t>(u) * G * S + i] = group_sum[i] / group_counted[i];
    }
    const auto finished = done.fetch_add(end - begin) + (end - begin);
    if (options.progress) options.progress(finished, num_users);
  });

  // Per-user values: the mean over the user's cases that count.
  result.per_user.assign(M, std::vector<double>(static_cast<size_t>(num_users), kNaN));
  for (int64_t u = 0; u < num_users; ++u)
    for (size_t m = 0; m < M; ++m) {
      double sum = 0;
      int counted = 0;
      for (int64_t i = user_begin[static_cast<size_t>(u)]; i < user_begin[static_cast<size_t>(u) + 1]; ++i) {
        const double v = case_values[static_cast<size_t>(order[static_cast<size_t>(i)]) * M + m];
        if (!std::isnan(v)) sum += v, ++counted;
      }
      if (counted) result.per_user[m][static_cast<size_t>(u)] = sum / counted;
    }

  // Stratified accuracy: means over users, summed in user order (thread-count independent).
  result.item_strata_values.assign(G, std::vector<double>(S, kNaN));
  for (size_t g = 0; g < G; ++g) {
    for (size_t m = 0; m < S; ++m) {
      double sum = 0;
      int64_t counted = 0;
      for (int64_t u = 0; u < num_users; ++u) {
        const double v = user_group_values[static_cast<size_t>(u) * G * S + g * S + m];
        if (!std::isnan(v)) sum += v, ++counted;
      }
      if (counted) result.item_strata_values[g][m] = sum / static_cast<double>(counted);
    }
  }

  // Cases as spans, for aggregate metrics.
  std::vector<RankedCase> ranked_cases;
  ranked_cases.reserve(static_cast<size_t>(num_cases));
  for (int64_t c = 0; c < num_cases; ++c) {
    const auto& ec = cases[static_cast<size_t>(c)];
    ranked_cases.push_back({ec.user,
                            std::span<const int32_t>(result.lists.data() + c * length,
                                                     static_cast<size_t>(result.list_size[static_cast<size_t>(c)])),
                            ec.relevant, input.train.items_of(ec.user), ec.candidates.size()});
  }

  // Rating predictions for every test pair, when the algorithm makes them.
  std::vector<float> predicted, actual;
  const bool wants_ratings = std::any_of(metrics.begin(), metrics.end(),
                                         [](const auto& m) { return m->kind() == Metric::Kind::Rating; });
  if (wants_ratings && algorithm.predicts_ratings()) {
    const auto& test = input.test;
    predicted.resize(static_cast<size_t>(test.nnz()));
    actual.assign(test.values().begin(), test.values().end());
    parallel_chunks(test.num_users(), 256, options.threads, [&](int64_t begin, int64_t end) {
      for (auto u = static_cast<int32_t>(begin); u < end; ++u) {
        const auto items = test.items_of(u);
        const auto at = static_cast<size_t>(test.row_begin(u));
        for (size_t k = 0; k < items.size(); ++k) predicted[at + k] = algorithm.predict(u, items[k]);
      }
    });
  }

  size_t per_user_index = 0;
  for (const auto& m : metrics) {
    double value = kNaN;
    switch (m->kind()) {
      case Metric::Kind::PerUser: {
        double sum = 0;
        int64_t counted = 0;
        for (double v : result.per_user[per_user_index])
          if (!std::isnan(v)) sum += v, ++counted;
        if (counted) value = sum / static_cast<double>(counted);
        ++per_user_index;
        break;
      }
      case Metric::Kind::PerCase: {
        // Summed in case order, so the mean does not depend on the thread count.
        double sum = 0;
        int64_t counted = 0;
        for (int64_t c = 0; c < num_cases; ++c) {
          const double v = case_values[static_cast<size_t>(c) * M + per_user_index];
          if (!std::isnan(v)) sum += v, ++counted;
        }
        if (counted) value = sum / static_cast<double>(counted);
        ++per_user_index;
        break;
      }
      case Metric::Kind::Aggregate: value = m->aggregate(ranked_cases, input.context); break;
      case Metric::Kind::Rating:
        if (!predicted.empty()) value = m->rating_value(predicted, actual);
        break;
    }
    result.values.push_back(value);
  }
  return result;
}

}  // namespace tailrec
