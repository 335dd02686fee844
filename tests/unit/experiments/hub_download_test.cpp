// The Hugging Face hub client's pure parts: URLs, repository ids, ETag -> checksum, the git blob
// sha1, default folders, modules.json and vocab.txt from tokenizer.json. The downloads themselves
// run against a local hub stand-in in tests/integration/model_fetch.sh.
#include "experiments/hub_download.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(HubDownload, FileUrlsEscapeTheRevisionAsOneSegment) {
  EXPECT_EQ(hub_file_url("https://huggingface.co", "sentence-transformers/all-MiniLM-L6-v2", "main", "config.json"),
            "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/config.json");
  EXPECT_EQ(hub_file_url("http://127.0.0.1:8080", "bert-base-uncased", "refs/pr/1", "1_Pooling/config.json"),
            "http://127.0.0.1:8080/bert-base-uncased/resolve/refs%2Fpr%2F1/1_Pooling/config.json");
  EXPECT_EQ(hub_file_url("http://h", "o/n", "v1.0", "a b+c.txt"), "http://h/o/n/resolve/v1.0/a%20b%2Bc.txt");
}

TEST(HubDownload, RepositoryIds) {
  for (const char* good : {"bert-base-uncased", "sentence-transformers/all-MiniLM-L6-v2", "Org_1/model.v2"})
    EXPECT_NO_THROW(check_repo_id(good)) << good;
  for (const char* bad : {"", "a/b/c", "../x", "a//b", "a/", "a b/c", ".hidden/x", "o/-n", "o/n..x", "o\\n"}) {
    const auto message = error_of([&] { check_repo_id(bad); });
    EXPECT_NE(message.find("expected owner/name"), std::string::npos) << bad << ": " << message;
  }
}

TEST(HubDownload, EtagsBecomeChecksums) {
  const std::string sha1 = "ce013625030ba8dba906f756967f9e9ca394464a";
  const std::string sha256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  auto git = checksum_from_etag("\"" + sha1 + "\"");
  EXPECT_EQ(git.kind, ContentChecksum::Kind::GitSha1);
  EXPECT_EQ(git.hex, sha1);
  std::string upper = sha256;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto lfs = checksum_from_etag("W/\"" + upper + "\"");
  EXPECT_EQ(lfs.kind, ContentChecksum::Kind::Sha256);
  EXPECT_EQ(lfs.hex, sha256);
  EXPECT_EQ(checksum_from_etag(sha256).kind, ContentChecksum::Kind::Sha256);  // unquoted
  for (const char* other : {"", "\"\"", "\"cdn-0123-1\"", "\"d41d8cd98f00b204e9800998ecf8427e\"",
                            "\"zz13625030ba8dba906f756967f9e9ca394464a\""})
    EXPECT_EQ(checksum_from_etag(other).kind, ContentChecksum::Kind::None) << other;
}

