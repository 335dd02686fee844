#include "experiments/hub_download.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "algorithms/bert/model_location.hpp"
#include "algorithms/language_model/json_file.hpp"
#include "framework/util/atomic_file.hpp"
#include "framework/util/error.hpp"
#include "framework/util/owned_folder.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

bool is_hex(std::string_view text) {
  for (char c : text)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return !text.empty();
}

// Percent-encodes everything but RFC 3986 unreserved characters (and '/' when keep_slash).
std::string percent_encode(std::string_view text, bool keep_slash) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/'))
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

// "scheme://host[:port]" of a URL.
std::string origin_of(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

// A relative path inside the model folder: no root, no "..", no empty or "." segments.
bool safe_relative_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string::npos) return false;
  for (const auto& segment : std::filesystem::path(path))
    if (segment == ".." || segment == "." || segment.empty()) return false;
  return path.back() != '/';
}

// Where a file of the repository is and what the hub says about its content.
struct RemoteFile {
  bool exists = false;
  std::string url;  // on the hub (a LFS file redirects from there to its storage)
  ContentChecksum checksum;
  std::string commit;
  std::string error_code;  // X-Error-Code of a 404
};

class Hub {
 public:
  explicit Hub(const HubFetchOptions& options)
      : endpoint_(options.endpoint.empty() ? hub_endpoint() : options.endpoint),
        repo_(options.repo_id),
        revision_(options.revision),
        token_set_(!options.token.empty()) {
    while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
    if (token_set_) headers_.push_back("Authorization: Bearer " + options.token);
  }

  const std::vector<std::string>& headers() const { return headers_; }
  std::string url(const std::string& file) const { return hub_file_url(endpoint_, repo_, revision_, file); }

  // A HEAD request that, like huggingface_hub, follows redirects within the hub (a renamed
  // repository) but stops at a redirect elsewhere (LFS storage), whose hub headers describe the file.
  RemoteFile probe(const std::string& file) const {
    RemoteFile remote;
    remote.url = url(file);
    for (int hop = 0; hop < 8; ++hop) {
      HttpResponse response;
      try {
        response = http_head(remote.url, headers_);
      } catch (const Error& e) {
        fail("{}; is the hub reachable from here? (its address is {}{})", e.what(), endpoint_,
             env("TAILREC_HF_ENDPOINT").empty() ? ", set TAILREC_HF_ENDPOINT to use another" : ", from TAILREC_HF_ENDPOINT");
      }
      const auto location = response.header("location");
      if (response.status >= 300 && response.status < 400 && !location.empty() && location.front() == '/') {
        remote.url = origin_of(remote.url) + location;
        continue;
      }
      if (response.status >= 200 && response.status < 400) {
        remote.exists = true;
        auto etag = response.header("x-linked-etag");
        if (etag.empty()) etag = response.header("etag");
        remote.checksum = checksum_from_etag(etag);
        remote.commit = response.header("x-repo-commit");
        return remote;
      }
      if (response.status == 404) {
        remote.error_code = response.header("x-error-code");
        if (remote.error_code == "RevisionNotFound")
          fail("{}: revision '{}' does not exist (HTTP 404 from {}); check --revision (a branch, tag or commit)", repo_,
               revision_, remote.url);
        if (remote.error_code == "RepositoryNotFound")
          fail("{}: no such repository (HTTP 404 from {}); check the id (owner/name, as on the hub page)", repo_,
               remote.url);
        return remote;
      }
      if (response.status == 401 || response.status == 403) {
        const auto message = response.header("x-error-message");
        fail("{}: access refused (HTTP {} from {}{}): the repository is gated or private, or does not exist. For a gated "
             "model, accept its terms on the hub page, create an access token and set HF_TOKEN=<token> (it is sent "
             "as 'Authorization: Bearer'); {}",
             repo_, response.status, remote.url, message.empty() ? "" : ": " + message,
             token_set_ ? "HF_TOKEN is set but was not accepted for this repository" : "HF_TOKEN is not set");
      }
      fail("{}: unexpected HTTP status {} from {}", repo_, response.status, remote.url);
    }
    fail("{}: too many redirects from {}", repo_, url(file));
  }

 private:
  std::string endpoint_, repo_, revision_;
  bool token_set_;
  std::vector<std::string> headers_;
};

}  // namespace

std::string hub_endpoint() {
  auto endpoint = env("TAILREC_HF_ENDPOINT");
  if (endpoint.empty()) endpoint = "https://huggingface.co";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

void check_repo_id(const std::string& repo_id) {
  const auto parts = split(repo_id, '/');
  bool ok = repo_id.size() <= 200 && (parts.size() == 1 || parts.size() == 2);
  for (const auto& part : parts) {
    if (part.empty() || part.front() == '.' || part.front() == '-' || part.find("..") != std::string::npos) ok = false;
    for (char c : part)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') ok = false;
  }
  if (!ok)
    fail("'{}' is not a Hugging Face repository id; expected owner/name as on the hub page, e.g. "
         "sentence-transformers/all-MiniLM-L6-v2 (letters, digits, '-', '_', '.')",
         repo_id);
}

std::string hub_file_url(std::string_view endpoint, std::string_view repo_id, std::string_view revision,
                         std::string_view file) {
  return fmt::format("{}/{}/resolve/{}/{}", endpoint, repo_id, percent_encode(revision, false),
                     percent_encode(file, true));
}

std::filesystem::path default_model_dir(const std::string& repo_id, const std::string& revision) {
  auto name = model_folder_name(repo_id);
  if (revision != "main") name += "@" + model_folder_name(revision);
  return model_root_dir() / name;
}

std::string human_bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  if (bytes < 1024ull * 1024 * 1024) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024));
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
}

