// gmf, mlp, neumf and bpr_mf (algorithms/neural, algorithms/torch/ncf_network): tensor shapes, a
// finite-difference gradient check, the fused Adam / SGD step against torch::optim (the Reference
// implementation) and against Adam's first step worked by hand, NeuMF's pretraining
// initialisation, loss decrease on a toy problem, save / load round trips (network and algorithm
// checkpoints), early stopping, and CPU determinism (two runs; 1 vs 2 threads).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "algorithms/neural/negative_sampler.hpp"
#include "algorithms/torch/ncf_network.hpp"
#include "experiments/register_all.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/random.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

using Implementation = NcfNetwork::Implementation;

NcfShape tiny(NcfKind kind) { return {kind, 3, 6, 2, {4, 3, 2}}; }  // item 5 is in no tiny_batch

std::map<std::string, NamedValues> by_name(const std::vector<NamedValues>& values) {
  std::map<std::string, NamedValues> out;
  for (const auto& v : values) out[v.name] = v;
  return out;
}

// Every weight of `network` replaced by N(0, scale) draws, so gradients are far from zero.
void randomise(NcfNetwork& network, double scale, uint64_t seed) {
  Random rng(seed);
  for (const auto& p : network.parameters()) {
    std::vector<float> values(p.values.size());
    for (auto& v : values) v = static_cast<float>(scale * (2 * rng.uniform() - 1));
    network.set_parameter(p.name, values);
  }
}

// A batch with repeated users and items (their gradients must add up).
TrainingInstances tiny_batch(NcfKind kind) {
  TrainingInstances data;
  data.users = {0, 1, 2, 0, 1, 0};
  data.items = {1, 3, 4, 1, 0, 2};
  if (kind == NcfKind::BprMf) data.negatives = {2, 2, 0, 3, 4, 4};
  else data.labels = {1, 0, 1, 1, 0, 0};
  return data;
}

std::vector<float> all_scores(const NcfNetwork& network) {
  std::vector<int32_t> users(static_cast<size_t>(network.shape().users));
  for (size_t u = 0; u < users.size(); ++u) users[u] = static_cast<int32_t>(u);
  std::vector<float> out(users.size() * static_cast<size_t>(network.shape().items));
  network.score(users, out);
  return out;
}

class EveryKind : public ::testing::TestWithParam<NcfKind> {};

