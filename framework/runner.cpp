#include "framework/runner.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "framework/anonymize.hpp"
#include "framework/dataset_cache.hpp"
#include "framework/evaluator.hpp"
#include "framework/explanation.hpp"
#include "framework/hashing.hpp"
#include "framework/logger.hpp"
#include "framework/metric_set.hpp"
#include "framework/progress.hpp"
#include "framework/replay.hpp"
#include "framework/run_parts.hpp"
#include "framework/run_folder.hpp"
#include "framework/shared_work.hpp"
#include "framework/system_info.hpp"
#include "framework/table.hpp"
#include "framework/test_hooks.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {


fs::path default_cache_dir() { return user_cache_dir("TAILREC_CACHE_DIR", ""); }

// Expands the `algorithms:` list in place: each entry becomes a map {name, label, params...} with
// the defaults of configs/algorithm/<name>.yaml beneath the entry's own values.
void expand_algorithms(Config& config, const Registries& registries, const std::vector<fs::path>& search_path) {
  YAML::Node root = config.tree();
  YAML::Node list = root["algorithms"];
  if (!list || list.IsNull() || (list.IsSequence() && list.size() == 0))
    fail("config key 'algorithms' ({}): list at least one algorithm, e.g. algorithms=[most_popular,random]; "
         "registered: {}", config.origin("algorithms"), join(registries.algorithms.names(), ", "));
  if (list.IsScalar()) {
    YAML::Node one(YAML::NodeType::Sequence);
    one.push_back(list.Scalar());
    root["algorithms"] = one;
    list.reset(root["algorithms"]);
    config.set_origin("algorithms[0]", config.origin("algorithms"));  // errors name the file that wrote the name
  }
  if (!list.IsSequence()) config.at("algorithms").fail_here("expected a list of algorithm names or maps");
  YAML::Node expanded(YAML::NodeType::Sequence);
  for (size_t i = 0; i < list.size(); ++i) {
    const auto path = join_path("algorithms", i);
    const YAML::Node entry = list[i];
    std::string name;
    if (entry.IsScalar()) name = entry.Scalar();
    else if (entry.IsMap() && entry["name"] && entry["name"].IsScalar()) name = entry["name"].Scalar();
    else fail("config key '{}' ({}): an algorithm entry is a name or a map with 'name:'", path, config.origin(path));
    if (!registries.algorithms.contains(name)) {
      try {
        registries.algorithms.at(name);  // its message: did-you-mean and every registered name
      } catch (const Error& e) {
        fail("config key '{}' ({}): {}", path, config.origin(path), e.what());
      }
    }
    YAML::Node merged(YAML::NodeType::Map);
    merged["name"] = name;
    for (const auto& dir : search_path) {
      const auto file = dir / "algorithm" / (name + ".yaml");
      if (!fs::is_regular_file(file)) continue;
      YAML::Node defaults;
      try {
        defaults = YAML::LoadFile(file.string());
      } catch (const YAML::Exception& e) {
        fail("config file {}:{}: {}", file.string(), e.mark.line + 1, e.msg);
      }
      if (defaults.IsMap())
        for (const auto& kv : defaults) {
          const auto key = kv.first.Scalar();
          merged[key] = kv.second;
          if (!(entry.IsMap() && entry[key]))
            config.set_origin(join_path(path, key), fmt::format("{}:{}", file.string(), kv.second.Mark().line + 1));
        }
      break;
    }
    if (entry.IsMap())
      for (const auto& kv : entry) merged[kv.first.Scalar()] = kv.second;
    if (!merged["label"]) merged["label"] = name;
    expanded.push_back(merged);
  }
  root["algorithms"] = expanded;
}

}  // namespace

std::string format_metric_value(double v) { return std::isnan(v) ? "n/a" : fmt::format("{:.4f}", v); }

