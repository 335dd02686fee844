#pragma once
// rerank: long-tail re-rankers over any registered algorithm's candidates (docs/algorithms/rerank.md).
// The base algorithm's top-N unseen items of each user are re-ordered by popularity_penalty, xquad
// (Abdollahpouri, Burke, Mobasher, FLAIRS 2019) or calibrated_popularity (Abdollahpouri et al.,
// UMAP 2021); lambda trades accuracy for tail exposure, so a sweep over lambda draws the curve.
// The list-building functions are exposed for the unit tests: each takes the candidates in base
// order with their min-max normalised scores and returns the new order as candidate positions.
#include <array>
#include <cstdint>
#include <span>
#include <vector>


namespace tailrec {

// (s - min) / (max - min) over the given scores; all 0 when max == min.
std::vector<double> minmax_normalized(std::span<const float> scores);

// Sort by rel[j] - lambda * log(1 + phi[j]) descending; ties keep base order.
std::vector<size_t> popularity_penalty_order(std::span<const double> rel, std::span<const int32_t> phi, double lambda);

// Binary xQuAD, greedy: next = argmax (1 - lambda) rel[v] + lambda * sum_c P(c|u) 1[v in c] prod_{i in S} (1 - 1[i in c]),
// c in {head, tail}; p_tail = P(tail|u), P(head|u) = 1 - p_tail (both 0 without a profile). Ties keep base order.
std::vector<size_t> xquad_order(std::span<const double> rel, std::span<const uint8_t> is_tail, double p_tail,
                                double lambda, bool has_profile = true);

// Jensen-Shannon divergence in bits (log base 2, so in [0, 1]); 0 * log 0 = 0.
double jensen_shannon(const std::array<double, 3>& p, const std::array<double, 3>& q);

// Calibrated popularity, greedy: next = argmax (1 - lambda) rel[v] - lambda * JS(profile, Q(S + v)), Q the
// head/mid/tail shares of the list; category[j] in {0 head, 1 mid, 2 tail}. Ties keep base order.
std::vector<size_t> calibrated_popularity_order(std::span<const double> rel, std::span<const uint8_t> category,
                                                const std::array<double, 3>& profile, double lambda);

// Head (0) / mid (1) / tail (2) per item: head = pareto(head_share) head, i.e. the most popular items
// (phi desc, ties by index) whose cumulative phi first reaches head_share of the total; tail = the
// tail of pareto(1 - tail_share), i.e. the least popular items making up about tail_share of it.
std::vector<uint8_t> popularity_categories(const std::vector<int32_t>& phi, double head_share, double tail_share);

}  // namespace tailrec
