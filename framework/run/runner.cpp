// The execution of a plan (framework/run/runner.hpp). Nothing here knows a particular split, protocol or
// algorithm: the split supplies files or not, and the protocol's loop does the fitting and ranking.
#include "framework/run/runner.hpp"

#include <chrono>
#include <functional>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>

#include "framework/config/runtime.hpp"
#include "framework/data/anonymize.hpp"
#include "framework/data/dataset_cache.hpp"
#include "framework/run/evaluation_loop.hpp"
#include "framework/run/run_folder.hpp"
#include "framework/run/shared_work.hpp"
#include "framework/run/table.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/owned_folder.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

PreparedSplit prepare_split(const ExperimentPlan& plan, const Dataset& data) {
  PreparedSplit p;
  p.split = plan.splitter->split(data, plan.split_seed);
  if (plan.validation_ratio > 0) plan.splitter->add_validation(p.split, plan.validation_ratio, plan.split_seed);
  p.hash = p.split.hash();
  const auto users = static_cast<int32_t>(data.users.size());
  const auto items = static_cast<int32_t>(data.items.size());
  p.train = Interactions(p.split.train, users, items);
  p.test = Interactions(p.split.test, users, items);
  p.validation = Interactions(p.split.validation, users, items);
  p.test_history = Interactions(p.split.test_history, users, items);
  p.validation_history = Interactions(p.split.validation_history, users, items);
  // Training plus the logs whose items a user is known to have seen (masked when lists are drawn).
  const auto seen = [&](std::initializer_list<const InteractionLog*> more) -> std::optional<Interactions> {
    InteractionLog log = p.split.train;
    bool any = false;
    for (const auto* extra : more) {
      for (size_t row = 0; row < extra->size(); ++row) log.append(*extra, row);
      any |= extra->size() > 0;
    }
    if (!any) return std::nullopt;
    return Interactions(log, users, items);
  };
  p.seen_for_test = seen({&p.split.validation, &p.split.test_history});
  p.seen_for_validation = seen({&p.split.validation_history});
  return p;
}

// metrics.json "fold_in" (splits with fold-in only): the held-out users and their interactions.
nlohmann::json fold_in_record(const PreparedSplit& p) {
  return {{"test_users", p.test_history.active_users()},
          {"test_fold_in_interactions", p.split.test_history.size()},
          {"test_interactions", p.split.test.size()},
          {"validation_users", p.validation_history.active_users()},
          {"validation_fold_in_interactions", p.split.validation_history.size()},
          {"validation_interactions", p.split.validation.size()}};
}

// The protocol as results record it: its name and parameters, then the protocol-level keys.
nlohmann::json protocol_record(const ExperimentPlan& plan) {
  auto record = plan.protocol->describe();
  record.update(plan.protocol_settings);
  return record;
}