TEST_P(EveryKind, TensorShapesFollowTheModelDefinition) {
  const NcfKind kind = GetParam();
  auto network = NcfNetwork::create({kind, 7, 11, 8, {64, 32, 16, 8}}, 1, Device::Cpu);
  const auto p = by_name(network->parameters());
  using Sizes = std::vector<int64_t>;
  switch (kind) {
    case NcfKind::Gmf:
      EXPECT_EQ(p.size(), 4u);
      EXPECT_EQ(p.at("user_gmf").sizes, (Sizes{7, 8}));
      EXPECT_EQ(p.at("item_gmf").sizes, (Sizes{11, 8}));
      EXPECT_EQ(p.at("prediction.weight").sizes, (Sizes{1, 8}));
      break;
    case NcfKind::Mlp:
      EXPECT_EQ(p.size(), 2u + 6u + 2u);
      EXPECT_EQ(p.at("user_mlp").sizes, (Sizes{7, 32}));  // layers[0] / 2
      EXPECT_EQ(p.at("item_mlp").sizes, (Sizes{11, 32}));
      EXPECT_EQ(p.at("layer1.weight").sizes, (Sizes{32, 64}));
      EXPECT_EQ(p.at("layer2.weight").sizes, (Sizes{16, 32}));
      EXPECT_EQ(p.at("layer3.weight").sizes, (Sizes{8, 16}));
      EXPECT_EQ(p.at("layer3.bias").sizes, (Sizes{8}));
      EXPECT_EQ(p.at("prediction.weight").sizes, (Sizes{1, 8}));
      break;
    case NcfKind::NeuMf:
      EXPECT_EQ(p.size(), 4u + 6u + 2u);
      EXPECT_EQ(p.at("user_gmf").sizes, (Sizes{7, 8}));
      EXPECT_EQ(p.at("user_mlp").sizes, (Sizes{7, 32}));
      EXPECT_EQ(p.at("prediction.weight").sizes, (Sizes{1, 16}));  // [GMF 8 ; MLP 8]
      EXPECT_EQ(p.at("prediction.bias").sizes, (Sizes{1}));
      break;
    case NcfKind::BprMf:
      EXPECT_EQ(p.size(), 3u);
      EXPECT_EQ(p.at("user_factors").sizes, (Sizes{7, 8}));
      EXPECT_EQ(p.at("item_factors").sizes, (Sizes{11, 8}));
      EXPECT_EQ(p.at("item_bias").sizes, (Sizes{11}));
      break;
  }
  // Embeddings start as N(0, 0.01): small, not all zero.
  for (const auto& [name, values] : p)
    if (name.find("user_") == 0) {
      double sum2 = 0;
      for (float v : values.values) sum2 += v * v;
      EXPECT_NEAR(std::sqrt(sum2 / static_cast<double>(values.values.size())), 0.01, 0.006) << name;
    }
  network->prepare_scoring();
  const auto scores = all_scores(*network);
  ASSERT_EQ(scores.size(), 7u * 11u);
  for (float s : scores) {
    EXPECT_TRUE(std::isfinite(s));
    if (kind != NcfKind::BprMf) {
      EXPECT_TRUE(s > 0 && s < 1) << s;  // a probability
    }
  }
}

// Scoring (split first layer, one matrix-vector product per user) equals the plain forward pass of
// every pair through the whole network (the Reference implementation's scoring) on the same weights.
TEST_P(EveryKind, FastScoringEqualsTheWholeNetworkOnEveryPair) {
  const NcfKind kind = GetParam();
  auto fast = NcfNetwork::create({kind, 6, 9, 4, {8, 6, 3}}, 3, Device::Cpu, Implementation::Fast);
  auto reference = NcfNetwork::create({kind, 6, 9, 4, {8, 6, 3}}, 3, Device::Cpu, Implementation::Reference);
  randomise(*fast, 0.8, 5);
  for (const auto& p : fast->parameters()) reference->set_parameter(p.name, p.values);
  fast->prepare_scoring();
  reference->prepare_scoring();
  const auto a = all_scores(*fast), b = all_scores(*reference);
  for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-6) << k;
}

