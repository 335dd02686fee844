#pragma once
// A binary cache of item-embedding matrices under <cache dir>/embeddings/<key>.bin, so that a second
// run with the same model and item texts skips the encoder. The key hashes everything the matrix
// depends on (the embedder's fingerprint, how texts were fused, every text in order); the file holds
// the key again, the shape, the float32 values and a trailing checksum, and is written atomically
// (temporary file + rename). A file that fails any check is reported and never trusted.
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "algorithms/bert/text_embedder.hpp"

namespace tailrec {

// 16 hex digits (FNV-1a 64) over the fingerprint, the recipe (fusion settings) and the texts.
std::string embedding_cache_key(const std::string& embedder_fingerprint, const std::string& recipe,
                                std::span<const std::string> texts);
// <cache_dir>/embeddings/<key>.bin
std::filesystem::path embedding_cache_file(const std::filesystem::path& cache_dir, const std::string& key);

// Writes through an AtomicFile (a uniquely named temporary file in the same folder, renamed); throws
// tailrec::Error with the path and the system's reason.
void save_embedding_cache(const std::filesystem::path& file, const std::string& key, const Embeddings& embeddings);

struct EmbeddingCacheRead {
  std::optional<Embeddings> embeddings;  // set when the file exists and passed every check
  std::string problem;                   // why a file that exists was rejected ("" when absent or valid)
};
// Reads `file` and checks magic, version, byte order, key, shape against the size, and checksum.
EmbeddingCacheRead load_embedding_cache(const std::filesystem::path& file, const std::string& key);

}  // namespace tailrec
