#pragma once
// The one interface every recommender implements (after faiss Index.h: each buffer's shape is
// stated once; optional capabilities default to a clear NotSupported error). Ranking, masking of
// training items and top-k selection belong to the evaluator, not to algorithms.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "framework/config/params.hpp"
#include "framework/data/interactions.hpp"

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
  // The run folder work_dir lies in: folders made for work_dir are made with create_folder_inside(work_root, ...)
  // so a link planted in the run folder cannot send a checkpoint elsewhere ("" in tests: work_dir is used as is).
  std::filesystem::path work_root{};
};

// What update() receives (protocol=replay): the model was last fitted or updated on `previous`;
// `added` are the new interactions alone and fit.train is previous + added (same catalog).
struct UpdateContext {
  const FitContext& fit;
  const Interactions& previous;
  const InteractionLog& added;  // dense ids; timestamps when the dataset has them
};

// How update() brought the model up to date; the replay log and replay_rounds.tsv show `how`.
struct UpdateResult {
  bool incremental = false;
  std::string how;  // e.g. "incremental: counts of 57 items" or "refit: <why no incremental update>"
};

// One reason why an item was recommended (explain()): the contributions a model's score is a sum of.
struct Reason {
  enum class Kind { Item, User, Term, Component };
  Kind kind = Kind::Item;
  int32_t id = -1;          // Item: the dense item index (a liked item); User: the dense user index (a neighbour)
  std::string text;         // Term: the term; Component: the component's label
  double weight = 0;        // its contribution to the score (Component: its share of the blended score)
  std::vector<Reason> detail;  // Component: that component's own reasons
};

// A named number describing a model's adaptive state (a hybrid's mixture weights), traced per round.
using StateValue = std::pair<std::string, double>;

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

  // Brings a fitted model up to date with new interactions (protocol=replay). The default refits
  // on context.fit (always correct); algorithms override it where an incremental update is exact
  // or cheap, and say so in the result.
  virtual UpdateResult update(const UpdateContext& context);

  // The top `max_reasons` contributions to score(user, item), largest first (run.explain=true
  // writes them to recommendations.tsv's `why` column). Empty when the model cannot explain.
  virtual std::vector<Reason> explain(int32_t user, int32_t item, int max_reasons) const;
  virtual bool explains() const { return false; }

  // Whether the model has information about a cold user (one without any interaction in the data
  // it was fitted on): false for models that learn from a user's own interactions, whose scores
  // for her are then ties or noise; true for non-personalised models (most_popular, random) and
  // for those that rank every user by what they learnt about items. With protocol.cold_users=
  // evaluate, a model that says false gives cold users an empty list (docs/metrics.md).
  virtual bool ranks_cold_users() const { return false; }
  // Whether the model scores cold items (items without any interaction in the data it was fitted
  // on) from what it knows of them: true for content models (their text) and models that blend
  // one in; false for collaborative models, whose scores for them are 0 by construction. With
  // protocol.candidates=cold, a model that says false gives every case an empty list.
  virtual bool scores_cold_items() const { return false; }
  // Fold-in (splits whose test users are held out of training, e.g. split=cold_users): scores of
  // `users` computed from their rows of `history` alone, with the fitted model unchanged (no refit),
  // as if each were a training user whose row is her history. `out` is row-major
  // [users.size() x num_items]; same threading rule as score(). Models that cannot score a user
  // outside their training data say false, and such splits refuse them before any data is read.
  virtual bool folds_in() const { return false; }
  virtual void score_history(std::span<const int32_t> users, const Interactions& history, std::span<float> out) const;
  // The adaptive state protocol=replay traces each round (adaptive_hybrid's weights); empty by default.
  virtual std::vector<StateValue> state() const { return {}; }

  int32_t num_items() const { return num_items_; }

 protected:
  int32_t num_items_ = 0;  // set by fit(): the catalog size
};

}  // namespace tailrec
