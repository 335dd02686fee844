// gmf, mlp, neumf and bpr_mf with run.device=cuda (suite NcfCuda, skipped with a message when
// libtorch sees no GPU): from the same seed the GPU fit scores like the CPU fit within 1e-4 after
// two epochs (float32 on both; the GPU's reduction order differs), a model trained on the GPU
// saves and reloads on the CPU with the GPU's scores, and the fused Adam on the GPU (torch ops)
// matches torch::optim::Adam there.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "algorithms/torch/ncf_network.hpp"
#include "algorithms/torch/torch_runtime.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

#define SKIP_WITHOUT_CUDA()                                                                           \
  if (!torch_cuda_available())                                                                         \
  GTEST_SKIP() << "no CUDA device (libtorch: " << torch_build_description() << "); the neural models' " \
               << "GPU paths are checked on a GPU machine"

Interactions fixture() {
  InteractionLog log;
  Random rng(31);
  for (int32_t u = 0; u < 200; ++u)
    for (int32_t i = 0; i < 80; ++i)
      if (rng.uniform() < 0.1) log.push(u, i, 1.0f);
  return Interactions(log, 200, 80);
}

std::vector<float> fit_and_score(const std::string& name, const std::string& yaml, Device device,
                                 const std::filesystem::path& work = {}) {
  const auto train = fixture();
  const ItemContent content(train.num_items());
  const auto& entry = registries().algorithms.at(name);
  auto a = entry.create(Params::from_yaml(entry.params, YAML::Load(yaml)));
  a->fit(FitContext{train, content, nullptr, 21, 2, device, &Logger::null(), work});
  std::vector<int32_t> users(200);
  for (int32_t u = 0; u < 200; ++u) users[static_cast<size_t>(u)] = u;
  std::vector<float> out(200u * 80u);
  a->score(users, out);
  return out;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(static_cast<double>(a[k]) - b[k]));
  return worst;
}

const std::vector<std::pair<std::string, std::string>> kCases = {
    {"gmf", "{epochs: 2, batch_size: 64}"},
    {"mlp", "{epochs: 2, batch_size: 64}"},
    {"neumf", "{epochs: 2, pretrain_epochs: 2, batch_size: 64}"},
    {"neumf", "{epochs: 2, pretrain: false, optimizer: adam, batch_size: 64}"},
    {"bpr_mf", "{epochs: 2, batch_size: 64}"},
};

TEST(NcfCuda, GpuFitScoresLikeTheCpuFit) {
  SKIP_WITHOUT_CUDA();
  for (const auto& [name, yaml] : kCases) {
    const auto cpu = fit_and_score(name, yaml, Device::Cpu);
    const auto cuda = fit_and_score(name, yaml, Device::Cuda);
    const double worst = max_abs_difference(cpu, cuda);
    std::cout << "[ncf cuda vs cpu] " << name << " " << yaml << ": max |diff| = " << worst << "\n";
    EXPECT_LE(worst, 1e-4) << name << " " << yaml;
  }
}

TEST(NcfCuda, GpuCheckpointReloadsOnTheCpu) {
  SKIP_WITHOUT_CUDA();
  const testing::TempDir dir;
  for (const std::string name : {"gmf", "neumf", "bpr_mf"}) {
    const auto yaml = name == "neumf" ? std::string("{epochs: 1, pretrain_epochs: 1}") : std::string("{epochs: 1}");
    const auto cuda = fit_and_score(name, yaml, Device::Cuda, dir / name);
    const auto reloaded = fit_and_score(name, "{checkpoint: " + (dir / name / "model.pt").string() + "}", Device::Cpu);
    EXPECT_LE(max_abs_difference(cuda, reloaded), 1e-5) << name;
  }
}

TEST(NcfCuda, FusedAdamMatchesTorchOptimOnTheGpu) {
  SKIP_WITHOUT_CUDA();
  const NcfShape shape{NcfKind::NeuMf, 50, 40, 4, {8, 4}};
  auto fast = NcfNetwork::create(shape, 3, Device::Cuda, NcfNetwork::Implementation::Fast);
  auto reference = NcfNetwork::create(shape, 3, Device::Cuda, NcfNetwork::Implementation::Reference);
  const OptimizerSettings settings{OptimizerKind::Adam, 0.01, 0.01, 0.01, 0.0};
  fast->set_optimizer(settings);
  reference->set_optimizer(settings);
  TrainingInstances data;
  Random rng(4);
  for (int k = 0; k < 512; ++k) {
    data.users.push_back(static_cast<int32_t>(rng.below(50)));
    data.items.push_back(static_cast<int32_t>(rng.below(40)));
    data.labels.push_back(k % 3 == 0 ? 1.0f : 0.0f);
  }
  for (int epoch = 0; epoch < 3; ++epoch) {
    fast->train_epoch(data, 64);
    reference->train_epoch(data, 64);
  }
  const auto a = fast->parameters(), b = reference->parameters();
  for (size_t p = 0; p < a.size(); ++p)
    for (size_t k = 0; k < a[p].values.size(); ++k) EXPECT_NEAR(a[p].values[k], b[p].values[k], 1e-5) << a[p].name;
}

// Runs everywhere: asking for the GPU without one is a clear error, not a crash.
TEST(NcfCudaMissing, CudaWithoutAGpuIsAClearError) {
  if (torch_cuda_available()) GTEST_SKIP() << "a GPU is present";
  try {
    NcfNetwork::create({NcfKind::Gmf, 3, 3, 2, {}}, 1, Device::Cuda);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("run.device=cuda"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tailrec
