#pragma once
// Splitters turn a dataset's interaction log into train and test logs (dense ids unchanged, so
// train, test and validation share the catalog). Each is registered by name.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/data/interactions.hpp"

namespace tailrec {

struct SplitResult {
  InteractionLog train;
  InteractionLog test;
  InteractionLog validation;  // empty unless a validation carve-out was asked for
  // Fold-in histories (Splitter::needs_fold_in): the rows of the held-out test users (validation
  // users) that models see at scoring time, never in training; empty for other splits.
  InteractionLog test_history;
  InteractionLog validation_history;
  // Content hash of the logs (recorded in results; equal hash = equal split). The fold-in logs count
  // only when present, so the hashes of splits without them are those of the three logs.
  std::string hash() const;
};

// How many of a user's n interactions a random `ratio` holdout moves out: min(round(ratio * n), n - 1)
// (round half away from zero), so a user with two or more keeps at least one and a user with one
// moves none. Shared by random_holdout, temporal_user and carve_validation.
size_t holdout_count(double ratio, size_t n);

// Moves a random `ratio` of each user's training interactions (holdout_count of them, so every user
// keeps at least one) into a validation log, for tuning without touching the test set. ratio 0 = none.
void carve_validation(SplitResult& split, double ratio, uint64_t seed);

class Splitter {
 public:
  virtual ~Splitter() = default;
  // `seed` is the split's own seed (split.seed, else run.seed).
  virtual SplitResult split(const Dataset& data, uint64_t seed) const = 0;
  virtual nlohmann::json describe() const = 0;  // name and parameters, for results
  // The parameter whose values index replicates of one experiment (kfold: "fold"): runs that differ
  // only in it and in the seed are one setting to `tailrec report`. "" when there is none.
  virtual std::string replicate_parameter() const { return ""; }
  // The data a split supplies itself: files holding the dataset's interactions (a fixed split's
  // train and test files, loaded with DatasetSource::load_files instead of the dataset's own
  // files; each file's rows get its index in Dataset::predefined_fold). Empty: the dataset's own.
  virtual std::vector<std::filesystem::path> interaction_files() const { return {}; }
  // Whether test is everything at or after one global time (protocols that replay the later part
  // of the log need it: ProtocolNeeds::global_time_cut).
  virtual bool cuts_at_global_time() const { return false; }
  // Whether the test data holds items without any training interaction by design (cold_items):
  // such a split needs them in the catalog (protocol.catalog=all).
  virtual bool tests_cold_items() const { return false; }
  // Whether test (and validation) users are held out of training and scored from a fold-in history
  // (SplitResult::test_history): every algorithm of the run must fold in (Algorithm::folds_in).
  virtual bool needs_fold_in() const { return false; }
  // The validation carve-out (split.validation = `ratio` > 0): by default carve_validation below, a
  // share of each user's training interactions; a split whose test holds out something else
  // (cold_items: whole items) holds out the same kind of thing for validation.
  virtual void add_validation(SplitResult& split, double ratio, uint64_t seed) const {
    carve_validation(split, ratio, seed);
  }
};


}  // namespace tailrec
