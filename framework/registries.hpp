#pragma once
// Every registry of the program in one place. Filled explicitly by register_all()
// (experiments/register_all.hpp); nothing registers itself at static-initialisation time.
#include <functional>
#include <memory>
#include <string>

#include "framework/algorithm.hpp"
#include "framework/dataset_source.hpp"
#include "framework/metric.hpp"
#include "framework/protocol.hpp"
#include "framework/registry.hpp"
#include "framework/split.hpp"

namespace tailrec {

struct Registries {
  Registry<std::unique_ptr<Algorithm>> algorithms{"algorithm"};
  Registry<std::unique_ptr<Metric>> metrics{"metric"};  // created with params {k}
  Registry<std::unique_ptr<Splitter>> splits{"split"};
  Registry<std::unique_ptr<Protocol>> protocols{"protocol"};
  Registry<std::unique_ptr<DatasetSource>> datasets{"dataset loader"};
  // Whether run.device=cuda can run, and what the linked libtorch is (for the error message). Set by
  // register_algorithms() from the torch code; the framework itself never includes torch.
  std::function<bool()> cuda_available = [] { return false; };
  std::function<std::string()> torch_build = [] { return std::string("none linked"); };
};

// The framework's own components: metrics, splits and protocols.
void register_metrics(Registries& registries);
void register_splits(Registries& registries);
void register_protocols(Registries& registries);

}  // namespace tailrec
