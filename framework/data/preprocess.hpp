#pragma once
// Preprocessing recipe (config group `preprocess`): rating threshold to implicit, duplicate
// handling, k-core and minimum-count filtering. The default keeps every interaction and treats a
// duplicated (user, item) pair as an error, so no number is silently computed on filtered data.
// Every filter logs what it removed. Afterwards users and items without interactions are dropped
// from the id maps (the catalog is what remains; users and items an impression names stay),
// keeping dense ids in external-id order.
#include <optional>
#include <string>

#include "framework/data/interactions.hpp"

namespace tailrec {

class ConfigView;
class Logger;

struct PreprocessOptions {
  std::optional<double> implicit_threshold;  // keep rating >= t, then every value becomes 1
  std::string duplicates = "error";          // error | first | last | max | mean
  int user_core = 0;                         // iterated k-core: every user and item keeps >= k
  int item_core = 0;
  int min_user_interactions = 0;             // one pass, after k-core
  int min_item_interactions = 0;

  static PreprocessOptions from_config(const ConfigView& view);
  std::string hash() const;
  std::string describe() const;
};

void preprocess(Dataset& data, const PreprocessOptions& options, Logger& log);

}  // namespace tailrec