ContentChecksum checksum_from_etag(std::string_view etag) {
  if (etag.substr(0, 2) == "W/") etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  ContentChecksum checksum;
  if (!is_hex(etag) || (etag.size() != 64 && etag.size() != 40)) return checksum;
  checksum.kind = etag.size() == 64 ? ContentChecksum::Kind::Sha256 : ContentChecksum::Kind::GitSha1;
  for (char c : etag) checksum.hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return checksum;
}

std::string checksum_name(ContentChecksum::Kind kind) {
  switch (kind) {
    case ContentChecksum::Kind::Sha256: return "sha256";
    case ContentChecksum::Kind::GitSha1: return "git sha1";
    case ContentChecksum::Kind::None: break;
  }
  return "none";
}

std::string file_checksum(const std::filesystem::path& file, ContentChecksum::Kind kind) {
  switch (kind) {
    case ContentChecksum::Kind::Sha256: return sha256_file(file);
    case ContentChecksum::Kind::GitSha1: return git_blob_sha1_file(file);
    case ContentChecksum::Kind::None: break;
  }
  return "";
}

std::vector<std::string> module_config_files(const std::filesystem::path& modules_json) {
  const auto modules = read_json_file(modules_json);
  if (!modules.is_array()) fail("{}: expected a JSON list of modules ({{idx, name, path, type}})", modules_json.string());
  std::vector<std::string> files;
  for (const auto& module : modules) {
    if (!module.is_object() || !module.contains("path") || !module["path"].is_string()) continue;
    const auto path = module["path"].get<std::string>();
    if (path.empty()) continue;
    if (!safe_relative_path(path))
      fail("{}: module path '{}' is absolute or leaves the model folder; refusing it", modules_json.string(), path);
    files.push_back(path + "/config.json");
  }
  return files;
}

int64_t write_vocab_from_tokenizer_json(const std::filesystem::path& tokenizer_json,
                                        const std::filesystem::path& vocab_txt) {
  const auto tokenizer = read_json_file(tokenizer_json);
  const auto& model = tokenizer.contains("model") ? tokenizer["model"] : nlohmann::json();
  const auto type = model.is_object() && model.contains("type") && model["type"].is_string()
                        ? model["type"].get<std::string>()
                        : std::string("(none)");
  if (type != "WordPiece" || !model.contains("vocab") || !model["vocab"].is_object())
    fail("{}: the tokenizer's model is {}, not a WordPiece vocabulary; tailrec's BERT tokenizer needs vocab.txt "
         "(WordPiece), which this repository lacks",
         tokenizer_json.string(), type);
  std::vector<std::string> tokens(model["vocab"].size());
  std::vector<bool> seen(tokens.size(), false);
  for (const auto& [token, id] : model["vocab"].items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= static_cast<int64_t>(tokens.size()) ||
        seen[id.get<size_t>()])
      fail("{}: model.vocab gives token '{}' the id {}; ids must be 0..{} without gaps or repeats",
           tokenizer_json.string(), token, id.dump(), tokens.size() - 1);
    tokens[id.get<size_t>()] = token;
    seen[id.get<size_t>()] = true;
  }
  for (const auto& token : tokens)
    if (token.find('\n') != std::string::npos)
      fail("{}: a vocabulary token contains a line break; it cannot be written as vocab.txt", tokenizer_json.string());
  AtomicFile out(vocab_txt);
  for (const auto& token : tokens) {
    out.write(token);
    out.write("\n");
  }
  out.commit();
  return static_cast<int64_t>(tokens.size());
}

