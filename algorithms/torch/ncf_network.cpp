// libtorch implementation of ncf_network.hpp: GMF, MLP, NeuMF and BPR-MF, their training steps
// (Fast and Reference), scoring and torch::save checkpoints. No fmt here (see
// algorithms/CMakeLists.txt): messages are built with std::string.
#include "algorithms/torch/ncf_network.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include <Eigen/Core>
#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include "algorithms/torch/torch_runtime.hpp"
#include "framework/util/error.hpp"
#include "framework/util/random.hpp"

namespace tailrec {

namespace {

constexpr double kBeta1 = 0.9;  // Adam's constants: torch's and Keras' defaults
constexpr double kBeta2 = 0.999;
constexpr double kEpsilon = 1e-8;
constexpr int64_t kUpdateGrain = 16384;  // elements per task of the fused update (elementwise: any split gives the same result)
constexpr int64_t kUpdateBlock = 1024;   // elements per Eigen block inside a task (4 arrays x 4 KiB stay in L1)
constexpr int64_t kCheckpointFormat = 1;
constexpr int64_t kSerialElements = 32768;  // at::internal::GRAIN_SIZE: larger elementwise ops split across threads

bool has_mf(NcfKind kind) { return kind == NcfKind::Gmf || kind == NcfKind::NeuMf || kind == NcfKind::BprMf; }
bool has_mlp(NcfKind kind) { return kind == NcfKind::Mlp || kind == NcfKind::NeuMf; }

torch::Device torch_device(Device device) {
  if (device == Device::Cpu) return torch::Device(torch::kCPU);
  if (!torch::cuda::is_available())
    throw Error("run.device=cuda but libtorch sees no CUDA device (this libtorch: " + torch_build_description() +
                "); use run.device=cpu or auto");
  return torch::Device(torch::kCUDA);
}

std::string join_sizes(const std::vector<int64_t>& values) {
  std::string out = "[";
  for (size_t k = 0; k < values.size(); ++k) {
    if (k) out += ',';
    out += std::to_string(values[k]);
  }
  return out + "]";
}

// Sizes a kind does not use are cleared, so equal models compare equal.
NcfShape canonical(NcfShape s) {
  if (!has_mf(s.kind)) s.factors = 0;
  if (!has_mlp(s.kind)) s.layers.clear();
  return s;
}

void check_shape(const NcfShape& s) {
  const std::string what = s.describe() + ": ";
  if (s.users <= 0 || s.items <= 0) throw Error(what + "needs at least one user and one item");
  if (has_mf(s.kind) && s.factors < 1) throw Error(what + "factors must be >= 1");
  if (has_mlp(s.kind)) {
    if (s.layers.size() < 2)
      throw Error(what + "layers needs at least two sizes: the concatenated embedding (layers[0]) and one tower layer, "
                         "e.g. [64, 32, 16, 8]");
    if (s.layers[0] % 2 != 0 || s.layers[0] < 2)
      throw Error(what + "layers[0] = " + std::to_string(s.layers[0]) +
                  " must be even: it is the user and item MLP embeddings concatenated (each layers[0]/2)");
    for (int64_t size : s.layers)
      if (size < 1) throw Error(what + "every layer size must be >= 1");
  }
}

// Seeded values from tailrec::Random (SplitMix64), one derived stream per tensor, so a seed gives
// the same weights on every platform and device (torch's generators differ between CPU and CUDA).
torch::Tensor normal_tensor(std::vector<int64_t> sizes, double stddev, uint64_t seed, uint64_t stream) {
  auto t = torch::empty(sizes, torch::kFloat32);
  float* out = t.data_ptr<float>();
  Random rng = Random::derive(seed, stream);
  for (int64_t k = 0; k < t.numel(); ++k) {
    // Box-Muller with u1 in (0, 1].
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
    out[k] = static_cast<float>(stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  return t;
}

torch::Tensor uniform_tensor(std::vector<int64_t> sizes, double limit, uint64_t seed, uint64_t stream) {
  auto t = torch::empty(sizes, torch::kFloat32);
  float* out = t.data_ptr<float>();
  Random rng = Random::derive(seed, stream);
  for (int64_t k = 0; k < t.numel(); ++k) out[k] = static_cast<float>(limit * (2.0 * rng.uniform() - 1.0));
  return t;
}

// Every tensor of a model. Embedding tables are [rows x size]; layer weights [out x in] (torch's
// Linear layout); the output layer [1 x in]; BPR-MF's item bias [items].
struct Weights {
  torch::Tensor user_mf, item_mf;    // GMF / NeuMF / BPR-MF factors
  torch::Tensor user_mlp, item_mlp;  // MLP / NeuMF embeddings, layers[0]/2 each
  std::vector<torch::Tensor> layer_weight, layer_bias;
  torch::Tensor out_weight, out_bias;  // NCF kinds
  torch::Tensor item_bias;             // BPR-MF

  // (name, tensor, is embedding table, is a weight that L2 applies to) in a fixed order.
  struct Entry {
    std::string name;
    torch::Tensor* tensor;
    bool table;
    bool regularised;
  };
  std::vector<Entry> entries(NcfKind kind) {
    std::vector<Entry> out;
    const bool bpr = kind == NcfKind::BprMf;
    if (has_mf(kind)) {
      out.push_back({bpr ? "user_factors" : "user_gmf", &user_mf, true, true});
      out.push_back({bpr ? "item_factors" : "item_gmf", &item_mf, true, true});
    }
    if (has_mlp(kind)) {
      out.push_back({"user_mlp", &user_mlp, true, true});
      out.push_back({"item_mlp", &item_mlp, true, true});
      for (size_t l = 0; l < layer_weight.size(); ++l) {
        out.push_back({"layer" + std::to_string(l + 1) + ".weight", &layer_weight[l], false, true});
        out.push_back({"layer" + std::to_string(l + 1) + ".bias", &layer_bias[l], false, false});
      }
    }
    if (bpr) {
      out.push_back({"item_bias", &item_bias, true, false});
    } else {
      out.push_back({"prediction.weight", &out_weight, false, true});
      out.push_back({"prediction.bias", &out_bias, false, false});
    }
    return out;
  }

  Weights map(NcfKind kind, const std::function<torch::Tensor(const torch::Tensor&)>& f) const {
    Weights copy = *this;
    for (auto& e : copy.entries(kind)) *e.tensor = f(*e.tensor);
    return copy;
  }
};

Weights initial_weights(const NcfShape& s, uint64_t seed) {
  Weights w;
  uint64_t stream = 0;
  if (has_mf(s.kind)) {
    w.user_mf = normal_tensor({s.users, s.factors}, 0.01, seed, stream++);
    w.item_mf = normal_tensor({s.items, s.factors}, 0.01, seed, stream++);
  } else {
    stream += 2;
  }
  if (has_mlp(s.kind)) {
    const int64_t half = s.layers[0] / 2;
    w.user_mlp = normal_tensor({s.users, half}, 0.01, seed, stream++);
    w.item_mlp = normal_tensor({s.items, half}, 0.01, seed, stream++);
    for (size_t l = 1; l < s.layers.size(); ++l) {
      const int64_t in = s.layers[l - 1], out = s.layers[l];
      // glorot_uniform (Keras' Dense default): U(±sqrt(6 / (fan_in + fan_out))).
      w.layer_weight.push_back(
          uniform_tensor({out, in}, std::sqrt(6.0 / static_cast<double>(in + out)), seed, 100 + l));
      w.layer_bias.push_back(torch::zeros({out}));
    }
  }
  if (s.kind == NcfKind::BprMf) {
    w.item_bias = torch::zeros({s.items});
  } else {
    int64_t in = 0;
    if (has_mf(s.kind)) in += s.factors;
    if (has_mlp(s.kind)) in += s.layers.back();
    // lecun_uniform (the original code's prediction layer): U(±sqrt(3 / fan_in)).
    w.out_weight = uniform_tensor({1, in}, std::sqrt(3.0 / static_cast<double>(in)), seed, 99);
    w.out_bias = torch::zeros({1});
  }
  return w;
}

// The gathered embedding rows of one batch.
struct Rows {
  torch::Tensor user_mf, item_mf, user_mlp, item_mlp;  // pointwise kinds
  torch::Tensor negative_mf, item_bias, negative_bias;  // BPR-MF (item_mf = the positive)
};

// The NCF logit of each row (before the sigmoid).
torch::Tensor pointwise_logits(NcfKind kind, const Weights& w, const Rows& r) {
  torch::Tensor gmf, mlp;
  if (has_mf(kind)) gmf = r.user_mf * r.item_mf;
  if (has_mlp(kind)) {
    mlp = torch::cat({r.user_mlp, r.item_mlp}, 1);
    for (size_t l = 0; l < w.layer_weight.size(); ++l) mlp = torch::relu(torch::linear(mlp, w.layer_weight[l], w.layer_bias[l]));
  }
  const torch::Tensor joined = kind == NcfKind::NeuMf ? torch::cat({gmf, mlp}, 1) : (gmf.defined() ? gmf : mlp);
  return torch::linear(joined, w.out_weight, w.out_bias).view({-1});
}

// x_uij = <p_u, q_i - q_j> + b_i - b_j.
torch::Tensor bpr_margin(const Rows& r) {
  return (r.user_mf * (r.item_mf - r.negative_mf)).sum(1) + r.item_bias - r.negative_bias;
}

// The data term of the loss (mean over the batch), plus BPR-MF's per-sample L2.
torch::Tensor batch_loss(NcfKind kind, const Weights& w, const Rows& r, const torch::Tensor& labels, double l2_bpr) {
  if (kind != NcfKind::BprMf) return torch::binary_cross_entropy_with_logits(pointwise_logits(kind, w, r), labels);
  auto loss = torch::softplus(-bpr_margin(r)).mean();  // -ln sigmoid(x)
  if (l2_bpr > 0) {
    const auto squares = r.user_mf.pow(2).sum() + r.item_mf.pow(2).sum() + r.negative_mf.pow(2).sum() +
                         r.item_bias.pow(2).sum() + r.negative_bias.pow(2).sum();
    loss = loss + squares * (l2_bpr / static_cast<double>(r.user_mf.size(0)));
  }
  return loss;
}

// Batch index tensors: users, items (positives), negatives (BPR-MF) and labels (pointwise).
struct Batch {
  torch::Tensor users, items, negatives, labels;
  int64_t size() const { return users.size(0); }
  Batch slice(int64_t begin, int64_t end) const {
    Batch b;
    b.users = users.slice(0, begin, end);
    b.items = items.slice(0, begin, end);
    if (negatives.defined()) b.negatives = negatives.slice(0, begin, end);
    if (labels.defined()) b.labels = labels.slice(0, begin, end);
    return b;
  }
};

Batch to_batch(const TrainingInstances& data, NcfKind kind, const torch::Device& device) {
  const int64_t n = data.size();
  const auto wrap = [&](const std::vector<int32_t>& v, const char* what) {
    if (static_cast<int64_t>(v.size()) != n)
      throw Error(std::string("training instances: ") + what + " has " + std::to_string(v.size()) + " entries, users has " +
                  std::to_string(n));
    return torch::from_blob(const_cast<int32_t*>(v.data()), {n}, torch::kInt32).to(device);
  };
  Batch b;
  b.users = wrap(data.users, "users");
  b.items = wrap(data.items, "items");
  if (kind == NcfKind::BprMf) {
    b.negatives = wrap(data.negatives, "negatives");
  } else {
    if (static_cast<int64_t>(data.labels.size()) != n) throw Error("training instances: labels and users differ in length");
    b.labels = torch::from_blob(const_cast<float*>(data.labels.data()), {n}, torch::kFloat32).to(device);
  }
  return b;
}

void check_ids(const TrainingInstances& data, const NcfShape& s) {
  for (int64_t k = 0; k < data.size(); ++k) {
    const auto at = static_cast<size_t>(k);
    const bool bad = data.users[at] < 0 || data.users[at] >= s.users || data.items[at] < 0 || data.items[at] >= s.items ||
                     (!data.negatives.empty() && (data.negatives[at] < 0 || data.negatives[at] >= s.items));
    if (bad)
      throw Error("training instance " + std::to_string(k) + " has an id outside the model's " + std::to_string(s.users) +
                  " users x " + std::to_string(s.items) + " items");
  }
}

// The Adam constants of step t, as torch::optim::Adam computes them.
struct AdamStep {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, step_size, bias2_sqrt, eps;
  explicit AdamStep(double lr, int64_t t)
      : beta1(static_cast<float>(kBeta1)),
        one_minus_beta1(static_cast<float>(1 - kBeta1)),
        beta2(static_cast<float>(kBeta2)),
        one_minus_beta2(static_cast<float>(1 - kBeta2)),
        step_size(static_cast<float>(lr / (1 - std::pow(kBeta1, static_cast<double>(t))))),
        bias2_sqrt(static_cast<float>(std::sqrt(1 - std::pow(kBeta2, static_cast<double>(t))))),
        eps(static_cast<float>(kEpsilon)) {}
};

// One Adam update of one tensor: the weights, their gradient (+ decay·param, Keras' L2) and the two
// moments. `clear` zeroes the gradient as it goes (the reused dense buffer of an embedding table).
struct AdamTensor {
  torch::Tensor param, grad, m, v;
  float decay;
  bool clear;
};

// Adam on every tensor of a step, same formula as torch::optim::Adam::step. On the CPU: one pass
// over memory per element (weights, gradient and moments read and written once, no temporaries)
// and ONE parallel region for all tensors together, so a step synchronises threads once.
void adam_update(std::vector<AdamTensor>& tensors, const AdamStep& c) {
  if (tensors.empty()) return;
  if (!tensors.front().param.is_cpu()) {
    for (auto& t : tensors) {
      const auto g = t.decay != 0 ? t.grad + t.param * t.decay : t.grad;
      t.m.mul_(c.beta1).add_(g, c.one_minus_beta1);
      t.v.mul_(c.beta2).addcmul_(g, g, c.one_minus_beta2);
      t.param.addcdiv_(t.m, (t.v.sqrt() / c.bias2_sqrt).add_(c.eps), -c.step_size);
      if (t.clear) t.grad.zero_();
    }
    return;
  }
  for (auto& t : tensors)
    if (!t.grad.is_contiguous()) t.grad = t.grad.contiguous();  // read only (a table's buffer is contiguous)
  std::vector<int64_t> offsets{0};  // tensor k covers [offsets[k], offsets[k + 1]) of the joint range
  for (const auto& t : tensors) offsets.push_back(offsets.back() + t.param.numel());
  // Eigen arrays over blocks that stay in L1: vectorised sqrt and division (a plain loop calling
  // std::sqrt is not vectorised under -fmath-errno). Elementwise, so any split gives the same result.
  using Array = Eigen::Map<Eigen::ArrayXf>;
  at::parallel_for(0, offsets.back(), kUpdateGrain, [&](int64_t begin, int64_t end) {
    auto k = static_cast<size_t>(std::upper_bound(offsets.begin(), offsets.end(), begin) - offsets.begin() - 1);
    for (int64_t at = begin; at < end; ++k) {
      const auto& t = tensors[k];
      const int64_t stop = std::min(end, offsets[k + 1]);
      float* p = t.param.data_ptr<float>() - offsets[k];  // indexed by the joint position
      float* g = t.grad.data_ptr<float>() - offsets[k];
      float* mp = t.m.data_ptr<float>() - offsets[k];
      float* vp = t.v.data_ptr<float>() - offsets[k];
      for (int64_t b = at; b < stop; b += kUpdateBlock) {
        const Eigen::Index len = std::min(kUpdateBlock, stop - b);
        Array pb(p + b, len), gb(g + b, len), mb(mp + b, len), vb(vp + b, len);
        if (t.decay != 0) gb += t.decay * pb;
        mb = mb * c.beta1 + gb * c.one_minus_beta1;
        vb = vb * c.beta2 + gb * gb * c.one_minus_beta2;
        pb += -c.step_size * (mb / (vb.sqrt() / c.bias2_sqrt + c.eps));
        if (t.clear) gb.setZero();
      }
      at = stop;
    }
  });
}

// table[index[k]] += alpha · rows[k] for every k in batch order (repeated ids add up, as a dense
// embedding gradient does). On the CPU a plain loop over rows: torch's index_add_ dispatches one
// add per index.
void add_rows(torch::Tensor& table, const torch::Tensor& index, const torch::Tensor& rows, float alpha) {
  if (!table.is_cpu()) {
    table.index_add_(0, index, rows, alpha);
    return;
  }
  const auto source = rows.dim() == 2 && rows.stride(1) == 1 ? rows : rows.contiguous();
  const int64_t width = table.dim() == 1 ? 1 : table.size(1);
  const int64_t source_stride = source.dim() == 1 ? 1 : source.stride(0);
  float* dst = table.data_ptr<float>();
  const float* src = source.data_ptr<float>();
  const auto add = [&](const auto* id) {
    for (int64_t k = 0; k < index.numel(); ++k) {
      float* row = dst + static_cast<int64_t>(id[k]) * width;
      const float* from = src + k * source_stride;
      for (int64_t j = 0; j < width; ++j) row[j] += alpha * from[j];
    }
  };
  const auto ids = index.contiguous();
  if (ids.scalar_type() == torch::kInt32) add(ids.data_ptr<int32_t>());
  else add(ids.to(torch::kInt64).data_ptr<int64_t>());
}

// param -= lr · (grad + decay · param).
void sgd_update(torch::Tensor& param, const torch::Tensor& grad, float decay, float lr) {
  if (decay != 0) param.mul_(1.0f - lr * decay);
  param.add_(grad, -lr);
}

class NetworkBase : public NcfNetwork {
 public:
  NetworkBase(NcfShape shape, Weights weights, Device device)
      : shape_(canonical(std::move(shape))), device_(device), torch_device_(torch_device(device)) {
    weights_ = weights.map(shape_.kind, [&](const torch::Tensor& t) { return t.to(torch_device_).clone(); });
  }

  const NcfShape& shape() const override { return shape_; }
  Device device() const override { return device_; }
  const Weights& weights() const { return weights_; }

  EpochReport train_epoch(const TrainingInstances& data, int64_t batch_size,
                          const std::function<void(int64_t, int64_t)>& progress) override {
    if (!optimizer_) throw Error("ncf network: set_optimizer() must come before train_epoch()");
    if (batch_size < 1) throw Error("batch_size must be >= 1");
    check_ids(data, shape_);
    const auto start = std::chrono::steady_clock::now();
    const Batch all = to_batch(data, shape_.kind, torch_device_);
    const int64_t n = all.size();
    const int64_t batches = (n + batch_size - 1) / batch_size;
    // Batch losses stay on the device (no host sync per batch), weighted by batch size.
    auto losses = torch::zeros({std::max<int64_t>(batches, 1)}, torch::dtype(torch::kFloat32).device(torch_device_));
    for (int64_t k = 0; k < batches; ++k) {
      const int64_t begin = k * batch_size, end = std::min(n, begin + batch_size);
      const auto loss = step(all.slice(begin, end));
      losses.select(0, k).copy_(loss.detach() * static_cast<float>(end - begin));
      if (progress) progress(end, n);
    }
    scoring_ready_ = false;
    EpochReport report;
    report.samples = n;
    report.mean_loss = n ? losses.to(torch::kFloat64).sum().item<double>() / static_cast<double>(n) : 0.0;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
  }

  void prepare_scoring() override {
    c10::InferenceMode guard;
    if (has_mlp(shape_.kind)) {
      // The item half of the first tower layer, bias included: item_mlp · W1[:, half:]ᵀ + b1.
      const int64_t half = shape_.layers[0] / 2;
      item_half_ = torch::addmm(weights_.layer_bias[0], weights_.item_mlp,
                                weights_.layer_weight[0].narrow(1, half, half).t());
    }
    scoring_ready_ = true;
  }

  void score(std::span<const int32_t> users, std::span<float> out) const override {
    if (!scoring_ready_) throw Error("ncf network: prepare_scoring() must come after the weights change, before score()");
    const int64_t n = shape_.items;
    if (out.size() < users.size() * static_cast<size_t>(n)) throw Error("ncf network: score() output buffer too small");
    c10::InferenceMode guard;
    const auto count = static_cast<int64_t>(users.size());
    // On the CPU each row is written straight into `out`; on a GPU the block is copied back once.
    const auto host = torch::from_blob(out.data(), {count, n}, torch::kFloat32);
    auto rows = torch_device_.is_cpu() ? host : torch::empty({count, n}, torch::dtype(torch::kFloat32).device(torch_device_));
    const int64_t tile = scoring_tile();
    for (int64_t k = 0; k < count; ++k) {
      const int32_t u = users[static_cast<size_t>(k)];
      if (u < 0 || u >= shape_.users) throw Error("ncf network: user " + std::to_string(u) + " is outside the model");
      const UserTerms terms = user_terms(u);
      for (int64_t begin = 0; begin < n; begin += tile) {
        auto target = rows.select(0, k).narrow(0, begin, std::min(tile, n - begin));
        user_scores(u, terms, begin, target);
      }
    }
    if (!torch_device_.is_cpu()) host.copy_(rows.to(torch::kCPU));
  }

  void save(const std::filesystem::path& file) const override {
    torch::serialize::OutputArchive archive;
    std::vector<int64_t> header{kCheckpointFormat, static_cast<int64_t>(shape_.kind), shape_.users, shape_.items,
                                shape_.factors};
    header.insert(header.end(), shape_.layers.begin(), shape_.layers.end());
    archive.write("shape", torch::tensor(header, torch::kInt64));
    Weights copy = weights_;
    for (const auto& e : copy.entries(shape_.kind)) archive.write(e.name, e.tensor->detach().to(torch::kCPU));
    try {
      archive.save_to(file.string());
    } catch (const std::exception& e) {
      throw Error("cannot write the model checkpoint '" + file.string() + "': " + e.what());
    }
  }

  std::vector<NamedValues> parameters() const override {
    std::vector<NamedValues> out;
    Weights copy = weights_;
    for (const auto& e : copy.entries(shape_.kind)) out.push_back(named(e.name, *e.tensor));
    return out;
  }

  void set_parameter(const std::string& name, std::span<const float> values) override {
    for (auto& e : weights_.entries(shape_.kind))
      if (e.name == name) {
        if (static_cast<int64_t>(values.size()) != e.tensor->numel())
          throw Error("set_parameter(" + name + "): " + std::to_string(values.size()) + " values for " +
                      std::to_string(e.tensor->numel()) + " elements");
        torch::NoGradGuard no_grad;
        auto host = torch::from_blob(const_cast<float*>(values.data()), e.tensor->sizes(), torch::kFloat32);
        e.tensor->copy_(host);
        scoring_ready_ = false;
        return;
      }
    throw Error("set_parameter: no weight named '" + name + "' in " + shape_.describe());
  }

  double loss(const TrainingInstances& data) const override {
    torch::NoGradGuard no_grad;
    check_ids(data, shape_);
    const auto batch = to_batch(data, shape_.kind, torch_device_);
    const Weights w = weights_.map(shape_.kind, [](const torch::Tensor& t) { return t.detach().to(torch::kFloat64); });
    const Rows rows = gather(w, batch, false);
    const auto labels = batch.labels.defined() ? batch.labels.to(torch::kFloat64) : torch::Tensor();
    double total = batch_loss(shape_.kind, w, rows, labels, settings_.l2_bpr).item<double>();
    if (shape_.kind != NcfKind::BprMf) {
      Weights copy = w;
      for (const auto& e : copy.entries(shape_.kind)) {
        const double l2 = e.table ? settings_.l2_embeddings : (e.regularised ? settings_.l2_layers : 0.0);
        if (l2 > 0) total += l2 * e.tensor->pow(2).sum().item<double>();
      }
    }
    return total;
  }

 protected:
  // The rows of a batch; as autograd leaves when `leaves` (their gradients are the tables' sparse gradients).
  Rows gather(const Weights& w, const Batch& b, bool leaves) const {
    const auto take = [&](const torch::Tensor& table, const torch::Tensor& index) {
      auto rows = table.detach().index_select(0, index);
      return leaves ? rows.requires_grad_(true) : rows;
    };
    Rows r;
    if (has_mf(shape_.kind)) {
      r.user_mf = take(w.user_mf, b.users);
      r.item_mf = take(w.item_mf, b.items);
    }
    if (has_mlp(shape_.kind)) {
      r.user_mlp = take(w.user_mlp, b.users);
      r.item_mlp = take(w.item_mlp, b.items);
    }
    if (shape_.kind == NcfKind::BprMf) {
      r.negative_mf = take(w.item_mf, b.negatives);
      r.item_bias = take(w.item_bias, b.items);
      r.negative_bias = take(w.item_bias, b.negatives);
    }
    return r;
  }

  static NamedValues named(const std::string& name, const torch::Tensor& t) {
    const auto host = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    NamedValues v{name, host.sizes().vec(), std::vector<float>(static_cast<size_t>(host.numel()))};
    if (host.numel()) std::memcpy(v.values.data(), host.data_ptr<float>(), v.values.size() * sizeof(float));
    return v;
  }

  float decay_of(const Weights::Entry& e) const {
    if (shape_.kind == NcfKind::BprMf) return 0.0f;
    const double l2 = e.table ? settings_.l2_embeddings : (e.regularised ? settings_.l2_layers : 0.0);
    return static_cast<float>(2 * l2);  // d/dθ of λθ²
  }

  // One optimizer step on batch `b`; returns the batch loss.
  virtual torch::Tensor step(const Batch& b) = 0;
  // Items per scoring tile. On the CPU the evaluator already runs one block per thread, so every
  // tensor of a tile stays at or under torch's grain size (32,768 elements, at::internal::GRAIN_SIZE)
  // and its ops run serially on the calling thread, never spawning intra-op threads on top; a
  // tile is also small enough to stay in cache. On a GPU one tile is the whole catalog.
  int64_t scoring_tile() const {
    if (!torch_device_.is_cpu()) return shape_.items;
    int64_t widest = 1;
    if (has_mlp(shape_.kind))
      for (size_t l = 1; l < shape_.layers.size(); ++l) widest = std::max(widest, shape_.layers[l]);
    return std::max<int64_t>(1, kSerialElements / widest);
  }

  // What scoring one user needs, computed once per user: her GMF vector h_gmf ⊙ p_u and her half
  // of the first tower layer W1[:, :half] e_u.
  struct UserTerms {
    torch::Tensor gmf, mlp;
  };
  UserTerms user_terms(int32_t user) const {
    const auto& w = weights_;
    UserTerms t;
    if (shape_.kind == NcfKind::BprMf) {
      t.gmf = w.user_mf.select(0, user);
      return t;
    }
    if (has_mf(shape_.kind)) t.gmf = w.user_mf.select(0, user) * w.out_weight.select(0, 0).narrow(0, 0, shape_.factors);
    if (has_mlp(shape_.kind))
      t.mlp = torch::mv(w.layer_weight[0].narrow(1, 0, shape_.layers[0] / 2), w.user_mlp.select(0, user));
    return t;
  }

  // Writes the scores of one user for items [begin, begin + target.size(0)) into `target`: the
  // sigmoid of the logit for NCF kinds, x(u,i) for BPR-MF.
  virtual void user_scores(int32_t /*user*/, const UserTerms& t, int64_t begin, torch::Tensor& target) const {
    const auto& w = weights_;
    const auto& kind = shape_.kind;
    const int64_t count = target.size(0);
    if (kind == NcfKind::BprMf) {
      torch::addmv_out(target, w.item_bias.narrow(0, begin, count), w.item_mf.narrow(0, begin, count), t.gmf);
      return;
    }
    // The output bias enters as the first term, broadcast over the tile.
    torch::Tensor logit = w.out_bias.expand({count});
    // GMF: Σ_k h_k p_uk q_ik = q_i · (h_gmf ⊙ p_u), one matrix-vector product.
    if (has_mf(kind)) logit = torch::addmv(logit, w.item_mf.narrow(0, begin, count), t.gmf);
    if (has_mlp(kind)) {
      // First layer: W1 [e_u ; e_i] + b1 = W1[:, :half] e_u + (W1[:, half:] e_i + b1), the second term precomputed.
      auto x = (item_half_.narrow(0, begin, count) + t.mlp).relu_();
      for (size_t l = 1; l < w.layer_weight.size(); ++l) x = torch::addmm(w.layer_bias[l], x, w.layer_weight[l].t()).relu_();
      const int64_t at = has_mf(kind) ? shape_.factors : 0;  // the MLP's columns of the output weight
      logit = torch::addmv(logit, x, w.out_weight.select(0, 0).narrow(0, at, shape_.layers.back()));
    }
    torch::sigmoid_out(target, logit);
  }

  NcfShape shape_;
  Device device_;
  torch::Device torch_device_;
  Weights weights_;
  OptimizerSettings settings_;
  bool optimizer_ = false;
  bool scoring_ready_ = false;
  torch::Tensor item_half_;  // [items x layers[1]]
};

// The Fast implementation (see the header).
class FastNetwork final : public NetworkBase {
 public:
  FastNetwork(NcfShape shape, Weights weights, Device device) : NetworkBase(std::move(shape), std::move(weights), device) {
    for (auto& e : weights_.entries(shape_.kind))
      if (!e.table) e.tensor->requires_grad_(true);
  }

  void set_optimizer(const OptimizerSettings& settings) override {
    settings_ = settings;
    optimizer_ = true;
    step_count_ = 0;
    slots_.clear();
    for (auto& e : weights_.entries(shape_.kind)) {
      Slot s{e.tensor, e.table, decay_of(e), {}, {}, {}};
      if (settings.kind == OptimizerKind::Adam) {
        torch::NoGradGuard no_grad;
        s.m = torch::zeros_like(*e.tensor);
        s.v = torch::zeros_like(*e.tensor);
        if (e.table) s.buffer = torch::zeros_like(*e.tensor);
      }
      slots_.push_back(std::move(s));
    }
  }

  std::vector<NamedValues> gradients(const TrainingInstances& data) override {
    if (!optimizer_) throw Error("ncf network: set_optimizer() must come before gradients()");
    check_ids(data, shape_);
    const auto b = to_batch(data, shape_.kind, torch_device_);
    const auto rows = backward(b);
    std::vector<NamedValues> out;
    torch::NoGradGuard no_grad;
    auto entries = weights_.entries(shape_.kind);
    for (size_t k = 0; k < entries.size(); ++k) {
      const auto& e = entries[k];
      torch::Tensor g;
      if (e.table) {
        g = torch::zeros_like(*e.tensor);
        add_table_gradient(g, k, b, rows, 1.0f);
      } else {
        g = e.tensor->grad().defined() ? e.tensor->grad().clone() : torch::zeros_like(*e.tensor);
        e.tensor->mutable_grad() = torch::Tensor();
      }
      const float decay = slots_[k].decay;
      if (decay != 0) g += *e.tensor * decay;
      out.push_back(named(e.name, g));
    }
    return out;
  }

  std::unique_ptr<NcfNetwork> clone() const override {
    return std::make_unique<FastNetwork>(shape_, weights_.map(shape_.kind, [](const torch::Tensor& t) { return t.detach(); }),
                                         device_);
  }

 private:
  struct Slot {
    torch::Tensor* param;
    bool table;
    float decay;
    torch::Tensor m, v, buffer;  // Adam moments; buffer = the dense gradient of a table (Adam)
  };

  // Forward and backward of one batch: dense weights get .grad(), table rows their leaf gradients.
  Rows backward(const Batch& b) {
    Rows rows = gather(weights_, b, true);
    loss_ = batch_loss(shape_.kind, weights_, rows, b.labels, settings_.l2_bpr);
    loss_.backward();
    return rows;
  }

  // Adds the leaf gradients of table `slot` into `target` (scaled by alpha); repeated ids add up.
  void add_table_gradient(torch::Tensor& target, size_t slot, const Batch& b, const Rows& r, float alpha) const {
    torch::NoGradGuard no_grad;
    const torch::Tensor* param = slots_.empty() ? nullptr : slots_[slot].param;
    const auto& w = weights_;
    const auto add = [&](const torch::Tensor& index, const torch::Tensor& leaf) {
      if (leaf.grad().defined()) add_rows(target, index, leaf.grad(), alpha);
    };
    if (param == &w.user_mf) add(b.users, r.user_mf);
    else if (param == &w.item_mf) {
      add(b.items, r.item_mf);
      if (r.negative_mf.defined()) add(b.negatives, r.negative_mf);
    } else if (param == &w.user_mlp) add(b.users, r.user_mlp);
    else if (param == &w.item_mlp) add(b.items, r.item_mlp);
    else if (param == &w.item_bias) {
      add(b.items, r.item_bias);
      add(b.negatives, r.negative_bias);
    }
  }

  torch::Tensor step(const Batch& b) override {
    const Rows rows = backward(b);
    torch::NoGradGuard no_grad;
    ++step_count_;
    const AdamStep adam(settings_.lr, step_count_);
    const auto lr = static_cast<float>(settings_.lr);
    std::vector<AdamTensor> adam_tensors;
    for (size_t k = 0; k < slots_.size(); ++k) {
      Slot& s = slots_[k];
      torch::Tensor& p = *s.param;
      if (s.table) {
        if (settings_.kind == OptimizerKind::Adam) {
          add_table_gradient(s.buffer, k, b, rows, 1.0f);
          adam_tensors.push_back({p, s.buffer, s.m, s.v, s.decay, true});
        } else {
          // SGD touches only the batch's rows (plus the L2 shrink of the whole table).
          if (s.decay != 0) p.mul_(1.0f - lr * s.decay);
          add_table_gradient(p, k, b, rows, -lr);
        }
      } else {
        torch::Tensor g = p.grad();
        if (!g.defined()) g = torch::zeros_like(p);
        if (settings_.kind == OptimizerKind::Adam) adam_tensors.push_back({p, g, s.m, s.v, s.decay, false});
        else sgd_update(p, g, s.decay, lr);
      }
    }
    adam_update(adam_tensors, adam);
    // The next backward hands over a fresh gradient instead of adding into this one.
    for (auto& s : slots_)
      if (!s.table) s.param->mutable_grad() = torch::Tensor();
    return loss_;
  }

  std::vector<Slot> slots_;
  int64_t step_count_ = 0;
  torch::Tensor loss_;
};

// The Reference implementation: textbook libtorch (see the header).
class ReferenceNetwork final : public NetworkBase {
 public:
  ReferenceNetwork(NcfShape shape, Weights weights, Device device)
      : NetworkBase(std::move(shape), std::move(weights), device) {
    for (auto& e : weights_.entries(shape_.kind)) e.tensor->requires_grad_(true);
  }

  void set_optimizer(const OptimizerSettings& settings) override {
    settings_ = settings;
    optimizer_ = true;
    // One parameter group per L2 strength (torch's weight_decay = 2λ for Keras' λθ²).
    std::vector<torch::Tensor> tables, weights, plain;
    for (auto& e : weights_.entries(shape_.kind)) {
      if (shape_.kind == NcfKind::BprMf || !e.regularised) plain.push_back(*e.tensor);
      else (e.table ? tables : weights).push_back(*e.tensor);
    }
    const double table_decay = 2 * settings.l2_embeddings, weight_decay = 2 * settings.l2_layers;
    if (settings.kind == OptimizerKind::Adam) {
      std::vector<torch::optim::OptimizerParamGroup> groups;
      const auto group = [&](std::vector<torch::Tensor> params, double decay) {
        if (!params.empty())
          groups.emplace_back(std::move(params), std::make_unique<torch::optim::AdamOptions>(
                                                     torch::optim::AdamOptions(settings.lr).weight_decay(decay).eps(kEpsilon)));
      };
      group(tables, table_decay);
      group(weights, weight_decay);
      group(plain, 0.0);
      optimizer_impl_ = std::make_unique<torch::optim::Adam>(std::move(groups), torch::optim::AdamOptions(settings.lr));
    } else {
      std::vector<torch::optim::OptimizerParamGroup> groups;
      const auto group = [&](std::vector<torch::Tensor> params, double decay) {
        if (!params.empty())
          groups.emplace_back(std::move(params), std::make_unique<torch::optim::SGDOptions>(
                                                     torch::optim::SGDOptions(settings.lr).weight_decay(decay)));
      };
      group(tables, table_decay);
      group(weights, weight_decay);
      group(plain, 0.0);
      optimizer_impl_ = std::make_unique<torch::optim::SGD>(std::move(groups), torch::optim::SGDOptions(settings.lr));
    }
  }

  std::vector<NamedValues> gradients(const TrainingInstances& data) override {
    if (!optimizer_) throw Error("ncf network: set_optimizer() must come before gradients()");
    check_ids(data, shape_);
    optimizer_impl_->zero_grad();
    const auto loss = embedded_loss(to_batch(data, shape_.kind, torch_device_));
    loss.backward();
    std::vector<NamedValues> out;
    for (auto& e : weights_.entries(shape_.kind)) {
      auto g = e.tensor->grad().defined() ? e.tensor->grad().clone() : torch::zeros_like(*e.tensor);
      const float decay = decay_of(e);
      if (decay != 0) g += e.tensor->detach() * decay;
      out.push_back(named(e.name, g));
    }
    optimizer_impl_->zero_grad();
    return out;
  }

  std::unique_ptr<NcfNetwork> clone() const override {
    return std::make_unique<ReferenceNetwork>(
        shape_, weights_.map(shape_.kind, [](const torch::Tensor& t) { return t.detach(); }), device_);
  }

 private:
  // Embedding lookups through torch::embedding, whose backward is the dense table gradient.
  torch::Tensor embedded_loss(const Batch& b) const {
    const auto& w = weights_;
    Rows r;
    const auto& kind = shape_.kind;
    if (has_mf(kind)) {
      r.user_mf = torch::embedding(w.user_mf, b.users.to(torch::kInt64));
      r.item_mf = torch::embedding(w.item_mf, b.items.to(torch::kInt64));
    }
    if (has_mlp(kind)) {
      r.user_mlp = torch::embedding(w.user_mlp, b.users.to(torch::kInt64));
      r.item_mlp = torch::embedding(w.item_mlp, b.items.to(torch::kInt64));
    }
    if (kind == NcfKind::BprMf) {
      r.negative_mf = torch::embedding(w.item_mf, b.negatives.to(torch::kInt64));
      r.item_bias = w.item_bias.index_select(0, b.items);
      r.negative_bias = w.item_bias.index_select(0, b.negatives);
    }
    return batch_loss(kind, w, r, b.labels, settings_.l2_bpr);
  }

  torch::Tensor step(const Batch& b) override {
    optimizer_impl_->zero_grad();
    auto loss = embedded_loss(b);
    loss.backward();
    optimizer_impl_->step();
    return loss;
  }

  // Every (user, item) pair through the whole network.
  void user_scores(int32_t user, const UserTerms&, int64_t begin, torch::Tensor& target) const override {
    const auto& w = weights_;
    const auto& kind = shape_.kind;
    const int64_t count = target.size(0);
    const auto users = torch::full({count}, static_cast<int64_t>(user), torch::dtype(torch::kInt64).device(torch_device_));
    Rows r;
    if (has_mf(kind)) {
      r.user_mf = w.user_mf.index_select(0, users);
      r.item_mf = w.item_mf.narrow(0, begin, count);
    }
    if (has_mlp(kind)) {
      r.user_mlp = w.user_mlp.index_select(0, users);
      r.item_mlp = w.item_mlp.narrow(0, begin, count);
    }
    if (kind == NcfKind::BprMf) target.copy_((r.user_mf * r.item_mf).sum(1) + w.item_bias.narrow(0, begin, count));
    else target.copy_(torch::sigmoid(pointwise_logits(kind, w, r)));
  }

  std::unique_ptr<torch::optim::Optimizer> optimizer_impl_;
};

std::unique_ptr<NcfNetwork> make_network(const NcfShape& shape, Weights weights, Device device,
                                         NcfNetwork::Implementation implementation) {
  if (implementation == NcfNetwork::Implementation::Reference)
    return std::make_unique<ReferenceNetwork>(shape, std::move(weights), device);
  return std::make_unique<FastNetwork>(shape, std::move(weights), device);
}

}  // namespace

std::string_view to_string(NcfKind kind) {
  switch (kind) {
    case NcfKind::Gmf: return "gmf";
    case NcfKind::Mlp: return "mlp";
    case NcfKind::NeuMf: return "neumf";
    case NcfKind::BprMf: return "bpr_mf";
  }
  return "?";
}

std::string NcfShape::describe() const {
  std::string out = std::string(to_string(kind)) + "(users=" + std::to_string(users) + ", items=" + std::to_string(items);
  if (has_mf(kind)) out += ", factors=" + std::to_string(factors);
  if (has_mlp(kind)) out += ", layers=" + join_sizes(layers);
  return out + ")";
}

std::unique_ptr<NcfNetwork> NcfNetwork::create(const NcfShape& shape, uint64_t seed, Device device,
                                               Implementation implementation) {
  check_shape(shape);
  torch::NoGradGuard no_grad;
  return make_network(shape, initial_weights(shape, seed), device, implementation);
}

std::unique_ptr<NcfNetwork> NcfNetwork::load(const std::filesystem::path& file, Device device) {
  if (!std::filesystem::is_regular_file(file))
    throw Error("model checkpoint '" + file.string() + "' does not exist; give the model.pt a previous run saved "
                "(its run folder's work/<label>/model.pt)");
  torch::NoGradGuard no_grad;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string(), torch::Device(torch::kCPU));
    torch::Tensor header;
    archive.read("shape", header);
    header = header.to(torch::kInt64).contiguous();
    const int64_t* h = header.data_ptr<int64_t>();
    if (header.numel() < 5 || h[0] != kCheckpointFormat || h[1] < 0 || h[1] > static_cast<int64_t>(NcfKind::BprMf))
      throw Error("model checkpoint '" + file.string() + "' is not an ncf checkpoint of format " +
                  std::to_string(kCheckpointFormat));
    NcfShape shape;
    shape.kind = static_cast<NcfKind>(h[1]);
    shape.users = static_cast<int32_t>(h[2]);
    shape.items = static_cast<int32_t>(h[3]);
    shape.factors = h[4];
    shape.layers.assign(h + 5, h + header.numel());
    check_shape(shape);
    Weights w = initial_weights(shape, 0);  // right sizes; every tensor is overwritten below
    for (const auto& e : w.entries(shape.kind)) {
      torch::Tensor t;
      archive.read(e.name, t);
      if (t.sizes() != e.tensor->sizes())
        throw Error("model checkpoint '" + file.string() + "': tensor " + e.name + " has the wrong size");
      *e.tensor = t.to(torch::kFloat32);
    }
    return make_network(shape, std::move(w), device, Implementation::Fast);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error("cannot read the model checkpoint '" + file.string() + "': " + e.what());
  }
}

std::unique_ptr<NcfNetwork> NcfNetwork::neumf_from(const NcfNetwork& gmf, const NcfNetwork& mlp, double alpha) {
  const auto* g = dynamic_cast<const NetworkBase*>(&gmf);
  const auto* m = dynamic_cast<const NetworkBase*>(&mlp);
  if (!g || !m || gmf.shape().kind != NcfKind::Gmf || mlp.shape().kind != NcfKind::Mlp)
    throw Error("neumf pretraining needs a trained gmf and a trained mlp, got " + gmf.shape().describe() + " and " +
                mlp.shape().describe());
  if (gmf.shape().users != mlp.shape().users || gmf.shape().items != mlp.shape().items)
    throw Error("neumf pretraining: " + gmf.shape().describe() + " and " + mlp.shape().describe() +
                " were trained on different catalogs");
  if (!(alpha >= 0 && alpha <= 1)) throw Error("neumf: alpha = " + std::to_string(alpha) + " must be in [0, 1]");
  torch::NoGradGuard no_grad;
  NcfShape shape{NcfKind::NeuMf, gmf.shape().users, gmf.shape().items, gmf.shape().factors, mlp.shape().layers};
  const auto copy = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU).clone(); };
  Weights w;
  w.user_mf = copy(g->weights().user_mf);
  w.item_mf = copy(g->weights().item_mf);
  w.user_mlp = copy(m->weights().user_mlp);
  w.item_mlp = copy(m->weights().item_mlp);
  for (const auto& t : m->weights().layer_weight) w.layer_weight.push_back(copy(t));
  for (const auto& t : m->weights().layer_bias) w.layer_bias.push_back(copy(t));
  w.out_weight = torch::cat({copy(g->weights().out_weight) * alpha, copy(m->weights().out_weight) * (1 - alpha)}, 1);
  w.out_bias = copy(g->weights().out_bias) * alpha + copy(m->weights().out_bias) * (1 - alpha);
  return make_network(shape, std::move(w), gmf.device(), NcfNetwork::Implementation::Fast);
}

}  // namespace tailrec
