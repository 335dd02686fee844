#pragma once
// The epoch loop shared by gmf, mlp, neumf and bpr_mf (fit and update): negatives drawn afresh
// each epoch, one train_epoch() over them, then (when the split has a validation carve-out) the framework
// evaluator on the carve-out picks the best epoch and stops after `patience` epochs without
// improvement. The model kept is the best epoch's (or the last one without a carve-out); it is
// saved with torch::save under the run's work folder so that `checkpoint: PATH` can reload it.
#include <cstdint>
#include <memory>
#include <string>

#include "algorithms/torch/ncf_network.hpp"
#include "framework/model/algorithm.hpp"

namespace tailrec {

struct NeuralTrainingPlan {
  std::string label;  // log prefix: the algorithm, e.g. "neumf" or "neumf (gmf pretraining)"
  int64_t epochs = 20;
  int64_t batch_size = 256;
  int negatives = 4;
  bool pairwise = false;  // BPR triples instead of NCF's labelled pairs
  OptimizerSettings optimizer;
  int64_t patience = 0;              // epochs without improvement before stopping; 0 = run every epoch
  std::string metric = "ndcg@10";    // the validation metric (a per-user ranking metric)
  int64_t validation_negatives = 0;  // 0 = rank every non-training item; N = the held-out item among N sampled ones
  std::string checkpoint_file = "model.pt";  // under context.work_dir (nothing is written when it is empty)
};

// Checks the plan's numbers and its validation metric (errors name the algorithm).
void check_plan(const NeuralTrainingPlan& plan);

// Trains `network` on context.train following `plan`; returns the kept model, ready to score.
std::unique_ptr<NcfNetwork> train_network(std::unique_ptr<NcfNetwork> network, const FitContext& context,
                                          const NeuralTrainingPlan& plan);

// update(): fine-tunes `network` in place for plan.epochs epochs on the pairs of `positives` alone
// (the new interactions), negatives avoiding every item of the user in `seen` (all interactions so
// far), with a fresh optimizer of plan.optimizer's settings and the sampler seeded by `seed`. No
// validation, no checkpoint; the network is ready to score afterwards.
void fine_tune_network(NcfNetwork& network, const Interactions& positives, const Interactions& seen, uint64_t seed,
                       const NeuralTrainingPlan& plan, int threads, Logger& log);

}  // namespace tailrec