std::string tsv_escape(const std::string& text) {
  std::string out;
  for (char c : text) out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

FitContext fit_context(const RunPieces& run, const Interactions& train, const Interactions* validation,
                       const std::string& label) {
  const auto& plan = run.plan;
  return FitContext{train,       run.data.content, validation, plan.seed, plan.threads, run.device, &run.log,
                    run.folder.path() / "work" / label, plan.use_cache ? plan.cache_dir : fs::path(), run.shared};
}

std::string why_cell(const RunPieces& run, const Algorithm& algorithm, int32_t user, int32_t item) {
  return tsv_escape(render_reasons(algorithm.explain(user, item, run.plan.explain_reasons), run.data, run.users));
}

LongTail make_long_tail(const std::string& definition, double parameter, const std::vector<int32_t>& phi) {
  if (definition == "pareto") return pareto_tail(phi, parameter);
  if (definition == "top_fraction") return top_fraction_tail(phi, parameter);
  if (definition == "bottom_fraction") return bottom_fraction_tail(phi, parameter);
  fail("unknown long-tail definition '{}'{}; valid: pareto, top_fraction, bottom_fraction", definition,
       did_you_mean(definition, {"pareto", "top_fraction", "bottom_fraction"}));
}

ExperimentPlan plan_experiment(Config& config, const Registries& registries, const std::vector<fs::path>& search_path) {
  ExperimentPlan plan;
  const auto root = config.root();
  plan.experiment = root["experiment"].as_string();

  // run.*
  const auto run = root["run"];
  plan.seed = static_cast<uint64_t>(run.get_int("seed", 42));
  const auto threads = run.get_int("threads", 0);
  if (threads < 0 || threads > 1024) run["threads"].fail_here("must be in [0, 1024] (0 = every core)");
  plan.threads = threads == 0 ? hardware_threads() : static_cast<int>(threads);
  plan.device = run.get_string("device", "cpu");
  if (plan.device != "cpu" && plan.device != "cuda" && plan.device != "auto")
    run["device"].fail_here(fmt::format("'{}' is not cpu, cuda or auto{}", plan.device,
                                        did_you_mean(plan.device, {"cpu", "cuda", "auto"})));
  plan.overwrite = run.get_bool("overwrite", false);
  const auto budget = run.get_double("memory_budget_mb", 1024);
  if (budget <= 0 || budget > 1e8) run["memory_budget_mb"].fail_here("must be in (0, 1e8] MiB");
  plan.memory_budget_bytes = static_cast<int64_t>(budget * 1024 * 1024);
  plan.use_cache = run.get_bool("cache", true);
  const auto cache_dir = run.get_string("cache_dir", "");
  plan.cache_dir = cache_dir.empty() ? default_cache_dir() : fs::path(cache_dir);
  plan.progress = run.get_bool("progress", true);
  plan.evaluate_on = run.get_string("evaluate_on", "test");
  if (plan.evaluate_on != "test" && plan.evaluate_on != "validation")
    run["evaluate_on"].fail_here(fmt::format("'{}' is not test or validation{}", plan.evaluate_on,
                                             did_you_mean(plan.evaluate_on, {"test", "validation"})));
  plan.explain = run.get_bool("explain", false);
  const auto reasons = run.get_int("explain_reasons", 3);
  if (reasons < 1 || reasons > 100) run["explain_reasons"].fail_here("must be in [1, 100]");
  plan.explain_reasons = static_cast<int>(reasons);
  plan.anonymize_users = run.get_bool("anonymize_users", false);
  plan.anonymize_salt = run.get_string("anonymize_salt", "");
  if (!plan.anonymize_salt.empty() && !plan.anonymize_users)
    run["anonymize_salt"].fail_here("is set but run.anonymize_users is false; set run.anonymize_users=true or drop the salt");
  const auto results_root = fs::path(run.get_string("results_root", (tailrec_home() / "results").string()));
  const auto dir = run.get_string("dir", "");
  if (!dir.empty()) {
    plan.run_dir = dir;
  } else {
    plan.run_dir = results_root / plan.experiment / local_time("%Y-%m-%d") / local_time("%H-%M-%S");
    for (int n = 2; fs::exists(plan.run_dir); ++n)
      plan.run_dir = results_root / plan.experiment / local_time("%Y-%m-%d") / fmt::format("{}-{}", local_time("%H-%M-%S"), n);
  }

  // split (read first: a fixed split supplies the dataset's files)
  const auto split = root["split"];
  if (!split.is_map()) fail("config group 'split' is missing: choose one, e.g. split=random_holdout");
  plan.split_name = split["name"].as_string();
  const auto& split_entry = registries.splits.at(plan.split_name);
  plan.split_params = Params::resolve(split_entry.params, split, {"name", "validation", "seed"});
  if (plan.split_name == "fixed")
    for (const char* key : {"train", "test"})
      if (!plan.split_params.has(key))
        split[key].fail_here(fmt::format("split=fixed needs split.{}=PATH (the {} file, in the dataset's format)", key, key));
  plan.splitter = split_entry.create(plan.split_params);
  plan.validation_ratio = split.get_double("validation", 0.0);
  if (plan.validation_ratio < 0 || plan.validation_ratio >= 1) split["validation"].fail_here("must be in [0, 1)");
  plan.split_seed = static_cast<uint64_t>(split.get_int("seed", static_cast<int64_t>(plan.seed)));
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
  const auto& loader = registries.datasets.at(plan.dataset_loader);
  const bool fixed = plan.split_name == "fixed";
  if (fixed && !dataset.has("path") &&
      std::any_of(loader.params.begin(), loader.params.end(), [](const ParamSpec& p) { return p.name == "path"; })) {
    // With a fixed split the interactions are the union of its two files.
    YAML::Node tree = config.tree();
    tree["dataset"]["path"] = plan.split_params.text("train");
  }
  const auto dataset_params = Params::resolve(loader.params, root["dataset"], {"loader", "name"});
  plan.source = loader.create(dataset_params);
  plan.dataset_params = dataset_params.to_json();
  plan.preprocess = PreprocessOptions::from_config(root["preprocess"]);

  // protocol
  const auto protocol = root["protocol"];
  if (!protocol.is_map()) fail("config group 'protocol' is missing: choose one, e.g. protocol=full");
  plan.protocol_name = protocol["name"].as_string();
  const auto& protocol_entry = registries.protocols.at(plan.protocol_name);
  plan.protocol = protocol_entry.create(Params::resolve(protocol_entry.params, protocol, {"name"}));

  if (plan.protocol_name == "replay") {
    // The rounds are the later part of one global time cut; the loop has no validation carve-out.
    if (plan.split_name != "temporal_global")
      protocol["name"].fail_here(fmt::format("protocol=replay cuts the later part of a global time split into rounds; "
                                             "use split=temporal_global (not {})", plan.split_name));
    if (plan.validation_ratio > 0)
      split["validation"].fail_here("protocol=replay has no validation carve-out; set split.validation=0");
    if (plan.evaluate_on != "test") run["evaluate_on"].fail_here("protocol=replay evaluates its rounds; use run.evaluate_on=test");
  }

  // metrics
  const auto metrics = root["metrics"];
  std::vector<int> ks;
  for (const auto& k : metrics["k"].as_strings()) {
    const auto value = parse_int(k);
    if (!value || *value <= 0 || *value > 100000)
      metrics["k"].fail_here(fmt::format("k = '{}' must be a positive integer up to 100000 (e.g. metrics.k=10 or metrics.k=[5,10,20])", k));
    ks.push_back(static_cast<int>(*value));
  }
  if (ks.empty()) ks.push_back(10);
  plan.metrics = make_metrics(registries, metrics["names"].as_strings(), ks);
  if (plan.metrics.empty()) metrics["names"].fail_here("name at least one metric, or 'all'");
  plan.list_length = 1;
  for (const auto& m : plan.metrics) plan.list_length = std::max(plan.list_length, m->k());
  for (const auto& m : plan.metrics) {
    if (!m->needs_every_candidate()) continue;
    plan.whole_candidate_lists = true;
    if (!plan.protocol->has_candidate_lists())
      metrics["names"].fail_here(fmt::format(
          "metric {} needs every candidate of a case ranked, but protocol {} ranks the whole catalog and keeps only "
          "the top k; use a protocol with candidate lists (protocol=impressions, sampled or fixed_negatives)",
          m->name(), plan.protocol_name));
  }
  if (metrics.has("relevance_threshold")) plan.relevance_threshold = metrics["relevance_threshold"].as_double();
  else metrics["relevance_threshold"].mark_read();
  const auto tail = metrics["long_tail"];
  if (!tail.is_null() && !tail.is_map()) tail.fail_here("expected a map {definition: pareto, share: 0.8}");
  plan.long_tail_definition = tail.get_string("definition", "pareto");
  {
    const std::vector<std::string> definitions{"pareto", "top_fraction", "bottom_fraction"};
    if (std::find(definitions.begin(), definitions.end(), plan.long_tail_definition) == definitions.end())
      tail["definition"].fail_here(fmt::format("'{}' is not one of {}{}", plan.long_tail_definition, join(definitions, ", "),
                                               did_you_mean(plan.long_tail_definition, definitions)));
  }
  const double default_parameter = plan.long_tail_definition == "pareto" ? 0.8
                                   : plan.long_tail_definition == "top_fraction" ? 0.2 : 0.1;
  plan.long_tail_parameter = tail.get_double(plan.long_tail_definition == "pareto" ? "share" : "fraction", default_parameter);
  const auto unused = tail[plan.long_tail_definition == "pareto" ? "fraction" : "share"];
  unused.mark_read();
  if (!unused.is_null())
    unused.fail_here(fmt::format("does not apply to the '{}' definition; set it to null (pareto takes share, "
                                 "top_fraction and bottom_fraction take fraction)", plan.long_tail_definition));
  if (plan.long_tail_parameter <= 0 || plan.long_tail_parameter > 1)
    tail.fail_here("the share or fraction must be in (0, 1]");
  make_long_tail(plan.long_tail_definition, plan.long_tail_parameter, {});  // validates the name

  // algorithms
  expand_algorithms(config, registries, search_path);
  std::set<std::string> labels;
  const auto algorithms = config.root()["algorithms"];
  for (size_t i = 0; i < algorithms.size(); ++i) {
    const auto entry = algorithms[i];
    AlgorithmPlan a;
    a.name = entry["name"].as_string();
    a.label = entry["label"].as_string();
    if (!labels.insert(a.label).second)
      entry["label"].fail_here(fmt::format("label '{}' is used twice; give each entry a unique label: {{name: {}, label: ...}}",
                                           a.label, a.name));
    a.params = Params::resolve(registries.algorithms.at(a.name).params, entry, {"name", "label"});
    registries.algorithms.at(a.name).create(a.params);  // constructing validates parameter combinations
    plan.algorithms.push_back(std::move(a));
  }

  config.check_all_read();
  plan.overrides = config.overrides;
  if (!plan.anonymize_salt.empty()) {
    // The salt is a secret: the run folder's config.yaml and overrides.yaml must not carry it.
    YAML::Node tree = config.tree();
    tree["run"]["anonymize_salt"] = "<redacted: see private/anonymization_salt>";
    for (auto& o : plan.overrides)
      if (o.rfind("run.anonymize_salt=", 0) == 0 || o.rfind("+run.anonymize_salt=", 0) == 0)
        o = o.substr(0, o.find('=') + 1) + "<redacted>";
  }
  plan.config_yaml = config.to_yaml();
  return plan;
}

namespace {
RunOutcome run_logged(ExperimentPlan& plan, const Registries& registries, Logger& log, SharedWork* shared);
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

namespace {
// A split and its interaction matrices: what every algorithm of a run (and every job of a sweep
// on the same data, split and seed) trains and is evaluated on.
struct PreparedSplit {
  SplitResult split;
  std::string hash;
  Interactions train, test, validation;
  // What a user is known to have seen when the test lists are drawn: training plus the validation
  // carve-out (as RecBole masks both). Models are fitted on training alone. Empty without a carve-out.
  std::optional<Interactions> train_and_validation;
};

PreparedSplit prepare_split(const ExperimentPlan& plan, const Dataset& data) {
  PreparedSplit p;
  p.split = plan.splitter->split(data, plan.split_seed);
  if (plan.validation_ratio > 0) carve_validation(p.split, plan.validation_ratio, plan.split_seed);
  p.hash = p.split.hash();
  const auto users = static_cast<int32_t>(data.users.size());
  const auto items = static_cast<int32_t>(data.items.size());
  p.train = Interactions(p.split.train, users, items);
  p.test = Interactions(p.split.test, users, items);
  p.validation = Interactions(p.split.validation, users, items);
  if (p.split.validation.size() > 0) {
    InteractionLog seen_log = p.split.train;
    for (size_t row = 0; row < p.split.validation.size(); ++row) seen_log.append(p.split.validation, row);
    p.train_and_validation.emplace(seen_log, users, items);
  }
  return p;
}

// item_exposure.tsv.gz: every item's training popularity (users), popularity rank (1 = most
// popular, ties by item index), head/tail membership and how often each algorithm recommended it
// (top-k lists); user_activity.tsv.gz: every user's number of training items. Reports
// draw the popularity-bias curve and the per-activity metrics from them.
void write_exposure_files(const RunPieces& run, const Interactions& train, const MetricContext& context,
                          const std::vector<std::vector<int64_t>>& exposure) {
  const auto& data = run.data;
  std::vector<int32_t> order(data.items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return context.phi[a] > context.phi[b]; });
  std::vector<int32_t> rank(order.size());
  for (size_t r = 0; r < order.size(); ++r) rank[static_cast<size_t>(order[r])] = static_cast<int32_t>(r + 1);
  std::string text = "item\ttrain_users\tpopularity_rank\ttail";
  for (const auto& a : run.plan.algorithms) text += "\t" + a.label;
  text += "\n";
  for (int32_t item : order) {
    text += fmt::format("{}\t{}\t{}\t{}", tsv_escape(data.items.external(item)), context.phi[item], rank[item],
                        context.tail.tail(item) ? 1 : 0);
    for (const auto& counts : exposure) text += fmt::format("\t{}", counts[static_cast<size_t>(item)]);
    text += "\n";
  }
  run.folder.write_gzip("item_exposure.tsv.gz", text);
  std::string users = "user\ttrain_items\n";
  for (int32_t u = 0; u < train.num_users(); ++u)
    users += fmt::format("{}\t{}\n", tsv_escape(run.users(u)), train.items_of(u).size());
  run.folder.write_gzip("user_activity.tsv.gz", users);
}

// Fits and evaluates every algorithm of a single-split protocol; writes recommendations.tsv,
// per_user_metrics.tsv.gz, metrics.csv and the exposure files.
AlgorithmsOutcome evaluate_algorithms(const RunPieces& run, const Interactions& train, const Interactions* validation,
                                      const Interactions& seen, const Interactions& test, const std::string& split_key) {
  const auto& plan = run.plan;
  const auto& data = run.data;
  const auto& registries = run.registries;
  const auto& folder = run.folder;
  auto& log = run.log;
  auto* shared = run.shared;
  // Protocol and metric context.
  const auto cases = plan.protocol->cases({data, seen, test, plan.relevance_threshold, plan.seed});
  if (cases.empty()) fail("protocol {} found no user with a relevant test item", plan.protocol_name);
  MetricContext context;
  context.num_items = data.items.size();
  context.num_train_users = train.active_users();
  // Popularity statistics of the training split: shared by the sweep's jobs on the same split.
  struct Popularity {
    std::vector<int32_t> phi;
    LongTail tail;
  };
  const std::function<Popularity()> popularity = [&] {
    Popularity p;
    p.phi = train.item_user_counts();
    p.tail = make_long_tail(plan.long_tail_definition, plan.long_tail_parameter, p.phi);
    return p;
  };
  const auto popularity_key =
      fmt::format("popularity:{}:{}:{:.17g}", split_key, plan.long_tail_definition, plan.long_tail_parameter);
  const auto stats = shared ? shared->get<Popularity>(popularity_key, popularity)
                            : std::make_shared<const Popularity>(popularity());
  context.phi = stats->phi;
  context.tail = stats->tail;
  log.info("protocol {}: {} cases; long tail {}: {} head and {} tail items", plan.protocol_name, cases.size(),
           context.tail.definition, context.tail.head_count, context.tail.tail_count);

  nlohmann::json results = nlohmann::json::object();
  // Candidate protocols rank one list per held-out item: a sixth column names it.
  const bool per_item_lists = !cases.front().candidates.empty();
  std::string recommendations = per_item_lists ? "algorithm\tuser\trank\titem\tscore\theld_out" : "algorithm\tuser\trank\titem\tscore";
  recommendations += plan.explain ? "\twhy\n" : "\n";
  std::string per_user;
  std::string metrics_csv;
  std::vector<std::string> metric_names;
  for (const auto& m : plan.metrics) metric_names.push_back(m->name());
  metrics_csv = "algorithm\tname\t" + join(metric_names, "\t") + "\n";
  std::vector<std::vector<std::string>> table_rows;
  // How often each item appears in the recommended top-k lists, per algorithm (item_exposure.tsv.gz).
  std::vector<std::vector<int64_t>> exposure;

  for (const auto& a : plan.algorithms) {
    auto algorithm = registries.algorithms.at(a.name).create(a.params);
    reset_peak_rss();
    const FitContext fit = fit_context(run, train, validation, a.label);
    log.info("{} ({}): fitting", a.label, a.name);
    test_pause("fit", a.label);
    const auto t0 = std::chrono::steady_clock::now();
    algorithm->fit(fit);
    const auto t1 = std::chrono::steady_clock::now();
    ProgressBar bar(fmt::format("{} evaluating", a.label), plan.progress);
    EvaluationOptions options;
    options.threads = plan.threads;
    options.memory_budget_bytes = plan.memory_budget_bytes;
    options.list_length = plan.list_length;
    if (plan.whole_candidate_lists)  // AUC-style metrics see every candidate in rank order
      for (const auto& c : cases)
        options.list_length = std::max(options.list_length, static_cast<int>(c.candidates.size()));
    options.progress = [&bar](int64_t done, int64_t total) { bar.update(done, total); };
    test_pause("evaluate", a.label);
    const auto evaluation = evaluate(*algorithm, {seen, test, cases, plan.protocol->relevant_loses_ties(), context},
                                     plan.metrics, options);
    bar.finish();
    const auto t2 = std::chrono::steady_clock::now();
    const double fit_seconds = std::chrono::duration<double>(t1 - t0).count();
    const double eval_seconds = std::chrono::duration<double>(t2 - t1).count();
    const double peak = peak_rss_mb();
    log.info("{}: fit {:.3f} s, evaluation {:.3f} s ({} users, blocks of {}), peak RSS {:.0f} MiB", a.label, fit_seconds,
             eval_seconds, evaluation.users.size(), evaluation.block_size, peak);

    nlohmann::json values = nlohmann::json::object();
    std::vector<std::string> row{a.label};
    std::vector<std::string> csv_row{a.label, a.name};
    for (size_t m = 0; m < evaluation.metric_names.size(); ++m) {
      const double v = evaluation.values[m];
      values[evaluation.metric_names[m]] = std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
      row.push_back(format_metric_value(v));
      csv_row.push_back(std::isnan(v) ? "" : fmt::format("{:.17g}", v));
      if (std::isnan(v) && plan.metrics[m]->kind() == Metric::Kind::Rating)
        log.warn("{}: {} is n/a: {} does not predict ratings", a.label, evaluation.metric_names[m], a.name);
    }
    table_rows.push_back(row);
    metrics_csv += join(csv_row, "\t") + "\n";
    results[a.label] = {{"name", a.name},           {"params", a.params.to_json()},
                        {"fit_seconds", fit_seconds}, {"eval_seconds", eval_seconds},
                        {"peak_rss_mb", peak},        {"evaluated_users", evaluation.users.size()},
                        {"metrics", values}};

    for (size_t c = 0; c < evaluation.case_users.size(); ++c) {
      const auto& user = run.users(evaluation.case_users[c]);
      std::string held_out;
      if (per_item_lists) {
        std::vector<std::string> relevant;
        for (int32_t item : cases[c].relevant) relevant.push_back(tsv_escape(data.items.external(item)));
        held_out.push_back('\t');
        held_out.append(join(relevant, ","));
      }
      // The top k (the largest metric cut-off), also when whole candidate lists were ranked.
      for (int r = 0; r < std::min(evaluation.list_size[c], plan.list_length); ++r) {
        const auto at = c * static_cast<size_t>(evaluation.list_length) + static_cast<size_t>(r);
        recommendations += fmt::format("{}\t{}\t{}\t{}\t{:.7g}{}", a.label, tsv_escape(user), r + 1,
                                       tsv_escape(data.items.external(evaluation.lists[at])), evaluation.list_scores[at],
                                       held_out);
        if (plan.explain) recommendations += "\t" + why_cell(run, *algorithm, evaluation.case_users[c], evaluation.lists[at]);
        recommendations += "\n";
      }
    }
    auto& counts = exposure.emplace_back(data.items.size(), 0);
    for (size_t c = 0; c < evaluation.case_users.size(); ++c)
      for (int r = 0; r < std::min(evaluation.list_size[c], plan.list_length); ++r)
        ++counts[static_cast<size_t>(evaluation.lists[c * static_cast<size_t>(evaluation.list_length) + static_cast<size_t>(r)])];
    if (per_user.empty()) per_user = "algorithm\tuser\t" + join(evaluation.per_user_names, "\t") + "\n";
    for (size_t u = 0; u < evaluation.users.size(); ++u) {
      per_user += a.label + "\t" + tsv_escape(run.users(evaluation.users[u]));
      for (const auto& column : evaluation.per_user)
        per_user += std::isnan(column[u]) ? std::string("\t") : fmt::format("\t{:.17g}", column[u]);
      per_user += "\n";
    }
  }

  folder.write("recommendations.tsv", recommendations);
  folder.write_gzip("per_user_metrics.tsv.gz", per_user);
  folder.write("metrics.csv", metrics_csv);
  write_exposure_files(run, train, context, exposure);


  AlgorithmsOutcome outcome;
  outcome.results = std::move(results);
  outcome.header = {"algorithm"};
  outcome.header.insert(outcome.header.end(), metric_names.begin(), metric_names.end());
  outcome.rows = std::move(table_rows);
  outcome.evaluated_cases = cases.size();
  outcome.tail = context.tail;
  return outcome;
}

RunOutcome run_logged(ExperimentPlan& plan, const Registries& registries, Logger& log, SharedWork* shared) {
  const auto wall_start = std::chrono::steady_clock::now();
  // run.device: cuda needs a GPU that this build's libtorch sees; auto takes one when there is one.
  const bool has_cuda = plan.device != "cpu" && registries.cuda_available();
  if (plan.device == "cuda" && !has_cuda)
    fail("run.device=cuda but no CUDA device is available (this build's libtorch: {}); use run.device=cpu or auto",
         registries.torch_build());
  const std::string device = has_cuda ? "cuda" : "cpu";
  RunFolder folder(plan.run_dir, plan.overwrite);
  log.open_file(folder.file("run.log").string());
  log.info("run folder {}", folder.path().string());
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

  // Dataset: from the cache when its recipe and files are unchanged.
  // Dataset: from the sweep's shared copy, else from the cache when its recipe and files are unchanged.
  std::vector<fs::path> files;
  const bool fixed = plan.split_name == "fixed";
  if (fixed) files = {fs::path(plan.split_params.text("train")), fs::path(plan.split_params.text("test"))};
  auto source_files = plan.source->files();
  if (fixed) source_files.insert(source_files.end(), files.begin(), files.end());
  const auto recipe = Hasher()
                          .text(plan.dataset_loader)
                          .text(plan.dataset_params.dump())
                          .text(plan.preprocess.hash())
                          .text(fixed ? "fixed" : "single")
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
    Dataset loaded = fixed ? plan.source->load_files(files) : plan.source->load();
    log.info("dataset {}: {} users, {} items, {} interactions loaded from {} in {:.2f} s", plan.dataset_name,
             loaded.users.size(), loaded.items.size(), loaded.log.size(), loaded.source,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    preprocess(loaded, plan.preprocess, log);
    if (plan.use_cache) {
      try {
        fs::create_directories(cache_file.parent_path());
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
  const Interactions& train = prepared->train;
  const Interactions& validation = prepared->validation;
  // run.evaluate_on=validation (tuning) ranks the carve-out and never uses the test split; the
  // lists then exclude training items only.
  const bool on_validation = plan.evaluate_on == "validation";
  const Interactions& test = on_validation ? prepared->validation : prepared->test;
  const Interactions& seen = on_validation || !prepared->train_and_validation ? train : *prepared->train_and_validation;
  log.info("split {} ({}): {} train, {} test, {} validation interactions", plan.split_name, split_hash,
           split.train.size(), split.test.size(), split.validation.size());
  if (on_validation) log.info("run.evaluate_on=validation: ranking the validation carve-out; the test split is not used");
  if (test.nnz() == 0)
    fail("split {} left no {} interactions; check the split parameters", plan.split_name,
         on_validation ? "validation" : "test");

  // run.anonymize_users: users are named by a salted hash in every file below; the salt goes only
  // to private/, which a shared copy of the folder leaves out.
  std::optional<UserNames> hashed_names;
  if (plan.anonymize_users) {
    const std::string salt = plan.anonymize_salt.empty() ? generate_salt() : plan.anonymize_salt;
    hashed_names.emplace(data.users, salt);
    fs::create_directories(folder.path() / "private");
    fs::permissions(folder.path() / "private", fs::perms::owner_all, fs::perm_options::replace);
    write_file_atomically(folder.path() / "private" / "anonymization_salt", salt + "\n");
    fs::permissions(folder.path() / "private" / "anonymization_salt", fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    log.info("run.anonymize_users: users are named HMAC-SHA256(salt, id)[:16 hex] in every output; the salt is in {} "
             "(leave private/ out when sharing the folder)", (folder.path() / "private" / "anonymization_salt").string());
  }
  const UserNames plain_names(data.users);
  const UserNames& user_names = hashed_names ? *hashed_names : plain_names;
  const bool replay = dynamic_cast<const ReplayProtocol*>(plan.protocol.get()) != nullptr;
  const RunPieces pieces{plan, registries, log, shared, folder, data, device == "cuda" ? Device::Cuda : Device::Cpu, user_names};
  const auto done = replay ? run_replay(pieces, split)
                           : evaluate_algorithms(pieces, train, plan.validation_ratio > 0 ? &validation : nullptr, seen,
                                                 test, split_key);
  RunOutcome outcome;
  outcome.folder = folder.path();
  outcome.table = format_table(done.header, done.rows);
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
        {"validation", plan.validation_ratio},
        {"seed", plan.split_seed},
        {"train", split.train.size()},
        {"test", split.test.size()},
        {"validation_interactions", split.validation.size()},
        {"hash", split_hash}}},
      {"protocol", plan.protocol->describe()},
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
  outcome.metrics.update(done.extra);
  folder.write("metrics.json", outcome.metrics.dump(2) + "\n");  // last: marks the run complete
  log.info("run complete: {}", folder.path().string());
  log.close_file();
  return outcome;
}

}  // namespace

}  // namespace tailrec
