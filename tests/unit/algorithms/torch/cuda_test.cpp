// run.device=cuda: user_knn, item_knn and ease fitted on the GPU (libtorch) score like the CPU
// path within 1e-5 (suite Cuda, skipped without a GPU), and the torch code itself, run on torch's
// CPU device, gives the CPU path's similarities and EASE weights (suite CudaTorchOnCpu, runs
// everywhere). The fixture is a seeded random 300 x 200 rating matrix with ~10% density; its
// similarities are continuous values, so near-ties in the top-k (which float rounding could swap)
// do not occur in practice, and both paths accumulate in float64 anyway.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "algorithms/neighbors/similarity.hpp"
#include "algorithms/neighbors/weighting.hpp"
#include "algorithms/torch/similarity_cuda.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"

namespace tailrec {
namespace {

constexpr int32_t kUsers = 300;
constexpr int32_t kItems = 200;

// Each (user, item) is stored with probability 0.1 and a rating 1..5, all from one seeded stream.
Interactions random_fixture() {
  Random rng(20240611);
  InteractionLog log;
  for (int32_t u = 0; u < kUsers; ++u)
    for (int32_t i = 0; i < kItems; ++i)
      if (rng.uniform() < 0.1) log.push(u, i, static_cast<float>(1 + rng.below(5)));
  log.has_ratings = true;
  return Interactions(log, kUsers, kItems);
}

std::vector<float> fit_and_score(const Interactions& train, const std::string& name, const std::string& params,
                                 Device device) {
  const auto& entry = registries().algorithms.at(name);
  auto algorithm = entry.create(Params::from_yaml(entry.params, YAML::Load(params)));
  const ItemContent content(train.num_items());
  algorithm->fit(FitContext{train, content, nullptr, 7, 2, device, &Logger::null(), {}});
  std::vector<int32_t> users(static_cast<size_t>(kUsers));
  for (int32_t u = 0; u < kUsers; ++u) users[static_cast<size_t>(u)] = u;
  std::vector<float> scores(static_cast<size_t>(kUsers) * kItems);
  algorithm->score(users, scores);
  return scores;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(static_cast<double>(a[k]) - b[k]));
  return worst;
}

struct Case {
  std::string name;
  std::string params;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"user_knn", "{k: 20, similarity: cosine}"},
      {"user_knn", "{k: 20, similarity: cosine, values: rating, weighting: bm25, shrink: 5}"},
      {"user_knn", "{k: 20, similarity: pearson, shrink: 10}"},
      {"item_knn", "{k: 50, weighting: bm25, shrink: 10}"},
      {"item_knn", "{k: 30, values: rating, shrink: 0}"},
      {"ease", "{lambda: 50}"},
  };
  return all;
}

TEST(Cuda, ScoresEqualTheCpuPath) {
  if (!torch_cuda_available()) GTEST_SKIP() << "no CUDA device: " << torch_build_description();
  const auto train = random_fixture();
  double overall = 0;
  for (const auto& c : cases()) {
    const auto cpu = fit_and_score(train, c.name, c.params, Device::Cpu);
    const auto cuda = fit_and_score(train, c.name, c.params, Device::Cuda);
    const double worst = max_abs_difference(cpu, cuda);
    overall = std::max(overall, worst);
    std::cout << "[cuda vs cpu] " << c.name << " " << c.params << ": max |diff| = " << worst << "\n";
    EXPECT_LE(worst, 1e-5) << c.name << " " << c.params;
    // Not all zeros: the comparison means something.
    EXPECT_GT(*std::max_element(cpu.begin(), cpu.end()), 0.01f) << c.name;
  }
  std::cout << "[cuda vs cpu] overall max |diff| = " << overall << " (" << torch_build_description() << ")\n";
}

// ---- the torch code on torch's CPU device against the CPU path's own formulas ----

// Dense CPU reference from one Gram / Pearson row at a time: `value(row, partner)` fills touched pairs.
template <typename RowFn>
std::vector<double> dense_reference(int32_t n, RowFn fill_row) {
  std::vector<double> out(static_cast<size_t>(n) * n, 0.0);
  for (int32_t r = 0; r < n; ++r) fill_row(r, out.data() + static_cast<size_t>(r) * n);
  return out;
}

void expect_dense_near(const DenseSquare& actual, const std::vector<double>& expected, double tolerance) {
  ASSERT_EQ(actual.values.size(), expected.size());
  double worst = 0;
  for (size_t k = 0; k < expected.size(); ++k) worst = std::max(worst, std::abs(actual.values[k] - expected[k]));
  EXPECT_LE(worst, tolerance);
}

