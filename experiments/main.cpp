// tailrec: the command-line program. Parses the command line with CLI11 and hands each
// subcommand to experiments/*_command.cpp. User errors print one message and exit 1; bugs (TAILREC_CHECK) exit 2.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "experiments/commands.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/escape.hpp"

namespace {

// "cannot create directories r8/private: Not a directory" from the library's
// "filesystem error: cannot create directories: Not a directory [r8/private]": the operation, the
// path(s) and the cause on one line.
std::string describe(const std::filesystem::filesystem_error& e) {
  std::string what = e.what();
  if (const auto bracket = what.find(" ["); bracket != std::string::npos) what.resize(bracket);
  if (what.rfind("filesystem error: ", 0) == 0) what.erase(0, 18);
  std::string operation = what;
  if (const auto colon = what.rfind(": "); colon != std::string::npos) operation = what.substr(0, colon);
  std::string paths;
  if (!e.path1().empty()) paths += " " + e.path1().string();
  if (!e.path2().empty()) paths += " and " + e.path2().string();
  return operation + paths + ": " + e.code().message();
}
// CLI11 would wrap a negative value given for an unsigned seed around to 2^64 - 1.
std::string non_negative_seed(const std::string& value) {
  return value.find('-') == std::string::npos ? std::string() : "a seed is a whole number >= 0, got " + value;
}

// An exception's message as printed: control bytes escaped (it may quote a config value or a file),
// cut at 4000 bytes with a note (600,000 unknown keys once made a 68 MB message).
std::string printable(const char* what) {
  // One line: a newline a message quotes (a hand-edited file's value) must not forge a second one.
  std::string out;
  for (const char c : tailrec::escape_terminal(what, 4000)) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

const char* kDescription = R"(tailrec: recommender-system experiments for the long tail.

Describe an experiment in YAML (configs/), run it, get a run folder with metrics.json,
metrics.csv, per-user metrics, recommendations.tsv and run.log.)";

const char* kRunHelp = R"(Override grammar (Hydra-like):
  group=option         choose a config group option, e.g. dataset=ml100k split=leave_one_out
  key.path=value       change an existing key, e.g. metrics.k=[5,10,20] run.seed=7
  +new.key=value       add a key that is not in the config
  ~key.path            delete a key
  ~key.path=value      delete it only if it holds value (a group: only if that option is chosen)
  experiment=NAME      apply configs/experiment/NAME.yaml (it may change group choices)
Values: plain text is taken literally, byte for byte (10, 0.5, true, name, a path with spaces,
' #' or a newline stays as typed); null or ~ is null; a value starting with [ or { is a YAML flow
list or map ([a,b], {name: user_knn, k: 5}; a key given twice is refused); one starting with " or '
is one quoted YAML string ("null", '5'). Every value must be valid UTF-8 (see docs/input_rules.md).

Examples:
  tailrec run
  tailrec run algorithms=[most_popular,random] metrics=all
  tailrec run dataset=ml100k dataset.data_dir=../shared/datasets algorithms=[most_popular,random]
  tailrec run split=leave_one_out protocol=sampled protocol.negatives=99
  TAILREC_ML1M_NCF=/data/ml-1m/ncf tailrec run experiment=ncf_ml1m
  tailrec run --cfg dataset=ml100k        print the composed config and exit
  tailrec run --config-dir ~/my-configs experiment=mine
  tailrec run experiment=replay           the feedback loop: rounds of recommend, feedback, update
  tailrec run run.explain=true            a `why` column in recommendations.tsv
  tailrec run run.anonymize_users=true    users named by a salted hash in every output file
The run folder defaults to results/<experiment>/<date>/<time>/ (run.dir=PATH to choose);
the last line printed is its path.

Sweeps (--multirun, Hydra's grammar):
  key=a,b,c                  one job per value        algorithms.user_knn.k=10,20,50
  key=range(start,stop,step) Python's range           algorithms.ease.lambda=range(100,1000,300)
  key=choice(a,b)            same as a,b
  group=opt1,opt2            one job per option       split=random_holdout,temporal_user
  algorithms.<label>.<param>=value   sets one algorithm entry's parameter (sweepable)
  sweep.seeds=N | [s1,s2]    repeat every job over N seeds (run.seed, run.seed+1, ...)
  sweep.dir=PATH             the sweep folder (default results/multirun/<date>/<time>)
  launcher.jobs=N            jobs at once (launcher=local); launcher=slurm submits a job array
The cartesian product runs in command-line order (the last key varies fastest); every job's config
is validated before any starts. Each job is a run folder <sweep.dir>/<n>/; multirun.yaml lists the
jobs, sweep.jsonl their status and metrics. A failed job is recorded (FAILED, <n>/error.txt) and the
sweep goes on. After Ctrl-C or a crash:  tailrec run --multirun --resume DIR
(in its new place when the folder was moved or copied; refused while another process uses the
sweep, and when its config files now compose differently unless --resume-changed)
  tailrec run --multirun algorithms=[user_knn] algorithms.user_knn.k=10,50,100 sweep.seeds=3)";

const char* kModelFetchHelp = R"(Downloads config.json, model.safetensors, vocab.txt (or tokenizer.json, from which vocab.txt is
written) and, when the repository has them, tokenizer_config.json, tokenizer.json,
special_tokens_map.json and the sentence-transformers files (modules.json, sentence_bert_config.json,
config_sentence_transformers.json, 1_Pooling/config.json, each module's config.json) from
<endpoint>/<repo>/resolve/<revision>/<file>. Every file is checked against the hub's ETag (sha256
for LFS files, git blob sha1 for the others); a partial download (<file>.part) is resumed; files
already present with the right checksum are kept. Prints the folder on stdout.

Environment:
  TAILREC_HF_ENDPOINT  the hub (default https://huggingface.co)
  HF_TOKEN             access token for gated or private models (sent as Authorization: Bearer)
  TAILREC_MODEL_DIR    where models go without --dir (default $XDG_CACHE_HOME/tailrec/models or
                       ~/.cache/tailrec/models), as <owner>--<name>[@<revision>])";

const char* kModelEmbedHelp = R"(Reads one UTF-8 text per input line (an empty line is an empty text) and writes one TSV line
per input line: the line number counting from 0, then the embedding's values. Without --pooling,
--normalize or --no-normalize the checkpoint's sentence-transformers settings apply (else mean
pooling, no normalisation). The output is written to a temporary file and renamed.)";

}  // namespace

