#include "experiments/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "framework/config/config.hpp"
#include "framework/run/run_folder.hpp"
#include "framework/run/settings.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/strings.hpp"
#include "framework/util/system_info.hpp"

namespace tailrec {

namespace fs = std::filesystem;

namespace {

struct SplitOverride {
  std::string prefix;  // "+" or "" (a "~key" deletion never sweeps)
  std::string key;
  std::string value;
};

std::optional<SplitOverride> split_override(const std::string& text) {
  if (starts_with(text, "~")) return std::nullopt;
  const auto eq = text.find('=');
  if (eq == std::string::npos) return std::nullopt;
  SplitOverride o;
  o.prefix = starts_with(text, "+") ? "+" : "";
  o.key = text.substr(o.prefix.size(), eq - o.prefix.size());
  o.value = text.substr(eq + 1);
  return o;
}

// Splits at commas outside brackets, braces, parentheses and quotes.
std::vector<std::string> top_level_items(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[' || c == '{' || c == '(') {
      ++depth;
    } else if (c == ']' || c == '}' || c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      items.emplace_back(trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  items.emplace_back(trim(current));
  return items;
}

// "range(" ... ")" or "choice(" ... ")": the arguments, else nullopt.
std::optional<std::vector<std::string>> call_arguments(const std::string& value, const std::string& function) {
  const auto v = std::string(trim(value));
  if (!starts_with(v, function + "(") || v.back() != ')') return std::nullopt;
  return top_level_items(v.substr(function.size() + 1, v.size() - function.size() - 2));
}

std::vector<std::string> range_values(const std::string& text, const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 3 || (args.size() == 1 && args[0].empty()))
    fail("override '{}': range takes (stop), (start, stop) or (start, stop, step)", text);
  bool integral = true;
  std::vector<double> numbers;
  for (const auto& a : args) {
    const auto d = parse_double(a);
    if (!d) fail("override '{}': range argument '{}' is not a number", text, a);
    if (!parse_int(a)) integral = false;
    numbers.push_back(*d);
  }
  const double start = numbers.size() == 1 ? 0 : numbers[0];
  const double stop = numbers.size() == 1 ? numbers[0] : numbers[1];
  const double step = numbers.size() == 3 ? numbers[2] : 1;
  if (step == 0) fail("override '{}': the range step must not be 0", text);
  std::vector<std::string> values;
  for (int64_t i = 0;; ++i) {
    const double x = start + static_cast<double>(i) * step;  // no accumulated rounding
    if (step > 0 ? x >= stop - 1e-12 * std::abs(step) : x <= stop + 1e-12 * std::abs(step)) break;
    if (values.size() >= 100000) fail("override '{}': the range has more than 100000 values", text);
    values.push_back(integral ? fmt::format("{}", static_cast<int64_t>(std::llround(x))) : fmt::format("{}", x));
  }
  if (values.empty()) fail("override '{}': the range is empty (as Python's range would be)", text);
  return values;
}



std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

bool is_run_dir(const std::string& o) { return starts_with(o, "run.dir=") || starts_with(o, "+run.dir="); }

// The overrides as written to multirun.yaml and sweep.jsonl: without run.dir (the job's folder is
// recorded relative to the sweep folder instead).
std::vector<std::string> without_run_dir(const std::vector<std::string>& overrides) {
  std::vector<std::string> out;
  for (const auto& o : overrides)
    if (!is_run_dir(o)) out.push_back(o);
  return out;
}

}  // namespace

namespace {

// The placeholders: "<redacted salt N>", N numbering the distinct salts in job order, so jobs that
// differ only by their salt (run.anonymize_salt=a,b) still read as different settings.
std::vector<std::pair<std::string, std::string>> placeholders(const std::vector<SweepJob>& jobs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& job : jobs)
    if (!job.salt.empty() && std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.first == job.salt; }))
      out.emplace_back(job.salt, fmt::format("<redacted salt {}>", out.size() + 1));
  // The longest first: a salt that contains another is replaced whole.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return out;
}

}  // namespace

void redact_salts(std::vector<SweepJob>& jobs, const std::vector<std::string>& salts) {
  for (size_t i = 0; i < jobs.size() && i < salts.size(); ++i) jobs[i].salt = salts[i];
  const auto names = placeholders(jobs);
  for (auto& job : jobs) {
    if (job.salt.empty()) continue;
    for (const auto& [salt, name] : names) {
      for (auto& o : job.overrides)
        if (!is_run_dir(o)) o = replace_all(o, salt, name);
      for (auto& o : job.swept) o = replace_all(o, salt, name);
    }
  }
}

std::string redact_salts(std::string text, const std::vector<SweepJob>& jobs) {
  for (const auto& [salt, name] : placeholders(jobs)) text = replace_all(std::move(text), salt, name);
  return text;
}

std::string job_config_hash(const Config& config) {
  YAML::Node tree = YAML::Clone(config.tree());
  if (tree["run"] && tree["run"].IsMap()) {
    tree["run"].remove("dir");
    tree["run"].remove("anonymize_salt");
  }
  tree.remove("sweep");
  tree.remove("launcher");
  YAML::Emitter out;
  out << tree;
  return Hasher().text(out.c_str()).hex();
}

fs::path job_salt_path(const fs::path& sweep_dir, int index) {
  return sweep_dir / "private" / fmt::format("{}.salt", index);
}

void write_job_salt(const fs::path& sweep_dir, const SweepJob& job) {
  const auto folder = sweep_dir / "private";
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
    fail("cannot create {} for the sweep's anonymisation salts: {}", folder.string(), std::strerror(errno));
  const int dir_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) {
    const int e = errno;
    struct stat st {};
    const bool link = ::lstat(folder.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
    fail("{} must be a folder of this sweep, for its anonymisation salts: {}; remove what is there and resume",
         folder.string(), link ? "it is a symbolic link, which tailrec never follows" : std::strerror(e));
  }
  const auto close_dir = [&] { ::close(dir_fd); };
  if (::fchmod(dir_fd, 0700) != 0) {
    const int e = errno;
    close_dir();
    fail("cannot make {} private (mode 0700): {}", folder.string(), std::strerror(e));
  }
  const auto name = fmt::format("{}.salt", job.index);
  const auto temporary = "." + name + ".tmp";
  ::unlinkat(dir_fd, temporary.c_str(), 0);  // left by a crash: ours, in our private folder
  const int fd = ::openat(dir_fd, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int e = errno;
    close_dir();
    fail("cannot create {}: {}", (folder / temporary).string(), std::strerror(e));
  }
  const bool written = ::write(fd, job.salt.data(), job.salt.size()) == static_cast<ssize_t>(job.salt.size()) &&
                       ::fsync(fd) == 0;
  const int e = errno;
  ::close(fd);
  if (!written || ::renameat(dir_fd, temporary.c_str(), dir_fd, name.c_str()) != 0) {
    const int e2 = written ? errno : e;
    ::unlinkat(dir_fd, temporary.c_str(), 0);
    close_dir();
    fail("cannot write {}: {}", (folder / name).string(), std::strerror(e2));
  }
  close_dir();
}

std::string read_job_salt(const fs::path& sweep_dir, int index) {
  const auto path = job_salt_path(sweep_dir, index);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    fail("{}: cannot read job {}'s anonymisation salt: {}; a sweep is copied or moved with its private/ folder",
         path.string(), index, errno == ELOOP ? "it is a symbolic link, which tailrec never follows" : std::strerror(errno));
  std::string salt;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && salt.size() < (1 << 20)) salt.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  if (n < 0 || salt.empty()) fail("{}: cannot read job {}'s anonymisation salt (empty or unreadable)", path.string(), index);
  return salt;
}

