#pragma once
// Helpers for the BERT tests: the shared tiny-random-bert fixture and its Hugging Face reference
// outputs, a small safetensors reader/writer (to write converted, renamed and hostile copies at test
// time), and float -> F16/BF16 rounding written out by hand (round to nearest, ties to even).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "algorithms/language_model/bert_tokenizer.hpp"
#include "framework/util/error.hpp"
#include "test_support.hpp"

namespace tailrec::testing {

inline std::filesystem::path bert_fixture_dir() {
  return std::filesystem::path(TAILREC_SHARED_DIR) / "fixtures/bert/tiny-random-bert";
}

inline bool bert_fixture_present() {
  return std::filesystem::is_regular_file(bert_fixture_dir() / "model.safetensors") &&
         std::filesystem::is_regular_file(std::filesystem::path(TAILREC_SHARED_DIR) /
                                          "fixtures/bert/tiny-random-bert-reference.json");
}

#define TAILREC_REQUIRE_BERT_FIXTURE()             \
  if (!::tailrec::testing::bert_fixture_present()) \
  GTEST_SKIP() << "the shared BERT fixture is missing under " << TAILREC_SHARED_DIR

inline nlohmann::json fixture_config() { return nlohmann::json::parse(read_text(bert_fixture_dir() / "config.json")); }

inline const nlohmann::json& bert_reference() {
  static const nlohmann::json reference = nlohmann::json::parse(
      read_text(std::filesystem::path(TAILREC_SHARED_DIR) / "fixtures/bert/tiny-random-bert-reference.json"));
  return reference;
}

// The reference input_ids (already [CLS] ... [SEP], max_length 64) padded into one batch.
inline TokenBatch reference_batch() {
  TokenBatch batch;
  const auto& ids = bert_reference().at("input_ids");
  batch.batch = static_cast<int64_t>(ids.size());
  for (const auto& row : ids) batch.length = std::max<int64_t>(batch.length, static_cast<int64_t>(row.size()));
  for (const auto& row : ids) {
    for (int64_t j = 0; j < batch.length; ++j) {
      const bool real = j < static_cast<int64_t>(row.size());
      batch.input_ids.push_back(real ? row[static_cast<size_t>(j)].get<int64_t>() : 0);
      batch.attention_mask.push_back(real ? 1 : 0);
    }
    batch.lengths.push_back(static_cast<int32_t>(row.size()));
  }
  return batch;
}

// Largest |a - b| over a row-major [rows x dim] output and the reference's list of rows.
inline double max_abs_diff(const std::vector<float>& values, const nlohmann::json& rows) {
  double worst = 0;
  size_t at = 0;
  for (const auto& row : rows)
    for (const auto& v : row) {
      if (at >= values.size()) return 1e30;
      worst = std::max(worst, std::abs(static_cast<double>(values[at++]) - v.get<double>()));
    }
  return at == values.size() ? worst : 1e30;
}

struct RawTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};
using RawTensors = std::map<std::string, RawTensor>;

// A plain reader for files known to be well-formed (the fixture); the code under test is the strict one.
inline RawTensors read_raw_safetensors(const std::filesystem::path& path) {
  const auto text = read_text(path);
  uint64_t header_size = 0;
  std::memcpy(&header_size, text.data(), 8);
  const auto header = nlohmann::json::parse(text.substr(8, header_size));
  RawTensors tensors;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const auto begin = entry["data_offsets"][0].get<size_t>(), end = entry["data_offsets"][1].get<size_t>();
    tensors[name] = {entry["dtype"], entry["shape"].get<std::vector<int64_t>>(),
                     text.substr(8 + header_size + begin, end - begin)};
  }
  return tensors;
}

// Header + data, tensors laid out back to back in name order.
inline std::string safetensors_bytes(const RawTensors& tensors) {
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"format", "pt"}};
  std::string data;
  for (const auto& [name, t] : tensors) {
    header[name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  auto text = header.dump();
  while (text.size() % 8) text += ' ';  // the format's alignment padding
  const uint64_t size = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &size, 8);
  return out + text + data;
}

// A header (any text) + data, for hostile files.
inline std::string safetensors_bytes(const std::string& header, const std::string& data) {
  const uint64_t size = header.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &size, 8);
  return out + header + data;
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Copies the fixture's config and tokenizer files (and, unless told otherwise, its weights) into `dir`.
inline void copy_bert_fixture(const std::filesystem::path& dir, bool weights = true) {
  std::filesystem::create_directories(dir);
  for (const char* name : {"config.json", "vocab.txt", "tokenizer_config.json", "tokenizer.json", "model.safetensors"})
    if (weights || std::string(name) != "model.safetensors")
      std::filesystem::copy_file(bert_fixture_dir() / name, dir / name);
}

