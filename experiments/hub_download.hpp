#pragma once
// A small Hugging Face hub client for `tailrec model fetch`: the files a BERT checkpoint folder needs,
// fetched from <endpoint>/<repo>/resolve/<revision>/<file> with datasets/download.hpp (resumable
// through .part files), each checked against the checksum the hub publishes in its ETag: the git
// blob sha1 for files kept in git, the sha256 (X-Linked-Etag) for files kept in LFS.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "datasets/download.hpp"

namespace tailrec {

// $TAILREC_HF_ENDPOINT, else https://huggingface.co; without a trailing '/'.
std::string hub_endpoint();

// "name" or "owner/name" of letters, digits, '-', '_' and '.' (no "..", no leading '.' or '-');
// the error shows the expected form.
void check_repo_id(const std::string& repo_id);

// <endpoint>/<repo_id>/resolve/<revision>/<file>, the revision and each path segment percent-encoded
// (so that a revision such as refs/pr/1 stays one segment, as the hub expects).
std::string hub_file_url(std::string_view endpoint, std::string_view repo_id, std::string_view revision,
                         std::string_view file);

// model_root_dir()/<owner>--<name> (algorithms/bert/model_location.hpp, where `model:` parameters
// look), with "@<revision>" appended ('/' written as "--") when the revision is not "main", so that
// two revisions never mix their files in one folder.
std::filesystem::path default_model_dir(const std::string& repo_id, const std::string& revision);

// What an ETag says about a file's content: 64 hex digits are a sha256, 40 a git blob sha1, anything
// else (a CDN's own tag) nothing. A weak-tag "W/" prefix and the quotes are ignored.
struct ContentChecksum {
  enum class Kind { None, GitSha1, Sha256 };
  Kind kind = Kind::None;
  std::string hex;  // lower case
};
ContentChecksum checksum_from_etag(std::string_view etag);
// "sha256", "git sha1" or "none".
std::string checksum_name(ContentChecksum::Kind kind);
// The file's digest of that kind ("" for Kind::None).
std::string file_checksum(const std::filesystem::path& file, ContentChecksum::Kind kind);

// The config files of a sentence-transformers folder's modules: "<path>/config.json" for each entry
// of modules.json with a non-empty path (the Transformer module usually has none). Paths that are
// absolute or leave the folder are refused.
std::vector<std::string> module_config_files(const std::filesystem::path& modules_json);

// Writes vocab.txt (one token per line, line number = id) from a tokenizer.json whose model is
// WordPiece, for repositories that ship only tokenizer.json. Returns the number of tokens.
int64_t write_vocab_from_tokenizer_json(const std::filesystem::path& tokenizer_json,
                                        const std::filesystem::path& vocab_txt);

// "512 B", "1.5 KiB", "3.2 MiB", "1.25 GiB".
std::string human_bytes(uint64_t bytes);

struct HubFetchOptions {
  std::string repo_id;
  std::string revision = "main";
  std::filesystem::path dir;  // the model folder the files land in
  std::string endpoint;       // empty: hub_endpoint()
  std::string token;          // sent as "Authorization: Bearer <token>" when not empty (HF_TOKEN)
  FetchProgress progress;     // stage = the file's path in the repository
  std::function<void(const std::string& line)> note;  // one line per file: what was done
};

struct HubFile {
  enum class State { Downloaded, UpToDate, Absent, Derived };
  std::string path;
  State state = State::Absent;
  uint64_t bytes = 0;
  ContentChecksum::Kind checked = ContentChecksum::Kind::None;  // how its content was verified
};

struct HubFetchResult {
  std::string commit;  // X-Repo-Commit, when the hub sent one
  std::vector<HubFile> files;
};

// Fetches the checkpoint folder of `repo_id` at `revision`:
//   required: config.json, model.safetensors, vocab.txt (or, without it, tokenizer.json with a
//             WordPiece model, from which vocab.txt is written);
//   optional (HTTP 404 = skipped): tokenizer_config.json, tokenizer.json, special_tokens_map.json,
//             modules.json, sentence_bert_config.json, config_sentence_transformers.json,
//             1_Pooling/config.json and the config.json of every module listed in modules.json.
// A file already in the folder whose checksum matches the hub's is kept; others are downloaded via
// <file>.part (a partial .part is resumed) and renamed only after the checksum matched. A checksum
// mismatch removes the .part and is an Error naming the file, the expected and the actual digest.
// Without model.safetensors the error says why (pytorch_model.bin only, or a sharded checkpoint).
// HTTP 401/403 errors explain gated/private repositories and HF_TOKEN.
HubFetchResult fetch_hub_model(const HubFetchOptions& options);

}  // namespace tailrec