HubFetchResult fetch_hub_model(const HubFetchOptions& options) {
  check_repo_id(options.repo_id);
  const auto& revision = options.revision;
  if (revision.empty() || revision.find("..") != std::string::npos ||
      revision.find_first_of(" \t\r\n\\?#%") != std::string::npos)
    fail("'{}' is not a revision name; give a branch, tag or commit hash (default: main)", revision);
  const Hub hub(options);
  create_user_folder(options.dir, "the model folder");
  const auto& repo = options.repo_id;
  HubFetchResult result;
  std::set<std::string> done;
  auto note = [&](const std::string& file, const std::string& what) {
    if (options.note) options.note(fmt::format("{:<34} {}", file, what));
  };

  // Returns false for an optional file the repository does not have.
  auto fetch = [&](const std::string& file, bool required) {
    done.insert(file);
    const auto remote = hub.probe(file);
    HubFile outcome{file, HubFile::State::Absent, 0, remote.checksum.kind};
    if (!remote.exists) {
      if (required)
        fail("{}: the required file {} is not in the repository at revision '{}' (HTTP 404 from {})", repo, file,
             revision, remote.url);
      note(file, "not in the repository (optional, skipped)");
      result.files.push_back(outcome);
      return false;
    }
    if (!remote.commit.empty()) result.commit = remote.commit;
    const auto target = options.dir / file;
    const auto kind = remote.checksum.kind;
    std::error_code ec;
    if (std::filesystem::is_regular_file(target, ec)) {
      const auto actual = file_checksum(target, kind);
      if (actual == remote.checksum.hex) {
        outcome.state = HubFile::State::UpToDate;
        outcome.bytes = std::filesystem::file_size(target);
        note(file, kind == ContentChecksum::Kind::None
                       ? fmt::format("present, {} (the hub sent no checksum to compare)", human_bytes(outcome.bytes))
                       : fmt::format("present, {}, {} matches", human_bytes(outcome.bytes), checksum_name(kind)));
        result.files.push_back(outcome);
        return true;
      }
      note(file, fmt::format("present but its {} differs from the hub's ({}): downloading it again",
                             checksum_name(kind), remote.checksum.hex));
    }
    DownloadOptions download;
    download.headers = hub.headers();
    download.check = [&](const std::filesystem::path& part) {
      const auto actual = file_checksum(part, kind);
      if (actual != remote.checksum.hex)
        fail("{}: {} from {} has {} {}, but the hub's ETag says {}; the damaged download was removed and {} was not "
             "written. Run the fetch again; if this repeats, a proxy or the server alters the file",
             repo, file, remote.url, checksum_name(kind), actual, remote.checksum.hex, target.string());
    };
    FetchProgress progress;
    if (options.progress)
      progress = [&](std::string_view, int64_t bytes, int64_t total) { options.progress(file, bytes, total); };
    create_folder_inside(options.dir, target.parent_path());  // module subfolders (1_Pooling/): no planted link
    download_file(remote.url, target, progress, download);
    outcome.state = HubFile::State::Downloaded;
    outcome.bytes = std::filesystem::file_size(target);
    note(file, kind == ContentChecksum::Kind::None
                   ? fmt::format("downloaded, {}, not verified (the hub sent no sha1/sha256 ETag)", human_bytes(outcome.bytes))
                   : fmt::format("downloaded, {}, {} verified", human_bytes(outcome.bytes), checksum_name(kind)));
    result.files.push_back(outcome);
    return true;
  };

  fetch("config.json", true);
  if (!fetch("model.safetensors", false)) {
    if (hub.probe("model.safetensors.index.json").exists)
      fail("{}: the weights are sharded (model.safetensors.index.json + several model-*.safetensors); tailrec reads one "
           "model.safetensors file. Merge them, e.g. in Python: AutoModel.from_pretrained('{}').save_pretrained(DIR, "
           "max_shard_size='100GB')",
           repo, repo);
    if (hub.probe("pytorch_model.bin").exists)
      fail("{}: the repository has only pytorch_model.bin (a pickled PyTorch checkpoint) at revision '{}'; tailrec "
           "reads weights only from model.safetensors (pickles can run code and are never loaded). Look on the hub for "
           "a safetensors conversion (a 'refs/pr/N' revision: --revision refs/pr/N), or convert it in Python: "
           "AutoModel.from_pretrained('{}').save_pretrained(DIR, safe_serialization=True)",
           repo, revision, repo);
    fail("{}: the required file model.safetensors is not in the repository at revision '{}' (HTTP 404 from {})", repo,
         revision, hub.url("model.safetensors"));
  }
  if (!fetch("vocab.txt", false)) {
    done.insert("tokenizer.json");
    if (!hub.probe("tokenizer.json").exists)
      fail("{}: the repository has neither vocab.txt nor tokenizer.json at revision '{}' ({}); the tokenizer needs one "
           "of them",
           repo, revision, hub.url("vocab.txt"));
    fetch("tokenizer.json", true);
    const auto tokens = write_vocab_from_tokenizer_json(options.dir / "tokenizer.json", options.dir / "vocab.txt");
    note("vocab.txt", fmt::format("written from tokenizer.json's WordPiece vocabulary ({} tokens)", tokens));
    result.files.push_back({"vocab.txt", HubFile::State::Derived, std::filesystem::file_size(options.dir / "vocab.txt"),
                            ContentChecksum::Kind::None});
  }
  for (const char* file : {"tokenizer_config.json", "tokenizer.json", "special_tokens_map.json", "modules.json",
                           "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json"})
    if (!done.count(file)) fetch(file, false);
  std::error_code ec;
  if (std::filesystem::is_regular_file(options.dir / "modules.json", ec) &&
      std::any_of(result.files.begin(), result.files.end(),
                  [](const HubFile& f) { return f.path == "modules.json" && f.state != HubFile::State::Absent; }))
    for (const auto& file : module_config_files(options.dir / "modules.json"))
      if (!done.count(file)) fetch(file, false);
  return result;
}

}  // namespace tailrec