int main(int argc, char** argv) {
  // Past `ulimit -f` a write fails with EFBIG ("File too large", reported with the file's name)
  // instead of the signal killing the process with a half-written folder and no message.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{kDescription, "tailrec"};
  app.require_subcommand(1);
  app.footer("Run 'tailrec COMMAND --help' for a command's options.");

  tailrec::RunCommand run;
  std::vector<std::string> config_dirs;
  auto* run_cmd = app.add_subcommand("run", "Run an experiment (compose config, load data, fit, evaluate, write a run folder)");
  run_cmd->add_option("overrides", run.overrides, "Overrides: group=option, key=value, +key=value, ~key");
  run_cmd->add_flag("--cfg", run.print_config, "Print the composed config and exit");
  run_cmd->add_option("--config-dir", config_dirs, "Extra config folder, searched before the built-in configs/ (repeatable)")
      ->allow_extra_args(false);
  run_cmd->add_flag("-m,--multirun", run.multirun, "Sweep: one job per combination of swept values (key=a,b,c, range(), group=x,y)");
  run_cmd->add_option("--resume", run.resume, "Run the unfinished jobs of the sweep in DIR (its multirun.yaml)")
      ->allow_extra_args(false);
  run_cmd->add_flag("--resume-changed", run.resume_changed,
                    "With --resume: resume even though the jobs' config composes differently than when the sweep was made");
  run_cmd->footer(kRunHelp);
  run_cmd->positionals_at_end(false);

  tailrec::TuneCommand tune;
  std::vector<std::string> tune_config_dirs;
  auto* tune_cmd = app.add_subcommand("tune", "Search parameters on the validation carve-out, then evaluate the best once on the test split");
  tune_cmd->add_option("overrides", tune.overrides, "Overrides; swept ones (k=10,20 / range() / interval(a,b)) span the search");
  tune_cmd->add_option("--metric", tune.metric, "metric that picks the best (default ndcg@10; rmse and mae: lowest)");
  tune_cmd->add_option("--algorithm", tune.algorithm, "label whose metric counts (default: the only algorithm)");
  tune_cmd->add_option("--search", tune.search, "grid | random (default grid)");
  tune_cmd->add_option("--trials", tune.trials, "random search: number of settings drawn");
  tune_cmd->add_option("--seed", tune.seed, "random search: seed of the draws (default 0)")->check(non_negative_seed);
  tune_cmd->add_option("--jobs", tune.jobs, "trials at once (default 1)");
  tune_cmd->add_option("--out", tune.out, "tune folder (default results/tune/<date>/<time>)");
  tune_cmd->add_option("--config-dir", tune_config_dirs, "Extra config folder, searched first (repeatable)")->allow_extra_args(false);
  tune_cmd->positionals_at_end(false);
  tune_cmd->footer(R"(The config needs a validation carve-out (split.validation=0.1). Every trial trains on the
training split and is ranked on the carve-out (run.evaluate_on=validation; the test split is not
used). The best trial's setting is then trained again and evaluated once on the test split.
Folder: trials/<n>/ (run folders), tune.jsonl (the trace: one line per trial), best.yaml, final/.
Example:
  tailrec tune algorithms=[user_knn] algorithms.user_knn.k=10,20,50,100 split.validation=0.1 --metric ndcg@10
  tailrec tune algorithms=[ease] 'algorithms.ease.lambda=interval(10,2000)' split.validation=0.1 --search random --trials 8)");

  std::string list_what;
  auto* list_cmd = app.add_subcommand("list", "List registered algorithms, metrics, splits, protocols or datasets with their parameters, or the run-level settings");
  list_cmd->add_option("kind", list_what, "algorithms | metrics | splits | protocols | datasets | settings")->required();

  std::string data_action, data_name, data_dir;
  tailrec::DataSynthCommand data_synth;
  auto* data_cmd = app.add_subcommand("data", "Known datasets: list, fetch (download + sha256 check), verify a local copy, or synth(esize) one");
  data_cmd->add_option("action", data_action, "list | fetch | verify | synth")->required();
  data_cmd->add_option("name", data_name, "dataset name (see 'tailrec data list'); synth: ml20m_like");
  data_cmd->add_option("--dir", data_dir, "data directory (default: $TAILREC_DATA_DIR or ~/.cache/tailrec/data)");
  data_cmd->add_option("--out", data_synth.out, "synth: output folder (default: <data directory>/<name>)");
  data_cmd->add_option("--seed", data_synth.seed, "synth: random seed (default 0); a seed gives the same bytes everywhere")
      ->check(non_negative_seed);
  data_cmd->add_option("--scale", data_synth.scale,
                       "synth: size factor (default 1: MovieLens-20M's 138,493 users, 26,744 items, 20,000,263 "
                       "ratings; users and ratings scale with it, items with its square root)");
  data_cmd->footer(R"(Synthetic data:
  tailrec data synth ml20m_like --out /tmp/ml20m_like            # 20M ratings, ~10 s, 530 MB
  tailrec data synth ml20m_like --out /tmp/small --scale 0.01    # 200k ratings
  tailrec run dataset=ml20m dataset.data_dir=/tmp/ml20m_like
See docs/scaling.md.)");

  auto* model_cmd = app.add_subcommand("model", "BERT checkpoints: fetch from the Hugging Face hub, describe, embed texts");
  model_cmd->require_subcommand(1);
  tailrec::ModelFetchCommand model_fetch;
  auto* model_fetch_cmd = model_cmd->add_subcommand("fetch", "Download a checkpoint from the Hugging Face hub (resumable, checksums verified)");
  model_fetch_cmd->add_option("repo_id", model_fetch.repo_id, "repository id, e.g. sentence-transformers/all-MiniLM-L6-v2")->required();
  model_fetch_cmd->add_option("--revision", model_fetch.revision, "branch, tag or commit (default: main)");
  model_fetch_cmd->add_option("--dir", model_fetch.dir, "model folder (default: $TAILREC_MODEL_DIR/<owner>--<name>, see below)");
  model_fetch_cmd->footer(kModelFetchHelp);

  std::string model_info_dir;
  auto* model_info_cmd = model_cmd->add_subcommand("info", "Describe a checkpoint folder: architecture, parameters, dtypes, vocabulary, tokenizer, pooling");
  model_info_cmd->add_option("dir", model_info_dir, "model folder (config.json, vocab.txt, model.safetensors)")->required();

  tailrec::ModelEmbedCommand model_embed;
  auto* model_embed_cmd = model_cmd->add_subcommand("embed", "Embed a file of texts (one per line) into a TSV file");
  model_embed_cmd->add_option("--model", model_embed.model_dir, "model folder")->required();
  model_embed_cmd->add_option("--input", model_embed.input, "UTF-8 text file, one text per line")->required();
  model_embed_cmd->add_option("--output", model_embed.output, "TSV file to write")->required();
  model_embed_cmd->add_option("--pooling", model_embed.pooling, "mean | cls | max | pooler (default: the checkpoint's)");
  auto* normalize_flag = model_embed_cmd->add_flag("--normalize", model_embed.normalize, "L2-normalise each embedding");
  model_embed_cmd->add_flag("--no-normalize", model_embed.no_normalize, "do not normalise, even if the checkpoint does")
      ->excludes(normalize_flag);
  model_embed_cmd->add_option("--max-length", model_embed.max_length,
                              "tokens per text, [CLS] and [SEP] included (default 0: the checkpoint's limit)");
  model_embed_cmd->add_option("--batch-size", model_embed.batch_size, "texts per batch (default 32)");
  model_embed_cmd->add_option("--device", model_embed.device, "cpu | cuda (default cpu)");
  model_embed_cmd->add_option("--precision", model_embed.precision, "fp32 | fp16 | bf16; fp16/bf16 on cuda only (default fp32)");
  model_embed_cmd->add_option("--threads", model_embed.threads, "CPU threads (default 1)");
  model_embed_cmd->footer(kModelEmbedHelp);

  tailrec::ReportCommand report;
  auto* report_cmd = tailrec::add_report_subcommand(app, report);  // experiments/report/command.cpp
  tailrec::CheckCommand check;
  auto* check_cmd = tailrec::add_check_subcommand(app, check);  // experiments/check_command.cpp

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // A command-line mistake is one error line like any other (exit 1).
    std::cerr << "error: " << printable(e.what()) << "; run 'tailrec --help' or 'tailrec COMMAND --help'" << std::endl;
    return 1;
  }

  try {
    if (*run_cmd) {
      for (const auto& d : config_dirs) run.config_dirs.emplace_back(d);
      return tailrec::run_command(run);
    }
    if (*tune_cmd) {
      for (const auto& d : tune_config_dirs) tune.config_dirs.emplace_back(d);
      return tailrec::tune_command(tune);
    }
    if (*list_cmd) return tailrec::list_command(list_what);
    if (*data_cmd && data_action == "synth") {
      data_synth.name = data_name;
      data_synth.dir = data_dir;
      return tailrec::data_synth_command(data_synth);
    }
    if (*data_cmd) return tailrec::data_command(data_action, data_name, data_dir);
    if (*model_fetch_cmd) return tailrec::model_fetch_command(model_fetch);
    if (*model_info_cmd) return tailrec::model_info_command(model_info_dir);
    if (*model_embed_cmd) return tailrec::model_embed_command(model_embed);
    if (*report_cmd) return tailrec::report_command(report);
    if (*check_cmd) return tailrec::check_command(check);
  } catch (const tailrec::Error& e) {
    std::cerr << "error: " << printable(e.what()) << std::endl;
    return 1;
  } catch (const tailrec::InternalError& e) {  // TAILREC_CHECK: a bug in tailrec
    std::cerr << "internal error: " << printable(e.what()) << std::endl;
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {  // the machine's file system said no: the user's to fix
    std::cerr << "error: " << printable(describe(e).c_str()) << std::endl;
    return 1;
  } catch (const std::exception& e) {  // anything else unexpected (out of memory, a library's exception)
    std::cerr << "internal error: " << printable(e.what()) << std::endl;
    return 2;
  }
  return 0;
}
