// plan_experiment: the composed config -> an ExperimentPlan. Every run-level key, every component
// and every algorithm entry is checked here, before any data is read; nothing in this file knows a
// particular split, protocol or algorithm: each component declares what it needs.
#include "framework/run/experiment_plan.hpp"

#include <set>

#include <fmt/format.h>

#include "framework/config/algorithm_entry.hpp"
#include "framework/metrics/metric_names.hpp"
#include "framework/run/settings.hpp"
#include "framework/util/error.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"
#include "framework/util/user_text.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

fs::path default_cache_dir() { return user_cache_dir("TAILREC_CACHE_DIR", ""); }

}  // namespace

LongTail make_long_tail(const std::string& definition, double parameter, const std::vector<int32_t>& phi) {
  if (definition == "pareto") return pareto_tail(phi, parameter);
  if (definition == "top_fraction") return top_fraction_tail(phi, parameter);
  if (definition == "bottom_fraction") return bottom_fraction_tail(phi, parameter);
  fail("unknown long-tail definition '{}'{}; valid: pareto, top_fraction, bottom_fraction", definition,
       did_you_mean(definition, {"pareto", "top_fraction", "bottom_fraction"}));
}

namespace {
// The entry `name` of `registry`, read at `key`: an unknown name is refused naming the key, where
// it was set (file:line or the override), a did-you-mean and every registered name.
template <typename Registry>
const typename Registry::Entry& registered(const Registry& registry, const ConfigView& key, const std::string& name) {
  if (!registry.contains(name))
    key.fail_here(fmt::format("unknown {} '{}'{}; valid names: {}", registry.kind(), shown(name),
                              did_you_mean(name, registry.names()), join(registry.names(), ", ")));
  return registry.at(name);
}
}  // namespace