TEST(HubDownload, GitBlobSha1MatchesGitHashObject) {
  testing::TempDir dir;
  // `printf 'hello\n' | git hash-object --stdin` and `printf '' | git hash-object --stdin`.
  EXPECT_EQ(git_blob_sha1_file(dir.write("hello.txt", "hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a");
  EXPECT_EQ(git_blob_sha1_file(dir.write("empty.txt", "")), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  EXPECT_EQ(file_checksum(dir / "hello.txt", ContentChecksum::Kind::GitSha1), "ce013625030ba8dba906f756967f9e9ca394464a");
  EXPECT_EQ(file_checksum(dir / "hello.txt", ContentChecksum::Kind::Sha256),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  EXPECT_EQ(file_checksum(dir / "hello.txt", ContentChecksum::Kind::None), "");
}

TEST(HubDownload, DefaultFoldersAndEndpoint) {
  const char* saved_dir = std::getenv("TAILREC_MODEL_DIR");
  const char* saved_endpoint = std::getenv("TAILREC_HF_ENDPOINT");
  const std::string keep_dir = saved_dir ? saved_dir : "", keep_endpoint = saved_endpoint ? saved_endpoint : "";
  ::setenv("TAILREC_MODEL_DIR", "/models", 1);
  EXPECT_EQ(default_model_dir("owner/name", "main"), std::filesystem::path("/models/owner--name"));
  EXPECT_EQ(default_model_dir("bert-base-uncased", "v1.0"), std::filesystem::path("/models/bert-base-uncased@v1.0"));
  EXPECT_EQ(default_model_dir("o/n", "refs/pr/1"), std::filesystem::path("/models/o--n@refs--pr--1"));
  ::unsetenv("TAILREC_HF_ENDPOINT");
  EXPECT_EQ(hub_endpoint(), "https://huggingface.co");
  ::setenv("TAILREC_HF_ENDPOINT", "http://127.0.0.1:9/", 1);
  EXPECT_EQ(hub_endpoint(), "http://127.0.0.1:9");
  if (saved_dir) ::setenv("TAILREC_MODEL_DIR", keep_dir.c_str(), 1); else ::unsetenv("TAILREC_MODEL_DIR");
  if (saved_endpoint) ::setenv("TAILREC_HF_ENDPOINT", keep_endpoint.c_str(), 1); else ::unsetenv("TAILREC_HF_ENDPOINT");
}

TEST(HubDownload, ModuleConfigFiles) {
  testing::TempDir dir;
  const auto modules = dir.write("modules.json", R"([
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])");
  EXPECT_EQ(module_config_files(modules), (std::vector<std::string>{"1_Pooling/config.json", "2_Normalize/config.json"}));
  for (const char* bad : {"../up", "/abs", "a/../../b"}) {
    const auto file = dir.write("bad.json", std::string(R"([{"path": ")") + bad + R"("}])");
    EXPECT_NE(error_of([&] { module_config_files(file); }).find("leaves the model folder"), std::string::npos) << bad;
  }
  EXPECT_NE(error_of([&] { module_config_files(dir.write("x.json", "{")); }).find("not valid JSON"), std::string::npos);
}

TEST(HubDownload, VocabularyFromTokenizerJson) {
  testing::TempDir dir;
  const auto small = dir.write("tokenizer.json",
                               R"({"model": {"type": "WordPiece", "vocab": {"[PAD]": 0, "b": 2, "a": 1, "##c": 3}}})");
  EXPECT_EQ(write_vocab_from_tokenizer_json(small, dir / "vocab.txt"), 4);
  EXPECT_EQ(testing::read_text(dir / "vocab.txt"), "[PAD]\na\nb\n##c\n");
  const auto gap = dir.write("gap.json", R"({"model": {"type": "WordPiece", "vocab": {"a": 0, "b": 2}}})");
  EXPECT_NE(error_of([&] { write_vocab_from_tokenizer_json(gap, dir / "v2.txt"); }).find("without gaps"), std::string::npos);
  const auto bpe = dir.write("bpe.json", R"({"model": {"type": "BPE", "vocab": {"a": 0}}})");
  EXPECT_NE(error_of([&] { write_vocab_from_tokenizer_json(bpe, dir / "v3.txt"); }).find("is BPE, not a WordPiece"),
            std::string::npos);

  // The fixture's tokenizer.json holds exactly its vocab.txt.
  const auto fixture = testing::shared_dir() / "fixtures/bert/tiny-random-bert";
  if (!std::filesystem::exists(fixture / "tokenizer.json")) GTEST_SKIP() << "no shared fixture";
  EXPECT_EQ(write_vocab_from_tokenizer_json(fixture / "tokenizer.json", dir / "fixture-vocab.txt"), 30522);
  EXPECT_EQ(testing::read_text(dir / "fixture-vocab.txt"), testing::read_text(fixture / "vocab.txt"));
}

}  // namespace
}  // namespace tailrec