bool is_sweep_override(const std::string& text) {
  const auto o = split_override(text);
  if (!o) return false;
  return call_arguments(o->value, "range") || call_arguments(o->value, "choice") || top_level_items(o->value).size() > 1;
}

std::vector<std::string> expand_override(const std::string& text) {
  const auto o = split_override(text);
  if (!o || !is_sweep_override(text)) return {text};
  std::vector<std::string> values;
  if (const auto args = call_arguments(o->value, "range")) values = range_values(text, *args);
  else if (const auto choices = call_arguments(o->value, "choice")) values = *choices;
  else values = top_level_items(o->value);
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (v.empty()) fail("override '{}' sweeps an empty value; remove the stray comma", text);
    out.push_back(o->prefix + o->key + "=" + v);
  }
  return out;
}

std::vector<SweepJob> expand_sweep(const std::vector<std::string>& overrides, const std::vector<uint64_t>& seeds,
                                   const fs::path& sweep_dir) {
  std::vector<std::vector<std::string>> axes;
  for (const auto& o : overrides) axes.push_back(expand_override(o));
  size_t combinations = 1;
  for (const auto& axis : axes) {
    combinations *= axis.size();
    if (combinations > 100000) fail("the sweep has more than 100000 jobs; narrow it");
  }
  std::vector<SweepJob> jobs;
  std::vector<size_t> at(axes.size(), 0);
  for (size_t c = 0; c < combinations; ++c) {
    std::vector<std::string> base, swept;
    for (size_t a = 0; a < axes.size(); ++a) {
      base.push_back(axes[a][at[a]]);
      if (axes[a].size() > 1) swept.push_back(axes[a][at[a]]);
    }
    const auto add = [&](std::vector<std::string> job_overrides, std::vector<std::string> job_swept) {
      SweepJob job;
      job.index = static_cast<int>(jobs.size());
      job_overrides.push_back("run.dir=" + (sweep_dir / std::to_string(job.index)).string());
      job.overrides = std::move(job_overrides);
      job.swept = std::move(job_swept);
      jobs.push_back(std::move(job));
    };
    if (seeds.empty()) add(base, swept);
    for (const auto seed : seeds) {
      auto o = base;
      auto s = swept;
      o.push_back(fmt::format("run.seed={}", seed));
      s.push_back(o.back());
      add(o, s);
    }
    // Odometer: the last override varies fastest.
    for (size_t a = axes.size(); a-- > 0;) {
      if (++at[a] < axes[a].size()) break;
      at[a] = 0;
    }
  }
  return jobs;
}