ExperimentPlan plan_experiment(Config& config, const Registries& registries, const std::vector<fs::path>& search_path) {
  ExperimentPlan plan;
  const auto root = config.root();
  plan.experiment = root["experiment"].as_string();

  // run.* (framework/run/settings.hpp: the schema, its defaults and the checks)
  const auto run = root["run"];
  const auto settings = Params::resolve(settings_group("run").params, run);
  plan.seed = static_cast<uint64_t>(settings.integer("seed"));
  const auto threads = settings.integer("threads");
  plan.threads = threads == 0 ? hardware_threads() : static_cast<int>(threads);
  plan.device = settings.text("device");
  plan.overwrite = settings.boolean("overwrite");
  plan.memory_budget_bytes = static_cast<int64_t>(settings.real("memory_budget_mb") * 1024 * 1024);
  plan.use_cache = settings.boolean("cache");
  const auto cache_dir = optional_text(settings, "cache_dir");
  plan.cache_dir = cache_dir.empty() ? default_cache_dir() : fs::path(cache_dir);
  plan.progress = settings.boolean("progress");
  plan.evaluate_on = settings.text("evaluate_on");
  plan.explain = settings.boolean("explain");
  plan.explain_reasons = static_cast<int>(settings.integer("explain_reasons"));
  plan.anonymize_users = settings.boolean("anonymize_users");
  plan.anonymize_salt = optional_text(settings, "anonymize_salt");
  if (!plan.anonymize_salt.empty() && !plan.anonymize_users)
    run["anonymize_salt"].fail_here("is set but run.anonymize_users is false; set run.anonymize_users=true or drop the salt");
  const auto root_folder = results_root(settings);
  if (const auto dir = optional_text(settings, "dir"); !dir.empty()) {
    plan.run_dir = dir;
  } else {
    plan.run_dir = root_folder / plan.experiment / local_time("%Y-%m-%d") / local_time("%H-%M-%S");
    for (int n = 2; fs::exists(plan.run_dir); ++n)
      plan.run_dir = root_folder / plan.experiment / local_time("%Y-%m-%d") / fmt::format("{}-{}", local_time("%H-%M-%S"), n);
  }

  // split (read first: a split may supply the dataset's interaction files)
  const auto split = root["split"];
  if (!split.is_map()) fail("config group 'split' is missing: choose one, e.g. split=random_holdout");
  plan.split_name = split["name"].as_string();
  const auto& split_entry = registered(registries.splits, split["name"], plan.split_name);
  auto split_level_keys = settings_keys("split");
  split_level_keys.push_back("name");
  plan.split_params = Params::resolve(split_entry.params, split, split_level_keys);
  plan.splitter = split_entry.create(plan.split_params);
  plan.split_files = plan.splitter->interaction_files();
  std::vector<std::string> split_own_keys{"name"};
  for (const auto& p : split_entry.params) split_own_keys.push_back(p.name);
  const auto split_settings = Params::resolve(settings_group("split").params, split, split_own_keys);
  plan.validation_ratio = split_settings.real("validation");
  if (plan.validation_ratio >= 1) split["validation"].fail_here("must be in [0, 1)");
  plan.split_seed = split_settings.has("seed") ? static_cast<uint64_t>(split_settings.integer("seed")) : plan.seed;
  if (plan.evaluate_on == "validation" && plan.validation_ratio <= 0)
    run["evaluate_on"].fail_here("ranking the validation carve-out needs one: set split.validation, e.g. split.validation=0.1");
  // The sweep driver (experiments/sweep.cpp) reads and checks sweep.* and launcher.*; a run ignores them.
  root["sweep"].mark_read();
  root["launcher"].mark_read();

  // dataset
  const auto dataset = root["dataset"];
  if (!dataset.is_map()) fail("config group 'dataset' is missing: choose one, e.g. dataset=ml_latest_small");
  plan.dataset_loader = dataset["loader"].as_string();
  plan.dataset_name = dataset.get_string("name", config.choices.count("dataset") ? config.choices.at("dataset") : plan.dataset_loader);
  const auto& loader = registered(registries.datasets, dataset["loader"], plan.dataset_loader);
  auto loader_schema = loader.params;
  const auto path_spec = std::find_if(loader_schema.begin(), loader_schema.end(),
                                      [](const ParamSpec& p) { return p.name == "path"; });
  const bool split_supplies_path = !plan.split_files.empty() && path_spec != loader_schema.end();
  if (split_supplies_path) {
    // The split supplies the interactions: the loader reads its files (DatasetSource::load_files),
    // never a dataset file of its own, so a dataset file given as well would be silently unused.
    if (dataset.has("path"))
      dataset["path"].fail_here(fmt::format(
          "split={} reads the interactions from its own files ({}), so this file would not be read; remove "
          "dataset.path (~dataset.path, or leave it null) or choose a split that splits the dataset's file",
          plan.split_name, join(std::vector<std::string>(plan.split_files.begin(), plan.split_files.end()), ", ")));
    path_spec->required = false;
  }
  auto dataset_params = Params::resolve(loader_schema, root["dataset"], {"loader", "name"});
  // The loader's own path stands for the split's first file (item side data named relative to it is
  // looked up beside that file); the composed config keeps dataset.path null, so it runs again as is.
  if (split_supplies_path) dataset_params.set("path", YAML::Node(plan.split_files.front().string()));
  plan.source = loader.create(dataset_params);
  plan.dataset_params = dataset_params.to_json();
  plan.preprocess = PreprocessOptions::from_config(root["preprocess"]);

  // protocol
  const auto protocol = root["protocol"];
  if (!protocol.is_map()) fail("config group 'protocol' is missing: choose one, e.g. protocol=full");
  plan.protocol_name = protocol["name"].as_string();
  const auto& protocol_entry = registered(registries.protocols, protocol["name"], plan.protocol_name);
  auto protocol_level_keys = settings_keys("protocol");
  protocol_level_keys.push_back("name");
  plan.protocol = protocol_entry.create(Params::resolve(protocol_entry.params, protocol, protocol_level_keys));
  std::vector<std::string> protocol_own_keys{"name"};
  for (const auto& p : protocol_entry.params) protocol_own_keys.push_back(p.name);
  const auto protocol_settings = Params::resolve(settings_group("protocol").params, protocol, protocol_own_keys);
  plan.evaluate_cold_users = protocol_settings.text("cold_users") == "evaluate";
  plan.cold_candidates = protocol_settings.text("candidates") == "cold";
  plan.train_catalog = protocol_settings.text("catalog") == "train";
  if (plan.train_catalog && (!plan.protocol->ranking() || plan.protocol->has_candidate_lists()))
    protocol["catalog"].fail_here(fmt::format(
        "protocol={} draws its own candidates ({}); catalog=train limits full ranking to the items with a training "
        "interaction: use protocol=full, or catalog=all",
        plan.protocol_name, plan.protocol->ranking() ? "each case lists them" : "round by round"));
  if (plan.train_catalog && plan.cold_candidates)
    protocol["catalog"].fail_here("catalog=train leaves out the items without a training interaction, which are the "
                                  "candidates of candidates=cold: use catalog=all");
  if (plan.train_catalog && plan.splitter->tests_cold_items())
    protocol["catalog"].fail_here(fmt::format("split={} tests items without a training interaction, which catalog=train "
                                              "leaves out: use catalog=all", plan.split_name));
  plan.also_full = protocol_settings.boolean("also_full");
  plan.correct_sampled = protocol_settings.text("correction") == "bv";
  plan.correction_gamma = protocol_settings.real("correction_gamma");
  plan.protocol_settings = protocol_settings.to_json();
  if (plan.also_full && !plan.protocol->has_candidate_lists())
    protocol["also_full"].fail_here(fmt::format(
        "protocol={} {}; also_full adds a full ranking to a protocol whose cases list their candidates (`tailrec list "
        "protocols`); set protocol.also_full=false",
        plan.protocol_name, plan.protocol->ranking() ? "already ranks the full catalog" : "draws its lists round by round"));
  if (plan.cold_candidates && (!plan.protocol->ranking() || plan.protocol->has_candidate_lists()))
    protocol["candidates"].fail_here(fmt::format(
        "protocol={} draws its own lists ({}); candidates=cold ranks the cold items of the whole catalog: use "
        "protocol=full",
        plan.protocol_name, plan.protocol->ranking() ? "each case lists its candidates" : "round by round"));

  // What the protocol needs from the split and the run settings (ProtocolNeeds), in its own words.
  const auto needs = plan.protocol->needs();
  const auto refuse = [&](const ConfigView& key, const std::string& what) {
    key.fail_here(fmt::format("protocol={} {}; {}", plan.protocol_name, needs.reason, what));
  };
  if (needs.global_time_cut && !plan.splitter->cuts_at_global_time())
    refuse(protocol["name"], fmt::format("split={} does not cut the log at one global time", plan.split_name));
  if (!needs.validation_carve_out && plan.validation_ratio > 0)
    refuse(split["validation"], "it has no validation carve-out: set split.validation=0");
  if (!needs.evaluate_on_validation && plan.evaluate_on != "test")
    refuse(run["evaluate_on"], "it evaluates its own test data: use run.evaluate_on=test");

  // metrics (framework/run/settings.hpp)
  const auto metrics = root["metrics"];
  const auto metric_settings = Params::resolve(settings_group("metrics").params, metrics);
  std::vector<int> ks;
  for (const auto k : metric_settings.integers("k")) ks.push_back(static_cast<int>(k));
  if (ks.empty())  // k: [] means the schema's default cut-off
    for (const auto& spec : settings_group("metrics").params)
      if (spec.name == "k") ks.push_back(spec.default_value.as<int>());
  try {
    plan.metrics = make_metrics(registries, metric_settings.texts("names"), ks);
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {  // an unknown or malformed metric: say which key and file named it
    metrics["names"].fail_here(e.what());
  }
  if (plan.metrics.empty()) metrics["names"].fail_here("name at least one metric, or 'all'");
  plan.list_length = 1;
  for (const auto& m : plan.metrics) plan.list_length = std::max(plan.list_length, m->k());
  for (const auto& m : plan.metrics) {
    if (!m->needs_every_candidate()) continue;
    plan.whole_candidate_lists = true;
    if (!plan.protocol->has_candidate_lists())
      metrics["names"].fail_here(fmt::format(
          "metric {} needs every candidate of a case ranked, but protocol {} ranks the whole catalog and keeps only "
          "the top k; use a protocol whose cases list their candidates (`tailrec list protocols` describes each)",
          m->name(), plan.protocol_name));
    if (plan.also_full)
      protocol["also_full"].fail_here(fmt::format(
          "the full ranking keeps only the top k, but metric {} needs every candidate of a case ranked; remove it "
          "from metrics.names or set protocol.also_full=false", m->name()));
    // An empty list (a model without information about a cold user) has no order of the candidates
    // for such a metric to judge, and leaving the case out would count only the easy ones.
    if (plan.evaluate_cold_users)
      protocol["cold_users"].fail_here(fmt::format(
          "evaluate gives a model without information about a cold user an empty list, but metric {} needs every "
          "candidate of a case ranked; use protocol.cold_users=exclude (the cold users are counted in metrics.json)",
          m->name()));
  }
  if (plan.splitter->needs_fold_in())
    for (const auto& m : plan.metrics)
      if (m->kind() == Metric::Kind::Rating)
        metrics["names"].fail_here(fmt::format(
            "metric {} needs rating predictions, but split={} scores its held-out users from fold-in histories, which "
            "only rankings support; drop {} or choose another split",
            m->name(), plan.split_name, m->name()));
  if (metric_settings.has("relevance_threshold")) plan.relevance_threshold = metric_settings.real("relevance_threshold");
  const auto tail = metrics["long_tail"];
  const auto tail_settings = Params::resolve(settings_group("metrics.long_tail").params, tail);
  plan.long_tail_definition = tail_settings.text("definition");
  // pareto takes `share`, the fraction definitions take `fraction`; the other must stay null.
  const bool pareto = plan.long_tail_definition == "pareto";
  const char* parameter = pareto ? "share" : "fraction";
  const char* unused = pareto ? "fraction" : "share";
  if (tail_settings.has(unused))
    tail[unused].fail_here(fmt::format("does not apply to the '{}' definition; set it to null (pareto takes share, "
                                       "top_fraction and bottom_fraction take fraction)", plan.long_tail_definition));
  const double default_parameter = pareto ? 0.8 : plan.long_tail_definition == "top_fraction" ? 0.2 : 0.1;
  plan.long_tail_parameter = tail_settings.has(parameter) ? tail_settings.real(parameter) : default_parameter;
  if (plan.long_tail_parameter <= 0 || plan.long_tail_parameter > 1)
    tail[parameter].fail_here("the share or fraction must be in (0, 1]");
  make_long_tail(plan.long_tail_definition, plan.long_tail_parameter, {});  // validates the name
  const auto strata = Params::resolve(settings_group("metrics.strata").params, metrics["strata"]);
  plan.strata = {strata.text("items"), static_cast<int>(strata.integer("item_groups")), strata.text("users"),
                 static_cast<int>(strata.integer("user_groups"))};

  // algorithms
  expand_algorithm_list(config, "algorithms", registries.algorithms, search_path);
  std::set<std::string> labels;
  const auto algorithms = config.root()["algorithms"];
  for (size_t i = 0; i < algorithms.size(); ++i) {
    auto created = create_algorithm(registries.algorithms, algorithms[i]);  // constructing validates combinations
    AlgorithmPlan a = std::move(created.entry);
    // A split that holds its test users out of training needs every model to score them from a
    // history it was not fitted on (Algorithm::folds_in); a refit per user is not what it measures.
    if (plan.splitter->needs_fold_in() && !created.algorithm->folds_in())
      algorithms[i]["name"].fail_here(fmt::format(
          "split={} holds its test users out of training and scores each from her fold-in history without refitting, "
          "but {} ({}) cannot score a user it was not fitted on (Algorithm::folds_in is false: a model that learns a "
          "vector per training user does not, nor a hybrid or re-ranker built on one; docs/metrics.md lists which "
          "do); remove it from `algorithms` or choose another split",
          plan.split_name, a.label, a.name));
    if (!labels.insert(a.label).second)
      algorithms[i]["label"].fail_here(fmt::format(
          "label '{}' is used twice; give each entry a unique label: {{name: {}, label: ...}}", a.label, a.name));
    plan.algorithms.push_back(std::move(a));
  }

  config.check_all_read();
  plan.overrides = config.overrides;
  if (!plan.anonymize_salt.empty()) {
    // The salt is a secret: the run folder's config.yaml and overrides.yaml must not carry it.
    // Redacted by value, however the override spelled it (run.anonymize_salt =X, run={...}, a sweep).
    YAML::Node tree = config.tree();
    tree["run"]["anonymize_salt"] = "<redacted: see private/anonymization_salt>";
    for (auto& o : plan.overrides) o = redact(o, plan.anonymize_salt);
  }
  plan.config_yaml = plan.anonymize_salt.empty() ? config.to_yaml() : redact(config.to_yaml(), plan.anonymize_salt);
  return plan;
}

}  // namespace tailrec