RunOutcome run_logged(ExperimentPlan& plan, const Registries& registries, Logger& log, SharedWork* shared) {
  const auto wall_start = std::chrono::steady_clock::now();
  // run.device: cuda needs a GPU that this build's libtorch sees; auto takes one when there is one.
  const bool has_cuda = plan.device != "cpu" && runtime_facts().cuda_available();
  if (plan.device == "cuda" && !has_cuda)
    fail("run.device=cuda but no CUDA device is available (this build's libtorch: {}); use run.device=cpu or auto",
         runtime_facts().torch_build());
  const std::string device = has_cuda ? "cuda" : "cpu";
  RunFolder folder(plan.run_dir, plan.overwrite);
  log.open_file(folder.file("run.log").string());
  log.info("run folder {}", folder.path().string());
  for (const auto& note : folder.notes()) log.warn("run folder {}: {}", folder.path().string(), note);
  if (plan.device == "auto")
    log.info("run.device=auto: {}", has_cuda ? "a CUDA device is available, fitting on cuda"
                                             : "no CUDA device is available, fitting on the cpu");
  folder.write("config.yaml", plan.config_yaml);
  {
    YAML::Emitter overrides;
    overrides << YAML::BeginSeq;
    for (const auto& o : plan.overrides) overrides << o;
    overrides << YAML::EndSeq;
    folder.write("overrides.yaml", std::string(overrides.c_str()) + "\n");
  }
  const auto started = now_iso8601();

  // Dataset: from the sweep's shared copy, else from the cache when its recipe and files are unchanged.
  // A split that supplies the interaction files (plan.split_files) has them loaded instead.
  const auto& files = plan.split_files;
  const bool split_supplies_files = !files.empty();
  auto source_files = plan.source->files();
  source_files.insert(source_files.end(), files.begin(), files.end());
  const auto recipe = Hasher()
                          .text(plan.dataset_loader)
                          .text(plan.dataset_params.dump())
                          .text(plan.preprocess.hash())
                          .text(split_supplies_files ? "split files" : "dataset files")
                          .hex();
  const auto cache_key = dataset_cache_key(recipe, source_files);
  const auto cache_file = plan.cache_dir / "datasets" / (cache_key + ".bin");
  const std::function<Dataset()> load_dataset = [&]() -> Dataset {
    if (plan.use_cache)
      if (auto cached = load_dataset_cache(cache_file)) {
        log.info("dataset {}: loaded from cache {}", plan.dataset_name, cache_file.string());
        return std::move(*cached);
      }
    const auto t0 = std::chrono::steady_clock::now();
    Dataset loaded = split_supplies_files ? plan.source->load_files(files) : plan.source->load();
    log.info("dataset {}: {} users, {} items, {} interactions loaded from {} in {:.2f} s", plan.dataset_name,
             loaded.users.size(), loaded.items.size(), loaded.log.size(), loaded.source,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    preprocess(loaded, plan.preprocess, log);
    if (plan.use_cache) {
      try {
        create_folder_inside(plan.cache_dir, cache_file.parent_path());
        save_dataset_cache(cache_file, loaded);
      } catch (const std::exception& e) {
        log.warn("dataset cache not written ({}); the run goes on", e.what());
      }
    }
    return loaded;
  };
  std::shared_ptr<const Dataset> data_ptr;
  if (shared) {
    const int before = shared->computed();
    data_ptr = shared->get<Dataset>("dataset:" + cache_key, load_dataset);
    if (shared->computed() == before) log.info("dataset {}: shared with the sweep's other jobs", plan.dataset_name);
  } else {
    data_ptr = std::make_shared<const Dataset>(load_dataset());
  }
  const Dataset& data = *data_ptr;
  const auto dataset_hash = Hasher().text(data.log.hash()).text(fmt::format("{}", data.users.size())).text(fmt::format("{}", data.items.size())).hex();

  // Split: shared by the sweep's jobs with the same data, split recipe and seed.
  const std::function<PreparedSplit()> make_split = [&] { return prepare_split(plan, data); };
  const auto split_key = Hasher()
                             .text("split")
                             .text(dataset_hash)
                             .text(plan.split_name)
                             .text(plan.splitter->describe().dump())
                             .text(fmt::format("{}|{:.17g}", plan.split_seed, plan.validation_ratio))
                             .hex();
  const auto prepared = shared ? shared->get<PreparedSplit>(split_key, make_split)
                               : std::make_shared<const PreparedSplit>(make_split());
  const SplitResult& split = prepared->split;
  const auto& split_hash = prepared->hash;
  // run.evaluate_on=validation (tuning) ranks the carve-out and never uses the test split; the
  // lists then exclude training items only.
  const bool on_validation = plan.evaluate_on == "validation";
  const auto& seen = on_validation ? prepared->seen_for_validation : prepared->seen_for_test;
  const bool folds_in = plan.splitter->needs_fold_in();
  const RunSplit run_split{*prepared,
                           split_key,
                           plan.validation_ratio > 0 ? &prepared->validation : nullptr,
                           seen ? *seen : prepared->train,
                           on_validation ? prepared->validation : prepared->test,
                           !folds_in ? nullptr : on_validation ? &prepared->validation_history : &prepared->test_history};
  log.info("split {} ({}): {} train, {} test, {} validation interactions", plan.split_name, split_hash,
           split.train.size(), split.test.size(), split.validation.size());
  if (folds_in)
    log.info("split {}: {} held-out test users with {} fold-in interactions, {} validation users with {}; they are "
             "scored from their fold-in histories, without refitting",
             plan.split_name, prepared->test_history.active_users(), split.test_history.size(),
             prepared->validation_history.active_users(), split.validation_history.size());
  if (on_validation) log.info("run.evaluate_on=validation: ranking the validation carve-out; the test split is not used");
  if (run_split.test.nnz() == 0)
    fail("split {} left no {} interactions; check the split parameters", plan.split_name,
         on_validation ? "validation" : "test");

  // run.anonymize_users: users are named by a salted hash in every file below; the salt goes only
  // to private/, which a shared copy of the folder leaves out.
  std::optional<UserNames> hashed_names;
  if (plan.anonymize_users) {
    const std::string salt = plan.anonymize_salt.empty() ? generate_salt() : plan.anonymize_salt;
    hashed_names.emplace(data.users, salt);
    const auto private_folder = folder.subfolder("private", /*private_to_owner=*/true);
    write_file_atomically(private_folder / "anonymization_salt", salt + "\n");
    fs::permissions(private_folder / "anonymization_salt", fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    log.info("run.anonymize_users: users are named HMAC-SHA256(salt, id)[:16 hex] in every output; the salt is in {} "
             "(leave private/ out when sharing the folder)", (folder.path() / "private" / "anonymization_salt").string());
  }
  const UserNames plain_names(data.users);
  const UserNames& user_names = hashed_names ? *hashed_names : plain_names;
  const RunContext context{plan, registries, log, shared, folder, data, device == "cuda" ? Device::Cuda : Device::Cpu,
                           user_names};
  const auto done = plan.protocol->make_loop()->run(context, run_split);
  RunOutcome outcome;
  outcome.folder = folder.path();
  outcome.table = format_table(done.header, done.rows);
  for (const auto& note : done.notes) outcome.table += note + "\n";
  outcome.metrics = {
      {"status", "complete"},
      {"experiment", plan.experiment},
      {"started", started},
      {"finished", now_iso8601()},
      {"dataset",
       {{"name", plan.dataset_name},
        {"loader", plan.dataset_loader},
        {"params", plan.dataset_params},
        {"preprocess", plan.preprocess.describe()},
        {"users", data.users.size()},
        {"items", data.items.size()},
        {"interactions", data.log.size()},
        {"hash", dataset_hash}}},
      {"split",
       {{"name", plan.split_name},
        {"params", plan.splitter->describe()},
        {"replicate", plan.splitter->replicate_parameter().empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(plan.splitter->replicate_parameter())},
        {"validation", plan.validation_ratio},
        {"seed", plan.split_seed},
        {"train", split.train.size()},
        {"test", split.test.size()},
        {"validation_interactions", split.validation.size()},
        {"hash", split_hash}}},
      {"protocol", protocol_record(plan)},
      {"metric_settings",
       {{"k", plan.list_length},
        {"relevance_threshold", plan.relevance_threshold ? nlohmann::json(*plan.relevance_threshold) : nlohmann::json(nullptr)},
        {"long_tail", done.tail.definition},
        {"head_items", done.tail.head_count},
        {"tail_items", done.tail.tail_count},
        {"evaluated_cases", done.evaluated_cases}}},
      {"evaluate_on", plan.evaluate_on},
      {"seed", plan.seed},
      {"threads", plan.threads},
      {"hardware", hardware_description()},
      {"wall_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count()},
      {"device", device},
      {"git_commit", git_commit()},
      {"versions", library_versions()},
      {"algorithms", done.results},
  };
  if (folds_in) outcome.metrics["fold_in"] = fold_in_record(*prepared);
  outcome.metrics.update(done.extra);
  folder.write("metrics.json", outcome.metrics.dump(2) + "\n");  // last: marks the run complete
  log.info("run complete: {}", folder.path().string());
  log.close_file();
  return outcome;
}

}  // namespace

RunOutcome run_experiment(ExperimentPlan& plan, const Registries& registries, Logger& log, SharedWork* shared) {
  try {
    return run_logged(plan, registries, log, shared);
  } catch (const std::exception& e) {
    // The folder keeps its config and log, and no metrics.json: it never looks complete.
    log.write(Logger::Level::Error, fmt::format("run failed: {}", e.what()));
    log.close_file();
    throw;
  }
}

}  // namespace tailrec