// The gradients the training step computes (float32, embedding rows added into the tables,
// L2 included) against central differences of the float64 loss.
TEST_P(EveryKind, GradientsMatchFiniteDifferences) {
  const NcfKind kind = GetParam();
  auto network = NcfNetwork::create(tiny(kind), 1, Device::Cpu);
  randomise(*network, 0.7, 11);
  OptimizerSettings settings;
  settings.l2_embeddings = 0.05;
  settings.l2_layers = 0.03;
  settings.l2_bpr = 0.02;
  network->set_optimizer(settings);
  const auto data = tiny_batch(kind);
  const auto gradients = by_name(network->gradients(data));
  const double h = 1e-3;
  int checked = 0;
  for (const auto& p : network->parameters()) {
    const auto& g = gradients.at(p.name);
    ASSERT_EQ(g.values.size(), p.values.size()) << p.name;
    for (size_t k = 0; k < p.values.size(); ++k) {
      auto plus = p.values, minus = p.values;
      plus[k] += static_cast<float>(h);
      minus[k] -= static_cast<float>(h);
      // The float32 weights move by exactly the stored difference.
      const double step = static_cast<double>(plus[k]) - static_cast<double>(minus[k]);
      network->set_parameter(p.name, plus);
      const double up = network->loss(data);
      network->set_parameter(p.name, minus);
      const double down = network->loss(data);
      network->set_parameter(p.name, p.values);
      const double numeric = (up - down) / step;
      EXPECT_NEAR(g.values[k], numeric, 1e-4 + 1e-3 * std::abs(numeric)) << p.name << "[" << k << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

// Training steps of the Fast implementation (sparse rows into one dense buffer, one fused update
// per tensor) against the Reference (dense embedding gradients by autograd, torch::optim::Adam /
// SGD with weight_decay = 2 l2), from the same weights, over several epochs with repeated ids.
TEST_P(EveryKind, FastTrainingMatchesTorchOptim) {
  const NcfKind kind = GetParam();
  for (const auto optimizer : {OptimizerKind::Adam, OptimizerKind::Sgd}) {
    auto fast = NcfNetwork::create(tiny(kind), 4, Device::Cpu, Implementation::Fast);
    auto reference = NcfNetwork::create(tiny(kind), 4, Device::Cpu, Implementation::Reference);
    randomise(*fast, 0.5, 8);
    for (const auto& p : fast->parameters()) reference->set_parameter(p.name, p.values);
    OptimizerSettings settings{optimizer, optimizer == OptimizerKind::Adam ? 0.01 : 0.1, 0.02, 0.01, 0.01};
    fast->set_optimizer(settings);
    reference->set_optimizer(settings);
    const auto data = tiny_batch(kind);
    for (int epoch = 0; epoch < 4; ++epoch) {
      const auto a = fast->train_epoch(data, 4);
      const auto b = reference->train_epoch(data, 4);
      EXPECT_NEAR(a.mean_loss, b.mean_loss, 1e-5);
    }
    const auto expected = by_name(reference->parameters());
    for (const auto& p : fast->parameters())
      for (size_t k = 0; k < p.values.size(); ++k)
        EXPECT_NEAR(p.values[k], expected.at(p.name).values[k], 2e-6)
            << p.name << "[" << k << "] " << (optimizer == OptimizerKind::Adam ? "adam" : "sgd");
  }
}

INSTANTIATE_TEST_SUITE_P(Ncf, EveryKind, ::testing::Values(NcfKind::Gmf, NcfKind::Mlp, NcfKind::NeuMf, NcfKind::BprMf),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// Adam's first step by hand: m1 = (1-b1) g, v1 = (1-b2) g², m̂ = g, v̂ = g², so every weight moves
// by -lr · g / (|g| + eps) (the bias corrections cancel); a weight without gradient does not move.
TEST(NcfOptimizer, AdamFirstStepMovesEachWeightByLrTimesTheGradientSign) {
  auto network = NcfNetwork::create(tiny(NcfKind::NeuMf), 2, Device::Cpu);
  randomise(*network, 0.5, 3);
  OptimizerSettings settings;
  settings.lr = 0.01;
  network->set_optimizer(settings);
  const auto data = tiny_batch(NcfKind::NeuMf);
  const auto gradients = by_name(network->gradients(data));
  const auto before = by_name(network->parameters());
  network->train_epoch(data, static_cast<int64_t>(data.users.size()));  // one step
  int moved = 0, still = 0;
  for (const auto& p : network->parameters())
    for (size_t k = 0; k < p.values.size(); ++k) {
      const double g = gradients.at(p.name).values[k];
      const double expected = before.at(p.name).values[k] - 0.01 * g / (std::abs(g) + 1e-8);
      EXPECT_NEAR(p.values[k], expected, 1e-6) << p.name << "[" << k << "]";
      (g == 0 ? still : moved)++;
    }
  EXPECT_GT(moved, 20);
  EXPECT_GT(still, 0);  // item 5's rows are not in the batch
}

// SGD by hand: w <- w - lr (g + 2 l2 w).
TEST(NcfOptimizer, SgdStepIsTheGradientStepWithKerasL2) {
  auto network = NcfNetwork::create(tiny(NcfKind::Mlp), 2, Device::Cpu);
  randomise(*network, 0.5, 4);
  OptimizerSettings settings{OptimizerKind::Sgd, 0.1, 0.0, 0.0, 0.0};
  network->set_optimizer(settings);
  const auto data = tiny_batch(NcfKind::Mlp);
  const auto gradients = by_name(network->gradients(data));  // l2 = 0 here
  settings.l2_embeddings = 0.25;
  settings.l2_layers = 0.5;
  network->set_optimizer(settings);
  const auto before = by_name(network->parameters());
  network->train_epoch(data, static_cast<int64_t>(data.users.size()));
  for (const auto& p : network->parameters()) {
    const bool table = p.name.find("_mlp") != std::string::npos;
    const bool bias = p.name.find(".bias") != std::string::npos;
    const double l2 = table ? 0.25 : (bias ? 0.0 : 0.5);
    for (size_t k = 0; k < p.values.size(); ++k) {
      const double w = before.at(p.name).values[k];
      EXPECT_NEAR(p.values[k], w - 0.1 * (gradients.at(p.name).values[k] + 2 * l2 * w), 1e-6) << p.name << "[" << k << "]";
    }
  }
}

// He et al. §3.4.1 / NCF's load_pretrain_model: embeddings and tower copied, h = [α h_gmf ; (1-α) h_mlp],
// b = α b_gmf + (1-α) b_mlp.
TEST(NcfPretraining, NeuMfStartsFromGmfAndMlp) {
  auto gmf = NcfNetwork::create(tiny(NcfKind::Gmf), 1, Device::Cpu);
  auto mlp = NcfNetwork::create(tiny(NcfKind::Mlp), 2, Device::Cpu);
  randomise(*gmf, 0.5, 1);
  randomise(*mlp, 0.5, 2);
  auto neumf = NcfNetwork::neumf_from(*gmf, *mlp, 0.3);
  EXPECT_EQ(neumf->shape(), (NcfShape{NcfKind::NeuMf, 3, 6, 2, {4, 3, 2}}));
  const auto g = by_name(gmf->parameters()), m = by_name(mlp->parameters()), n = by_name(neumf->parameters());
  for (const char* name : {"user_gmf", "item_gmf"}) EXPECT_EQ(n.at(name).values, g.at(name).values) << name;
  for (const char* name : {"user_mlp", "item_mlp", "layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"})
    EXPECT_EQ(n.at(name).values, m.at(name).values) << name;
  const auto& h = n.at("prediction.weight").values;
  ASSERT_EQ(h.size(), 4u);
  EXPECT_FLOAT_EQ(h[0], 0.3f * g.at("prediction.weight").values[0]);
  EXPECT_FLOAT_EQ(h[1], 0.3f * g.at("prediction.weight").values[1]);
  EXPECT_FLOAT_EQ(h[2], 0.7f * m.at("prediction.weight").values[0]);
  EXPECT_FLOAT_EQ(h[3], 0.7f * m.at("prediction.weight").values[1]);
  EXPECT_FLOAT_EQ(n.at("prediction.bias").values[0],
                  0.3f * g.at("prediction.bias").values[0] + 0.7f * m.at("prediction.bias").values[0]);
  EXPECT_THROW(NcfNetwork::neumf_from(*mlp, *gmf, 0.5), Error);
}

// Toy problem: 40 users in two groups; group A likes items 0-9, group B items 10-19 (each user
// has 6 of them in training). Training must lower the loss and rank the group's unseen items
// above the other group's (random scores: half the pairs).
Interactions two_groups() {
  InteractionLog log;
  Random rng(99);
  for (int32_t u = 0; u < 40; ++u) {
    const int32_t base = u < 20 ? 0 : 10;
    std::vector<int32_t> items(10);
    for (int32_t k = 0; k < 10; ++k) items[static_cast<size_t>(k)] = base + k;
    rng.shuffle(items);
    for (int k = 0; k < 6; ++k) log.push(u, items[static_cast<size_t>(k)], 1.0f);
  }
  return Interactions(log, 40, 20);
}

TEST_P(EveryKind, LossDecreasesAndTheGroupStructureIsLearned) {
  const NcfKind kind = GetParam();
  const auto train = two_groups();
  auto network = NcfNetwork::create({kind, 40, 20, 8, {16, 8, 4}}, 5, Device::Cpu);
  OptimizerSettings settings;
  settings.lr = 0.02;
  network->set_optimizer(settings);
  NegativeSampler sampler(train);
  TrainingInstances data;
  std::vector<double> losses;
  for (int epoch = 1; epoch <= 40; ++epoch) {
    if (kind == NcfKind::BprMf) sampler.pairwise(3, epoch, 1, 1, data);
    else sampler.pointwise(3, epoch, 4, 1, data);
    losses.push_back(network->train_epoch(data, 32).mean_loss);
  }
  EXPECT_LT(losses.back(), 0.6 * losses.front()) << "first " << losses.front() << ", last " << losses.back();
  network->prepare_scoring();
  const auto scores = all_scores(*network);
  int right = 0, pairs = 0;
  for (int32_t u = 0; u < 40; ++u) {
    const int32_t own = u < 20 ? 0 : 10, other = 10 - own;
    for (int32_t i = own; i < own + 10; ++i) {
      if (train.contains(u, i)) continue;
      for (int32_t j = other; j < other + 10; ++j, ++pairs)
        right += scores[static_cast<size_t>(u * 20 + i)] > scores[static_cast<size_t>(u * 20 + j)];
    }
  }
  EXPECT_GT(static_cast<double>(right) / pairs, 0.85) << right << " / " << pairs;
}

TEST_P(EveryKind, SaveAndLoadGiveIdenticalScores) {
  const NcfKind kind = GetParam();
  const testing::TempDir dir;
  const auto train = two_groups();
  auto network = NcfNetwork::create({kind, 40, 20, 8, {16, 8, 4}}, 5, Device::Cpu);
  network->set_optimizer({});
  NegativeSampler sampler(train);
  TrainingInstances data;
  if (kind == NcfKind::BprMf) sampler.pairwise(3, 1, 1, 1, data);
  else sampler.pointwise(3, 1, 4, 1, data);
  network->train_epoch(data, 16);
  network->prepare_scoring();
  network->save(dir / "model.pt");
  auto loaded = NcfNetwork::load(dir / "model.pt", Device::Cpu);
  EXPECT_EQ(loaded->shape(), network->shape());
  loaded->prepare_scoring();
  EXPECT_EQ(all_scores(*loaded), all_scores(*network));
  const auto a = network->parameters(), b = loaded->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].values, b[k].values) << a[k].name;
}

TEST(NcfCheckpoint, BadFilesAreClearErrors) {
  const testing::TempDir dir;
  try {
    NcfNetwork::load(dir / "missing.pt", Device::Cpu);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  const auto junk = dir.write("junk.pt", "not a checkpoint");
  EXPECT_THROW(NcfNetwork::load(junk, Device::Cpu), Error);
}

// ---- through the registered algorithms ----

std::unique_ptr<Algorithm> create(const std::string& name, const std::string& yaml) {
  const auto& entry = registries().algorithms.at(name);
  return entry.create(Params::from_yaml(entry.params, YAML::Load(yaml)));
}

std::vector<float> scores_of(const Algorithm& a, int32_t users) {
  std::vector<int32_t> ids(static_cast<size_t>(users));
  for (int32_t u = 0; u < users; ++u) ids[static_cast<size_t>(u)] = u;
  std::vector<float> out(static_cast<size_t>(users) * static_cast<size_t>(a.num_items()));
  a.score(ids, out);
  return out;
}

// 300 users x 120 items, ~15 items each, popularity-skewed, seeded.
Interactions medium() {
  InteractionLog log;
  Random rng(2024);
  for (int32_t u = 0; u < 300; ++u) {
    std::vector<char> taken(120, 0);
    for (int k = 0; k < 15; ++k) {
      const auto i = static_cast<int32_t>(rng.below(rng.below(120) + 1));
      if (!taken[static_cast<size_t>(i)]) taken[static_cast<size_t>(i)] = 1, log.push(u, i, 1.0f);
    }
  }
  return Interactions(log, 300, 120);
}

// Same seed and config => the same scores; and the same for 1 and 2 threads (batch 4096 and a
// wide tower, so that the reductions are large enough to be split across threads if torch did).
TEST(NcfDeterminism, SameSeedSameScoresOnAnyThreadCount) {
  const auto train = medium();
  const ItemContent content(train.num_items());
  const std::string yaml = "{epochs: 2, batch_size: 4096, factors: 16, layers: [256, 128, 64], optimizer: adam, pretrain_epochs: 2}";
  std::vector<std::vector<float>> runs;
  for (int threads : {1, 2, 1}) {
    auto a = create("neumf", yaml);
    a->fit(FitContext{train, content, nullptr, 17, threads, Device::Cpu, &Logger::null(), {}});
    runs.push_back(scores_of(*a, 300));
  }
  EXPECT_EQ(runs[0], runs[2]) << "two runs with the same seed differ";
  EXPECT_EQ(runs[0], runs[1]) << "1 and 2 threads differ";
  auto other_seed = create("neumf", yaml);
  other_seed->fit(FitContext{train, content, nullptr, 18, 1, Device::Cpu, &Logger::null(), {}});
  EXPECT_NE(scores_of(*other_seed, 300), runs[0]);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fit with a work folder saves model.pt; `checkpoint: PATH` loads it and scores identically.
TEST(NcfCheckpoint, AlgorithmReloadsItsSavedModel) {
  const testing::TempDir dir;
  const auto train = medium();
  const ItemContent content(train.num_items());
  for (const std::string name : {"gmf", "mlp", "neumf", "bpr_mf"}) {
    auto trained = create(name, name == "neumf" ? "{epochs: 1, pretrain_epochs: 1}" : "{epochs: 2}");
    const auto work = dir / "work" / name;
    trained->fit(FitContext{train, content, nullptr, 3, 1, Device::Cpu, &Logger::null(), work});
    ASSERT_TRUE(std::filesystem::exists(work / "model.pt")) << name;
    auto reloaded = create(name, "{checkpoint: " + (work / "model.pt").string() + "}");
    reloaded->fit(FitContext{train, content, nullptr, 99, 2, Device::Cpu, &Logger::null(), {}});
    EXPECT_EQ(scores_of(*reloaded, 300), scores_of(*trained, 300)) << name;
  }
  // A checkpoint of another shape is refused with both shapes named.
  auto wrong = create("gmf", "{factors: 4, checkpoint: " + (dir / "work" / "gmf" / "model.pt").string() + "}");
  try {
    wrong->fit(FitContext{train, content, nullptr, 3, 1, Device::Cpu, &Logger::null(), {}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("factors=8"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("factors=4"), std::string::npos) << e.what();
  }
}

// NeuMF's pretraining trains its gmf and mlp exactly as the standalone algorithms with the same
// settings and seed; pretrained_gmf / pretrained_mlp (relative to the run's work folder) reuse them.
TEST(NcfPretraining, PretrainedComponentsEqualTheStandaloneModels) {
  const testing::TempDir dir;
  const auto train = medium();
  const ItemContent content(train.num_items());
  const auto context = [&](const std::string& label) {
    return FitContext{train, content, nullptr, 5, 1, Device::Cpu, &Logger::null(), dir / "work" / label};
  };
  auto gmf = create("gmf", "{epochs: 2}");
  gmf->fit(context("gmf"));
  auto mlp = create("mlp", "{epochs: 2}");
  mlp->fit(context("mlp"));
  auto neumf = create("neumf", "{epochs: 1, pretrain_epochs: 2}");
  neumf->fit(context("neumf"));
  for (const std::string component : {"gmf", "mlp"}) {
    auto standalone = NcfNetwork::load(dir / "work" / component / "model.pt", Device::Cpu);
    auto inside = NcfNetwork::load(dir / "work" / "neumf" / ("pretrained_" + component + ".pt"), Device::Cpu);
    const auto a = standalone->parameters(), b = inside->parameters();
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].values, b[k].values) << component << " " << a[k].name;
  }
  auto reusing = create("neumf", "{epochs: 1, pretrain_epochs: 2, pretrained_gmf: gmf/model.pt, pretrained_mlp: mlp/model.pt}");
  reusing->fit(context("neumf_reuse"));
  EXPECT_EQ(scores_of(*reusing, 300), scores_of(*neumf, 300));
  auto missing = create("neumf", "{pretrained_gmf: nowhere/model.pt}");
  EXPECT_THROW(missing->fit(context("neumf_missing")), Error);
}

// With a validation carve-out the best epoch (by the validation metric) is kept and saved, and
// training stops after `patience` epochs without improvement.
TEST(NcfEarlyStopping, KeepsTheBestEpochAndStopsAfterPatience) {
  const testing::TempDir dir;
  const auto all = medium();
  // Validation: each user's last training item.
  InteractionLog train_log, validation_log;
  for (int32_t u = 0; u < all.num_users(); ++u) {
    const auto items = all.items_of(u);
    for (size_t k = 0; k < items.size(); ++k) (k + 1 == items.size() ? validation_log : train_log).push(u, items[k], 1.0f);
  }
  const Interactions train(train_log, 300, 120), validation(validation_log, 300, 120);
  const ItemContent content(120);
  Logger log;
  log.set_quiet(true);
  log.open_file((dir / "run.log").string());
  // lr 0.05 overfits quickly, so validation peaks early.
  auto a = create("gmf", "{epochs: 30, lr: 0.05, factors: 32, patience: 2, metric: hit@5, validation_negatives: 20}");
  a->fit(FitContext{train, content, &validation, 8, 1, Device::Cpu, &log, dir / "work" / "gmf"});
  log.close_file();
  const auto text = read_file(dir / "run.log");
  EXPECT_NE(text.find("early stopping on validation hit@5"), std::string::npos) << text;
  EXPECT_NE(text.find("early stop after epoch"), std::string::npos) << text;
  EXPECT_EQ(text.find("epoch 30/30"), std::string::npos) << text;
  const auto keep = text.find("keeping epoch ");
  ASSERT_NE(keep, std::string::npos) << text;
  // The kept model is the saved one.
  auto saved = create("gmf", "{factors: 32, checkpoint: " + (dir / "work" / "gmf" / "model.pt").string() + "}");
  saved->fit(FitContext{train, content, nullptr, 8, 1, Device::Cpu, &Logger::null(), {}});
  EXPECT_EQ(scores_of(*saved, 300), scores_of(*a, 300));
}

TEST(NcfParams, InvalidSettingsAreClearErrors) {
  const auto train = medium();
  const ItemContent content(train.num_items());
  const FitContext context{train, content, nullptr, 1, 1, Device::Cpu, &Logger::null(), {}};
  EXPECT_THROW(create("mlp", "{layers: [63, 8]}")->fit(context), Error);  // odd layers[0]
  EXPECT_THROW(create("mlp", "{layers: [64]}")->fit(context), Error);     // no tower
  EXPECT_THROW(create("gmf", "{metric: coverage@10}"), Error);  // not a per-user metric
  EXPECT_THROW(create("gmf", "{metric: ndcg@0}"), Error);
  EXPECT_THROW(create("gmf", "{optimizer: rmsprop}"), Error);
  EXPECT_THROW(create("neumf", "{pretrain: false, pretrained_gmf: x.pt}"), Error);
}

}  // namespace
}  // namespace tailrec