inline uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;  // NaN
  x += 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

inline float bf16_to_float(uint16_t h) {
  const uint32_t x = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

// v >> s rounded to nearest, ties to even (1 <= s <= 31).
inline uint32_t shift_round_even(uint32_t v, int s) {
  const uint32_t q = v >> s, rest = v & ((1u << s) - 1), half = 1u << (s - 1);
  return q + ((rest > half || (rest == half && (q & 1u))) ? 1u : 0u);
}

inline uint16_t float_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  x &= 0x7fffffffu;
  if (x > 0x7f800000u) return sign | 0x7e00;   // NaN
  if (x >= 0x477ff000u) return sign | 0x7c00;  // >= 65520 rounds to infinity
  if (x <= 0x33000000u) return sign;           // <= 2^-25 rounds to zero
  const int exponent = static_cast<int>(x >> 23);
  const uint32_t mantissa = (x & 0x7fffffu) | 0x800000u;
  if (exponent < 113)  // a subnormal half: k * 2^-24 with k = mantissa * 2^(exponent - 126)
    return sign | static_cast<uint16_t>(shift_round_even(mantissa, 126 - exponent));
  // A carry out of the mantissa correctly bumps the exponent.
  return sign | static_cast<uint16_t>((static_cast<uint32_t>(exponent - 112) << 10) +
                                      shift_round_even(mantissa & 0x7fffffu, 13));
}

inline float f16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const int exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), exponent - 25);
  uint32_t bits;
  std::memcpy(&bits, &magnitude, 4);
  bits |= sign;
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

// Every F32 tensor converted to `dtype` ("F16" or "BF16"); with `back_to_f32`, converted and
// widened back (the exact values a converted file holds, as F32).
inline RawTensors convert_tensors(const RawTensors& tensors, const std::string& dtype, bool back_to_f32) {
  RawTensors out;
  for (const auto& [name, t] : tensors) {
    const size_t n = t.bytes.size() / 4;
    RawTensor converted{back_to_f32 ? "F32" : dtype, t.shape, std::string(n * (back_to_f32 ? 4 : 2), '\0')};
    for (size_t i = 0; i < n; ++i) {
      float f;
      std::memcpy(&f, t.bytes.data() + 4 * i, 4);
      const uint16_t h = dtype == "F16" ? float_to_f16(f) : float_to_bf16(f);
      if (back_to_f32) {
        const float wide = dtype == "F16" ? f16_to_float(h) : bf16_to_float(h);
        std::memcpy(converted.bytes.data() + 4 * i, &wide, 4);
      } else {
        std::memcpy(converted.bytes.data() + 2 * i, &h, 2);
      }
    }
    out[name] = std::move(converted);
  }
  return out;
}

inline void write_json(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file(path, value.dump(2));
}

// The Pooling module config of sentence-transformers with one mode on ("mean_tokens", "cls_token", ...).
inline nlohmann::json pooling_config(const std::string& mode) {
  nlohmann::json config = {{"word_embedding_dimension", 32},
                           {"pooling_mode_cls_token", false},
                           {"pooling_mode_mean_tokens", false},
                           {"pooling_mode_max_tokens", false},
                           {"pooling_mode_mean_sqrt_len_tokens", false},
                           {"pooling_mode_weightedmean_tokens", false},
                           {"pooling_mode_lasttoken", false},
                           {"include_prompt", true}};
  config["pooling_mode_" + mode] = true;
  return config;
}

// A sentence-transformers folder: the model files at `transformer_path` ("" = the top), a Pooling
// module in 1_Pooling, optionally a Normalize module.
inline void write_sentence_transformers(
    const std::filesystem::path& root, const std::string& transformer_path, const nlohmann::json& pooling,
    bool normalize, const std::string& transformer_type = "sentence_transformers.models.Transformer") {
  copy_bert_fixture(transformer_path.empty() ? root : root / transformer_path, /*weights=*/true);
  nlohmann::json modules = nlohmann::json::array();
  modules.push_back({{"idx", 0}, {"name", "0"}, {"path", transformer_path}, {"type", transformer_type}});
  modules.push_back(
      {{"idx", 1}, {"name", "1"}, {"path", "1_Pooling"}, {"type", "sentence_transformers.models.Pooling"}});
  if (normalize)
    modules.push_back(
        {{"idx", 2}, {"name", "2"}, {"path", "2_Normalize"}, {"type", "sentence_transformers.models.Normalize"}});
  write_json(root / "modules.json", modules);
  write_json(root / "1_Pooling/config.json", pooling);
  write_json((transformer_path.empty() ? root : root / transformer_path) / "sentence_bert_config.json",
             {{"max_seq_length", 64}, {"do_lower_case", false}});
}

}  // namespace tailrec::testing
