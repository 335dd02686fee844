// The embedding cache file: a round trip is bit-exact, the key depends on every input, and a file
// with a wrong key, a flipped byte anywhere, a cut tail or a foreign header is rejected with a reason.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "algorithms/bert/embedding_cache.hpp"
#include "test_support.hpp"

namespace tailrec {
namespace {

Embeddings sample() {
  Embeddings e;
  e.rows = 3;
  e.dim = 4;
  for (int i = 0; i < 12; ++i) e.values.push_back(0.25f * static_cast<float>(i) - 1.0f / 3.0f);
  return e;
}

TEST(EmbeddingCache, RoundTripIsExact) {
  testing::TempDir dir;
  const std::vector<std::string> texts{"a", "b", ""};
  const auto key = embedding_cache_key("fp", "fusion=concat", texts);
  const auto file = embedding_cache_file(dir.path(), key);
  EXPECT_EQ(file, dir / "embeddings" / (key + ".bin"));
  EXPECT_FALSE(load_embedding_cache(file, key).embeddings);
  EXPECT_EQ(load_embedding_cache(file, key).problem, "");  // absent: no complaint
  save_embedding_cache(file, key, sample());
  const auto back = load_embedding_cache(file, key);
  ASSERT_TRUE(back.embeddings) << back.problem;
  EXPECT_EQ(back.embeddings->rows, 3);
  EXPECT_EQ(back.embeddings->dim, 4);
  EXPECT_EQ(back.embeddings->values, sample().values);
  for (const auto& entry : std::filesystem::directory_iterator(dir / "embeddings"))
    EXPECT_EQ(entry.path().extension(), ".bin") << "temporary file left behind: " << entry.path();
}

TEST(EmbeddingCache, KeyCoversFingerprintRecipeAndEveryText) {
  const std::vector<std::string> texts{"a", "b"};
  const auto key = embedding_cache_key("fp", "r", texts);
  EXPECT_EQ(key.size(), 16u);
  EXPECT_EQ(key, embedding_cache_key("fp", "r", texts));
  EXPECT_NE(key, embedding_cache_key("fp2", "r", texts));
  EXPECT_NE(key, embedding_cache_key("fp", "r2", texts));
  EXPECT_NE(key, embedding_cache_key("fp", "r", std::vector<std::string>{"b", "a"}));
  EXPECT_NE(key, embedding_cache_key("fp", "r", std::vector<std::string>{"ab"}));
}

TEST(EmbeddingCache, DamagedFilesAreRejectedWithAReason) {
  testing::TempDir dir;
  const auto file = dir / "x.bin";
  save_embedding_cache(file, "k", sample());
  const auto size = std::filesystem::file_size(file);
  const auto pristine = testing::read_text(file);
  EXPECT_NE(load_embedding_cache(file, "other").problem.find("holds key k, expected other"), std::string::npos);
  // Flip one bit at every position: each damaged copy must be refused.
  for (size_t at = 0; at < size; ++at) {
    std::string damaged = pristine;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << damaged;
    const auto read = load_embedding_cache(file, "k");
    EXPECT_FALSE(read.embeddings) << "byte " << at;
    EXPECT_FALSE(read.problem.empty()) << "byte " << at;
  }
  for (size_t keep : {size_t{0}, size_t{5}, size_t{30}, size - 1}) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << pristine.substr(0, keep);
    const auto read = load_embedding_cache(file, "k");
    EXPECT_FALSE(read.embeddings) << keep;
    EXPECT_FALSE(read.problem.empty()) << keep;
  }
  std::ofstream(file, std::ios::binary | std::ios::trunc) << pristine << "extra";
  EXPECT_NE(load_embedding_cache(file, "k").problem.find("bytes after its header"), std::string::npos);
}

}  // namespace
}  // namespace tailrec