SlurmSettings SlurmSettings::from(const Params& params) {
  SlurmSettings slurm;
  slurm.partition = optional_text(params, "partition");
  slurm.time = params.text("time");
  slurm.cpus_per_task = static_cast<int>(params.integer("cpus_per_task"));
  slurm.mem = optional_text(params, "mem");
  slurm.gres = optional_text(params, "gres");
  slurm.max_parallel = static_cast<int>(params.integer("max_parallel"));
  slurm.extra = params.texts("extra");
  slurm.wait = params.boolean("wait");
  slurm.sbatch = params.text("sbatch");
  return slurm;
}

SlurmSettings SlurmSettings::defaults() { return from(Params::defaults(settings_group("launcher.slurm").params)); }

SweepSettings read_sweep_settings(const Config& config) {
  SweepSettings s;
  const auto root = config.root();
  const auto sweep = root["sweep"];
  const auto settings = Params::resolve(settings_group("sweep").params, sweep);
  // run.results_root and run.seed, with their one default (framework/run/settings.hpp).
  const auto run = Params::resolve(settings_group("run").params, root["run"]);
  const auto dir = optional_text(settings, "dir");
  s.dir = !dir.empty() ? fs::path(dir)
                       : results_root(run) / "multirun" / local_time("%Y-%m-%d") /
                                    local_time("%H-%M-%S");
  const auto seeds = sweep["seeds"];
  if (seeds.is_sequence()) {
    for (size_t i = 0; i < seeds.size(); ++i) {
      const auto v = seeds[i].as_int();
      if (v < 0) seeds[i].fail_here("a seed is a non-negative integer");
      s.seeds.push_back(static_cast<uint64_t>(v));
    }
    if (s.seeds.empty()) seeds.fail_here("list at least one seed, or give a count: sweep.seeds=3");
  } else if (!seeds.is_null()) {
    const auto n = seeds.as_int();
    if (n < 1 || n > 10000) seeds.fail_here("the number of seeds must be in [1, 10000], or a list [1, 2, 3]");
    const auto base = static_cast<uint64_t>(run.integer("seed"));
    if (n > 1)
      for (int64_t i = 0; i < n; ++i) s.seeds.push_back(base + static_cast<uint64_t>(i));
  }

  const auto launcher = root["launcher"];
  s.launcher = launcher.is_null() ? "local" : launcher["name"].as_string();
  const std::vector<std::string> launchers{"local", "slurm"};
  if (std::find(launchers.begin(), launchers.end(), s.launcher) == launchers.end())
    launcher["name"].fail_here(fmt::format("unknown launcher '{}'{}; valid: {}", s.launcher,
                                           did_you_mean(s.launcher, launchers), join(launchers, ", ")));
  const auto params = Params::resolve(settings_group("launcher." + s.launcher).params, launcher, {"name"});
  if (s.launcher == "local") {
    s.jobs = static_cast<int>(params.integer("jobs"));
  } else {
    s.slurm = SlurmSettings::from(params);
  }
  return s;
}

