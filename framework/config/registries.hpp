#pragma once
// Every registry of the program in one place. Filled explicitly by register_all()
// (experiments/register_all.hpp); nothing registers itself at static-initialisation time.
// Neither copyable nor movable: the hybrid and rerank factories keep a reference to the registries
// they were registered in (to build their components), so the registries are built in place.
#include <functional>
#include <memory>
#include <string>

#include "framework/config/registry.hpp"
#include "framework/data/dataset_source.hpp"
#include "framework/metrics/metric.hpp"
#include "framework/model/algorithm.hpp"
#include "framework/protocols/protocol.hpp"
#include "framework/splits/split.hpp"

namespace tailrec {

struct Registries {
  Registries() = default;
  Registries(const Registries&) = delete;
  Registries& operator=(const Registries&) = delete;
  Registries(Registries&&) = delete;
  Registries& operator=(Registries&&) = delete;

  Registry<std::unique_ptr<Algorithm>> algorithms{"algorithm"};
  Registry<std::unique_ptr<Metric>> metrics{"metric"};  // created with params {k}
  Registry<std::unique_ptr<Splitter>> splits{"split"};
  Registry<std::unique_ptr<Protocol>> protocols{"protocol"};
  Registry<std::unique_ptr<DatasetSource>> datasets{"dataset loader"};
};

// The framework's own components: metrics, splits and protocols.
void register_metrics(Registries& registries);
void register_splits(Registries& registries);
void register_protocols(Registries& registries);

}  // namespace tailrec
