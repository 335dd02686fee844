#include "framework/run/settings.hpp"

#include "framework/util/check.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

namespace {

std::vector<SettingsGroup> make_groups() {
  using P = ParamSpec;
  std::vector<SettingsGroup> groups;
  groups.push_back({"run", "how a run executes and where it writes (configs/config.yaml)",
                    {P::integer("seed", 42, "seeds splits, samplers and seeded algorithms", 0, kMaxSeed),
                     P::integer("threads", 0, "worker threads; 0 = every core. Results do not depend on it", 0, 1024),
                     P::choice("device", "cpu", {"cpu", "cuda", "auto"},
                               "where algorithms that can use a GPU fit and score: cpu, cuda, or auto (cuda when "
                               "one is available)"),
                     P::optional("dir", ParamType::String, "the run folder: new, empty or a tailrec run folder; null = <results_root>/<experiment>/<date>/<time>"),
                     P::optional("results_root", ParamType::String,
                                 "where run folders (and sweep and tune folders) are made when run.dir (sweep.dir) "
                                 "is null; null = <tailrec home>/results (TAILREC_HOME, else the source tree)"),
                     P::boolean("overwrite", false, "allow reusing a run.dir that holds a complete run (kept aside until the new run completes)"),
                     P::real("memory_budget_mb", 1024, "the evaluator's score buffers, all threads together (MiB)", 1e-3, 1e8),
                     P::boolean("cache", true,
                                "cache the loaded, preprocessed dataset (keyed by recipe + files) and BERT item embeddings"),
                     P::optional("cache_dir", ParamType::String, "null = $TAILREC_CACHE_DIR, else ~/.cache/tailrec"),
                     P::boolean("progress", true, "progress bars on stderr when it is a terminal"),
                     P::choice("evaluate_on", "test", {"test", "validation"},
                               "rank the test split, or the split.validation carve-out (tailrec tune's trials)"),
                     P::boolean("explain", false,
                                "recommendations.tsv gets a `why` column: each item's top contributions (docs/explanations.md)"),
                     P::integer("explain_reasons", 3, "reasons per recommended item", 1, 100),
                     P::boolean("anonymize_users", false,
                                "name users by HMAC-SHA256(salt, id) in every output file (docs/privacy.md)"),
                     P::optional("anonymize_salt", ParamType::String,
                                 "null = a fresh random salt per run; either way it is kept only in <run>/private/")}});
  groups.push_back({"metrics", "what is measured (configs/metrics/<option>.yaml; docs/metrics.md)",
                    {P::needed("names", ParamType::StringList,
                               "metric names (`tailrec list metrics`), name@k for one cut-off, or all; each option of "
                               "configs/metrics/ names its set (default: accuracy and long-tail metrics)"),
                     P{"k", ParamType::IntList, YAML::Load("10"), "a cut-off, or a list: [5, 10, 20]", 1, 100000, {}, false},
                     P::optional("relevance_threshold", ParamType::Float,
                                 "null = every test interaction is relevant; e.g. 4 = ratings >= 4"),
                     P::node("long_tail", "the head/tail partition of the catalog (metrics.long_tail below)"),
                     P::node("strata", "accuracy by item-popularity and user-activity group (metrics.strata below)")}});
  groups.push_back({"metrics.long_tail", "the head/tail partition of the long-tail metrics (docs/metrics.md, \"Long tail\")",
                    {P::choice("definition", "pareto", {"pareto", "top_fraction", "bottom_fraction"},
                               "pareto: the head holds `share` of the training interactions; top_fraction: the head "
                               "is that fraction of the most popular items; bottom_fraction: the tail is that "
                               "fraction of the least popular items"),
                     P::optional("share", ParamType::Float, "pareto only (null = 0.8), in (0, 1]"),
                     P::optional("fraction", ParamType::Float,
                                 "top_fraction (null = 0.2) and bottom_fraction (null = 0.1) only, in (0, 1]")}});
  groups.push_back({"metrics.strata",
                    "accuracy by group: every metric that judges relevant items, again per item-popularity group "
                    "and per user-activity group (docs/metrics.md, \"Stratified accuracy\")",
                    {P::choice("items", "long_tail", {"long_tail", "quantiles", "none"},
                               "item groups by training popularity: long_tail (head, tail as metrics.long_tail "
                               "defines them), quantiles (item_groups groups of about equal item counts, q1 the "
                               "most popular), or none; items without a training interaction form the group cold"),
                     P::integer("item_groups", 3, "quantiles only: the number of popularity groups", 2, 100),
                     P::choice("users", "quantiles", {"quantiles", "none"},
                               "user groups by activity (the user's known items when her list is drawn): "
                               "user_groups groups of about equal user counts, q1 the least active, or none; "
                               "users without any form the group cold"),
                     P::integer("user_groups", 3, "the number of activity groups", 2, 100)}});
  groups.push_back({"split", "the keys every split takes beside its own parameters (configs/split/<option>.yaml)",
                    {P::real("validation", 0.0,
                             "share of each user's training interactions moved to a validation carve-out, in [0, 1) "
                             "(0 = none)",
                             0.0, 1.0),
                     P{"seed", ParamType::Int, YAML::Node(), "the split's seed, >= 0; null = run.seed", 0, kMaxSeed, {}, false}}});
  groups.push_back({"protocol", "the keys every protocol takes beside its own parameters (configs/protocol/<option>.yaml)",
                    {P::choice("cold_users", "exclude", {"exclude", "evaluate"},
                               "test users without any training interaction: exclude (counted, logged and written "
                               "to metrics.json) or evaluate (a model without information about them gives them an empty "
                               "list: each counts as a miss, never an item-id-ordered list; docs/metrics.md, \"Cold "
                               "users\")"),
                     P::choice("candidates", "all", {"all", "cold"},
                               "the items a list is drawn from: all (every catalog item the user did not train on) "
                               "or cold (only items without a training interaction, as cold-start papers rank; "
                               "protocol=full; a model that cannot score cold items gives empty lists)"),
                     P::choice("catalog", "all", {"all", "train"},
                               "the catalog: all (every item of the dataset, also those only the test or validation "
                               "data name) or train (only items with a training interaction; relevant items outside it "
                               "are dropped and counted; protocol=full, not with cold items)"),
                     P::boolean("also_full", false,
                                "protocols whose cases list their candidates: evaluate each fitted model a second time "
                                "with full ranking (every item the user did not train on) for the same users and "
                                "relevant items; metrics.json full_metrics (docs/sampled_metrics.md)"),
                     P::choice("correction", "bv", {"bv", "none"},
                               "protocols that sample negatives uniformly: bv adds Krichene & Rendle's (2020) "
                               "bias-variance corrected estimate of each rank metric (metrics.json corrected_metrics); "
                               "none skips it"),
                     P::real("correction_gamma", 0.1,
                             "the bias-variance trade-off of correction=bv, in [0.001, 1]: small = less bias, more "
                             "variance (below 0.001 the system is too ill-conditioned to solve reliably), 1 = posterior "
                             "mean; 0.1 ordered models best in the paper's experiments",
                             0.001, 1.0)}});
  groups.push_back({"sweep", "tailrec run --multirun (docs/sweeps.md)",
                    {P::optional("dir", ParamType::String, "null = <run.results_root>/multirun/<date>/<time>"),
                     P::node("seeds", "N: repeat every job over seeds run.seed .. run.seed+N-1 (1..10000); or a list "
                                      "[1, 2, 3] of non-negative seeds; null = once")}});
  groups.push_back({"launcher.local", "launcher=local: the sweep's jobs in this process (configs/launcher/local.yaml)",
                    {P::integer("jobs", 1, "jobs at once; jobs x run.threads should not exceed the cores", 1, 1024)}});
  groups.push_back({"launcher.slurm", "launcher=slurm: the sweep as one Slurm job array (docs/slurm.md)",
                    {P::optional("partition", ParamType::String, "null: the cluster's default partition"),
                     P::text("time", "01:00:00", "wall-time limit of each job"),
                     P::integer("cpus_per_task", 1, "set run.threads to the same number", 1),
                     P::optional("mem", ParamType::String, "e.g. 8G; null: the cluster's default"),
                     P::optional("gres", ParamType::String, "e.g. gpu:1 (with run.device=cuda)"),
                     P::integer("max_parallel", 0, "at most this many jobs at once (%N); 0: no limit", 0),
                     P{"extra", ParamType::StringList, YAML::Load("[]"),
                       "further sbatch options, e.g. [\"--account=abc\", \"--qos=short\"]", {}, {}, {}, false},
                     P::boolean("wait", true, "wait for the array to end and index the results; false: submit and return"),
                     P::text("sbatch", "sbatch", "the sbatch program")}});
  return groups;
}

}  // namespace

const std::vector<SettingsGroup>& settings_groups() {
  static const std::vector<SettingsGroup> groups = make_groups();
  return groups;
}

const SettingsGroup& settings_group(std::string_view path) {
  for (const auto& g : settings_groups())
    if (g.path == path) return g;
  TAILREC_UNREACHABLE("no settings group '{}'", path);
}

std::string optional_text(const Params& settings, std::string_view name) {
  return settings.has(name) ? settings.text(name) : std::string();
}

std::filesystem::path results_root(const Params& run) {
  const auto text = optional_text(run, "results_root");
  return text.empty() ? tailrec_home() / "results" : std::filesystem::path(text);
}

std::vector<std::string> settings_keys(std::string_view group) {
  std::vector<std::string> keys;
  for (const auto& p : settings_group(group).params) keys.push_back(p.name);
  return keys;
}

}  // namespace tailrec