void create_folder(const fs::path& dir, std::string_view what, std::string_view key) {
  // The nearest part of the path that exists must be a folder: name it when it is not.
  for (auto p = dir; !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    const auto status = fs::status(p, ec);
    if (status.type() == fs::file_type::not_found) {
      if (p == p.parent_path()) break;
      continue;
    }
    if (!fs::is_directory(status))
      fail("cannot use {} as the {}: {} is {}, not a folder; choose another {}", dir.string(), what, p.string(),
           fs::is_regular_file(status) ? "a file" : "not a folder", key);
    break;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create the {} {}: {}; choose another {}", what, dir.string(), ec.message(), key);
}

std::string job_status(const fs::path& job_dir) {
  if (RunFolder::is_complete(job_dir)) return "COMPLETED";
  if (fs::exists(job_dir / "error.txt")) return "FAILED";
  if (fs::exists(job_dir / "run.log")) return "RUNNING";
  return "PENDING";
}

void write_multirun_yaml(const fs::path& sweep_dir, const std::vector<std::string>& command_line,
                         const std::vector<fs::path>& config_dirs, const SweepSettings& settings,
                         const std::vector<SweepJob>& jobs) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "command_line" << YAML::Value << YAML::Flow;
  out << YAML::BeginSeq;
  for (const auto& word : command_line) out << redact_salts(word, jobs);
  out << YAML::EndSeq;
  out << YAML::Key << "config_dirs" << YAML::Value << YAML::BeginSeq;
  for (const auto& d : config_dirs) out << d.string();
  out << YAML::EndSeq;
  out << YAML::Key << "launcher" << YAML::Value << settings.launcher;
  out << YAML::Key << "seeds" << YAML::Value << YAML::Flow << settings.seeds;
  out << YAML::Key << "created" << YAML::Value << now_iso8601();
  out << YAML::Key << "git_commit" << YAML::Value << git_commit();
  out << YAML::Key << "jobs" << YAML::Value << YAML::BeginSeq;
  for (const auto& job : jobs) {
    out << YAML::BeginMap << YAML::Key << "index" << YAML::Value << job.index;
    out << YAML::Key << "dir" << YAML::Value << YAML::DoubleQuoted << std::to_string(job.index);
    out << YAML::Key << "overrides" << YAML::Value << YAML::Flow << without_run_dir(job.overrides);
    out << YAML::Key << "swept" << YAML::Value << YAML::Flow << job.swept;
    if (!job.config_hash.empty()) out << YAML::Key << "config_hash" << YAML::Value << job.config_hash;
    if (!job.salt.empty() || job.salt_in_private) out << YAML::Key << "salt" << YAML::Value << "private";
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  // A job's override may still hold another job's salt (run.anonymize_salt=a,b): redact the whole text.
  write_file_atomically(sweep_dir / "multirun.yaml", redact_salts(std::string(out.c_str()), jobs) + "\n");
}

MultirunFile read_multirun_yaml(const fs::path& sweep_dir) {
  const auto path = sweep_dir / "multirun.yaml";
  if (!fs::is_regular_file(path))
    fail("{} does not exist: {} is not a sweep folder (tailrec run --multirun writes one)", path.string(),
         sweep_dir.string());
  MultirunFile file;
  try {
    const auto root = YAML::LoadFile(path.string());
    file.command_line = root["command_line"].as<std::vector<std::string>>();
    for (const auto& d : root["config_dirs"]) file.config_dirs.emplace_back(d.as<std::string>());
    for (const auto& j : root["jobs"]) {
      SweepJob job;
      job.index = j["index"].as<int>();
      if (job.index < 0) fail("{}: job index {} is negative (was the file edited?)", path.string(), job.index);
      const auto folder = std::to_string(job.index);
      if (j["dir"] && j["dir"].as<std::string>() != folder)
        fail("{}: job {} has dir '{}'; a job's folder is <sweep>/<index> (was the file edited?)", path.string(),
             job.index, j["dir"].as<std::string>());
      // An older file holds run.dir=<the sweep folder when it was written>/<n>: only <n> is kept,
      // so a moved sweep never writes into its old place.
      for (const auto& o : j["overrides"].as<std::vector<std::string>>()) {
        if (!is_run_dir(o)) {
          job.overrides.push_back(o);
          continue;
        }
        const fs::path old_dir(o.substr(o.find('=') + 1));
        if (old_dir.lexically_normal().filename() != folder)
          fail("{}: job {} runs in {}, which is not a job folder <sweep>/{} (was the file edited?)", path.string(),
               job.index, old_dir.string(), folder);
      }
      job.overrides.push_back("run.dir=" + (sweep_dir / folder).string());
      job.swept = j["swept"].as<std::vector<std::string>>();
      if (j["config_hash"]) job.config_hash = j["config_hash"].as<std::string>();
      job.salt_in_private = j["salt"] && j["salt"].as<std::string>() == "private";
      file.jobs.push_back(std::move(job));
    }
  } catch (const YAML::Exception& e) {
    fail("{}:{}: {} (the file is written by tailrec run --multirun; was it edited?)", path.string(), e.mark.line + 1,
         e.msg);
  }
  return file;
}

nlohmann::json sweep_index_line(const fs::path& sweep_dir, const SweepJob& job) {
  const auto dir = sweep_dir / std::to_string(job.index);
  nlohmann::json line = {{"job", job.index},       {"dir", std::to_string(job.index)},
                         {"overrides", without_run_dir(job.overrides)}, {"swept", job.swept},
                         {"status", job_status(dir)}};
  if (line["status"] == "FAILED") {
    std::ifstream in(dir / "error.txt");
    line["error"] = redact_salts(std::string(std::istreambuf_iterator<char>(in), {}), {job});
  }
  if (line["status"] == "COMPLETED") {
    try {
      std::ifstream in(dir / "metrics.json");
      const auto metrics = nlohmann::json::parse(in);
      nlohmann::json values = nlohmann::json::object();
      for (const auto& [label, a] : metrics.at("algorithms").items()) values[label] = a.at("metrics");
      line["metrics"] = values;
      line["wall_seconds"] = metrics.value("wall_seconds", 0.0);
    } catch (const std::exception& e) {
      line["status"] = "FAILED";
      line["error"] = fmt::format("{}: unreadable metrics.json: {}", (dir / "metrics.json").string(), e.what());
    }
  }
  return line;
}

void write_sweep_index(const fs::path& sweep_dir, const std::vector<nlohmann::json>& lines) {
  std::string text;
  for (const auto& line : lines) text += line.dump() + "\n";
  write_file_atomically(sweep_dir / "sweep.jsonl", text);
}

void write_sweep_index(const fs::path& sweep_dir, const std::vector<SweepJob>& jobs) {
  std::vector<nlohmann::json> lines;
  for (const auto& job : jobs) lines.push_back(sweep_index_line(sweep_dir, job));
  write_sweep_index(sweep_dir, lines);
}

}  // namespace tailrec
