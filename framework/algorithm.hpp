#pragma once
// The one interface every recommender implements (after faiss Index.h: each buffer's shape is
// stated once; optional capabilities default to a clear NotSupported error). Ranking, masking of
// training items and top-k selection belong to the evaluator, not to algorithms.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "framework/interactions.hpp"
#include "framework/params.hpp"

namespace tailrec {

class Logger;
class SharedWork;

enum class Device { Cpu, Cuda };

struct FitContext {
  const Interactions& train;          // users x items of the whole catalog
  const ItemContent& content;         // item side data (may be empty)
  const Interactions* validation;     // the validation carve-out, or nullptr
  uint64_t seed = 0;
  int threads = 1;
  Device device = Device::Cpu;
  Logger* log = nullptr;              // never null inside a run
  std::filesystem::path work_dir;     // the run folder's private scratch space ("" in tests)
  std::filesystem::path cache_dir{};  // run.cache_dir when run.cache is on, for derived data (embeddings); "" = no caching
  SharedWork* shared = nullptr;       // work shared with a sweep's other jobs (item embeddings), or nullptr
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;

  virtual void fit(const FitContext& context) = 0;

  // Scores of `users` against every item: `out` is row-major [users.size() x num_items].
  // Called concurrently from several threads on disjoint blocks: it must not modify the model.
  // Higher is better; training items are masked by the caller, so their scores do not matter.
  virtual void score(std::span<const int32_t> users, std::span<float> out) const = 0;

  // Scores of one user for a few items (sampled protocols); the default computes the full row.
  virtual void score_items(int32_t user, std::span<const int32_t> items, std::span<float> out) const;

  // Rating prediction (rmse, mae). Algorithms that predict ratings override both.
  virtual bool predicts_ratings() const { return false; }
  virtual float predict(int32_t user, int32_t item) const;

  int32_t num_items() const { return num_items_; }

 protected:
  int32_t num_items_ = 0;  // set by fit(): the catalog size
};

}  // namespace tailrec
