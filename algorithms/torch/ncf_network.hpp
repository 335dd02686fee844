#pragma once
// The networks of the NCF family (He et al., "Neural Collaborative Filtering", WWW 2017: GMF, MLP,
// NeuMF) and BPR-MF (Rendle et al. 2009) in libtorch, behind a torch-free interface: torch stays
// in algorithms/torch/ncf_network.cpp (each torch TU costs ~15 s to compile). Training loops,
// negative sampling, early stopping and logging live in algorithms/neural/ (plain C++).
//
// Two implementations share this interface:
// - Fast (the one the algorithms use): embedding rows are gathered as autograd leaves, their
//   gradients are added into one reused dense buffer per table, and one fused loop per tensor does
//   the whole Adam (or SGD) update. The arithmetic is that of torch::optim::Adam on dense embedding
//   gradients (the original Keras code's dense updates), without its temporaries and passes.
//   Scoring splits the MLP's first layer into a user half and a precomputed item half, so no
//   users x items x layers[0] pair matrix is materialised.
// - Reference: the textbook libtorch port (dense embedding gradients by autograd,
//   torch::optim::Adam / SGD, every (user, item) pair through the whole network). Tests check the
//   Fast path against it; benchmarks report the speed-up over it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "framework/model/algorithm.hpp"

namespace tailrec {

enum class NcfKind { Gmf, Mlp, NeuMf, BprMf };
std::string_view to_string(NcfKind kind);

struct NcfShape {
  NcfKind kind = NcfKind::Gmf;
  int32_t users = 0;
  int32_t items = 0;
  int64_t factors = 8;          // GMF / NeuMF / BPR-MF embedding size (0 in an MLP network's shape())
  std::vector<int64_t> layers;  // MLP / NeuMF: layers[0] = the concatenated user+item embedding, then the tower (else empty)
  bool operator==(const NcfShape&) const = default;
  std::string describe() const;  // "neumf(users=6040, items=3706, factors=8, layers=[64,32,16,8])"
};

enum class OptimizerKind { Adam, Sgd };

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::Adam;
  double lr = 0.001;
  // Keras-style L2 (W_regularizer=l2(λ)): λ·Σθ² added to the loss for every element of the tensor,
  // i.e. 2λθ added to its gradient at every step. Embedding tables and tower / output weights
  // (never biases). BPR-MF ignores both and regularises in its loss instead (l2_bpr below).
  double l2_embeddings = 0;
  double l2_layers = 0;
  // BPR-MF: λ·mean over the batch of (‖p_u‖² + ‖q_i‖² + ‖q_j‖² + b_i² + b_j²), the usual per-sample term.
  double l2_bpr = 0;
};

// One epoch of training instances, already in training order (shuffled). Pointwise kinds (GMF,
// MLP, NeuMF): (users[k], items[k]) with labels[k] in {0, 1}. BPR-MF: users[k] prefers items[k]
// over negatives[k]. Batches are consecutive slices.
struct TrainingInstances {
  std::vector<int32_t> users;
  std::vector<int32_t> items;
  std::vector<int32_t> negatives;  // BPR-MF only
  std::vector<float> labels;       // pointwise kinds only
  int64_t size() const { return static_cast<int64_t>(users.size()); }
};

struct EpochReport {
  double mean_loss = 0;  // mean over batches of the batch loss (data term only), weighted by batch size
  int64_t samples = 0;
  double seconds = 0;
};

// A tensor's values, flattened row-major, for tests and snapshots.
struct NamedValues {
  std::string name;
  std::vector<int64_t> sizes;
  std::vector<float> values;
};

class NcfNetwork {
 public:
  enum class Implementation { Fast, Reference };
  virtual ~NcfNetwork() = default;

  // Fresh weights from `seed` (same seed => same weights on any device): embeddings normal(0, 0.01);
  // tower layers glorot_uniform, output layer lecun_uniform, biases 0 (the Keras defaults of the
  // original code); BPR-MF item biases 0.
  static std::unique_ptr<NcfNetwork> create(const NcfShape& shape, uint64_t seed, Device device,
                                            Implementation implementation = Implementation::Fast);
  // A model written by save(); its tensors are moved to `device`.
  static std::unique_ptr<NcfNetwork> load(const std::filesystem::path& file, Device device);
  // NeuMF from a trained GMF and MLP (He et al. §3.4.1): embeddings and tower copied; output layer
  // h = [α·h_gmf ; (1−α)·h_mlp], b = α·b_gmf + (1−α)·b_mlp (NCF's code: α = 0.5).
  static std::unique_ptr<NcfNetwork> neumf_from(const NcfNetwork& gmf, const NcfNetwork& mlp, double alpha);

  virtual const NcfShape& shape() const = 0;
  virtual Device device() const = 0;

  // Starts a fresh optimizer (no moments, step 0).
  virtual void set_optimizer(const OptimizerSettings& settings) = 0;
  // One pass over `data` in batches of `batch_size`; `progress(done, total)` after each batch.
  virtual EpochReport train_epoch(const TrainingInstances& data, int64_t batch_size,
                                  const std::function<void(int64_t, int64_t)>& progress = {}) = 0;

  // Precomputes what scoring reuses (the MLP's item half); call after the weights change, before score().
  virtual void prepare_scoring() = 0;
  // Scores of `users` x every item, row-major [users x items]: the predicted probability
  // sigmoid(logit) for the NCF kinds (as NCF ranks), <p_u, q_i> + b_i for BPR-MF. Each user is
  // computed on its own with the same shapes, so a row never depends on the block it came in.
  // Safe to call concurrently.
  virtual void score(std::span<const int32_t> users, std::span<float> out) const = 0;

  // torch::save of every tensor and the shape; load() reads it back bit for bit.
  virtual void save(const std::filesystem::path& file) const = 0;
  // A deep copy of the weights (no optimizer state), on the same device.
  virtual std::unique_ptr<NcfNetwork> clone() const = 0;

  // Tests: the weights by name ("user_gmf", "item_gmf", "user_mlp", "item_mlp", "layer1.weight",
  // "layer1.bias", ..., "prediction.weight", "prediction.bias", "item_bias"), a weight set by name,
  // the batch loss of `data` as one batch (data term + every L2 term of the optimizer settings,
  // computed in float64), and the float32 gradients the training step computes for that batch.
  virtual std::vector<NamedValues> parameters() const = 0;
  virtual void set_parameter(const std::string& name, std::span<const float> values) = 0;
  virtual double loss(const TrainingInstances& data) const = 0;
  virtual std::vector<NamedValues> gradients(const TrainingInstances& data) = 0;
};

}  // namespace tailrec