TEST(CudaTorchOnCpu, ItemShrunkCosineEqualsGramRows) {
  const auto x = bm25_weighting(interaction_matrix(random_fixture(), ValueMode::Rating), 1.2, 0.75);
  const auto by_item = transpose(x);
  const auto norms = row_norms(by_item);
  GramScratch scratch;
  scratch.configure(by_item, x);
  const auto expected = dense_reference(kItems, [&](int32_t i, double* row) {
    gram_row(by_item, x, i, scratch);
    for (int32_t j : scratch.touched)
      if (j != i) row[j] = shrunk_cosine(scratch.dot[static_cast<size_t>(j)], norms[static_cast<size_t>(i)], norms[static_cast<size_t>(j)], 10.0);
  });
  const auto actual = shrunk_cosine_torch(by_item, 10.0, TorchDevice::Cpu);
  EXPECT_EQ(actual.n, kItems);
  expect_dense_near(actual, expected, 1e-6);
}

TEST(CudaTorchOnCpu, UserCosineWithSupportShrinkEqualsGramRows) {
  const auto x = interaction_matrix(random_fixture(), ValueMode::Rating);
  const auto by_item = transpose(x);
  const auto norms = row_norms(x);
  GramScratch scratch;
  scratch.configure(x, by_item);
  const auto expected = dense_reference(kUsers, [&](int32_t u, double* row) {
    gram_row(x, by_item, u, scratch);
    for (int32_t v : scratch.touched) {
      const auto s = static_cast<size_t>(v);
      if (v != u) row[v] = shrink_by_support(scratch.dot[s] / (norms[static_cast<size_t>(u)] * norms[s]), scratch.count[s], 5.0);
    }
  });
  expect_dense_near(support_cosine_torch(x, 5.0, TorchDevice::Cpu), expected, 1e-6);
}

TEST(CudaTorchOnCpu, PearsonEqualsCoRatedSums) {
  auto deviations = interaction_matrix(random_fixture(), ValueMode::Rating);
  for (int32_t u = 0; u < deviations.rows; ++u) {
    const auto values = deviations.values_of(u);
    double mean = 0;
    for (float v : values) mean += v;
    mean /= std::max<size_t>(1, values.size());
    for (int64_t at = deviations.indptr[static_cast<size_t>(u)]; at < deviations.indptr[static_cast<size_t>(u) + 1]; ++at)
      deviations.values[static_cast<size_t>(at)] = static_cast<float>(deviations.values[static_cast<size_t>(at)] - mean);
  }
  const auto by_item = transpose(deviations);
  PearsonScratch scratch;
  scratch.resize(kUsers);
  const auto expected = dense_reference(kUsers, [&](int32_t u, double* row) {
    pearson_row(deviations, by_item, u, scratch);
    for (int32_t v : scratch.touched) {
      const auto s = static_cast<size_t>(v);
      if (v != u)
        row[v] = shrink_by_support(pearson_from_sums(scratch.cross[s], scratch.self_sq[s], scratch.partner_sq[s]), scratch.count[s], 10.0);
    }
  });
  expect_dense_near(pearson_torch(deviations, 10.0, TorchDevice::Cpu), expected, 1e-6);
}

TEST(CudaTorchOnCpu, EaseWeightsScoreLikeTheCpuModel) {
  const auto train = random_fixture();
  const auto cpu = fit_and_score(train, "ease", "{lambda: 50}", Device::Cpu);
  // s(u,i) = Σ_{j ∈ I_u} B_ji with B from the torch code.
  const auto x = interaction_matrix(train, ValueMode::Binary);
  const auto b = ease_weights_torch(x, 50.0, TorchDevice::Cpu);
  ASSERT_EQ(b.n, kItems);
  std::vector<float> scores(static_cast<size_t>(kUsers) * kItems, 0.0f);
  for (int32_t u = 0; u < kUsers; ++u)
    for (int32_t j : x.indices_of(u))
      for (int32_t i = 0; i < kItems; ++i) scores[static_cast<size_t>(u) * kItems + static_cast<size_t>(i)] += b.row(j)[i];
  EXPECT_LE(max_abs_difference(cpu, scores), 1e-5);
  EXPECT_EQ(b.row(3)[3], 0.0f);  // zero diagonal
}

}  // namespace
}  // namespace tailrec
