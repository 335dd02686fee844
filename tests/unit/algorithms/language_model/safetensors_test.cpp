// The strict safetensors reader: a valid file (written here, and the shared fixture) reads back
// exactly; every kind of corrupt or hostile file is a tailrec::Error that names the file and the
// problem, never a crash or an out-of-bounds read. Also checks the tests' own F16/BF16 rounding
// against values from Python's struct module ('e' format) and hand-derived BF16 bit patterns.
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "algorithms/language_model/safetensors.hpp"
#include "framework/util/error.hpp"
#include "unit/algorithms/bert_test_support.hpp"

namespace tailrec {
namespace {

using testing::safetensors_bytes;
using testing::TempDir;
using testing::write_file;

std::string floats(std::vector<float> values) {
  std::string bytes(values.size() * 4, '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

TEST(Safetensors, ReadsValidFilesExactly) {
  TempDir dir;
  testing::RawTensors tensors;
  tensors["b.weight"] = {"F32", {2, 3}, floats({1, 2, 3, 4, 5, -6.5f})};
  tensors["a.ids"] = {"I64", {2}, std::string("\x07\0\0\0\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 16)};
  tensors["c.empty"] = {"F32", {0, 4}, ""};
  const auto path = dir / "model.safetensors";
  write_file(path, safetensors_bytes(tensors));

  const auto file = SafetensorsFile::open(path);
  ASSERT_EQ(file.tensors().size(), 3u);
  EXPECT_EQ(file.tensors()[0].name, "a.ids");  // sorted by name
  EXPECT_EQ(file.tensors()[2].name, "c.empty");
  const auto* weight = file.find("b.weight");
  ASSERT_NE(weight, nullptr);
  EXPECT_EQ(weight->dtype, "F32");
  EXPECT_EQ(weight->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(weight->numel(), 6);
  const auto data = file.data(*weight);
  ASSERT_EQ(data.size(), 24u);
  float last;
  std::memcpy(&last, data.data() + 20, 4);
  EXPECT_EQ(last, -6.5f);
  const auto* ids = file.find("a.ids");
  int64_t second;
  std::memcpy(&second, file.data(*ids).data() + 8, 8);
  EXPECT_EQ(second, -1);
  EXPECT_EQ(file.find("c.empty")->numel(), 0);
  EXPECT_TRUE(file.data(*file.find("c.empty")).empty());
  EXPECT_EQ(file.find("missing"), nullptr);
  EXPECT_EQ(file.metadata().at("format"), "pt");

  // A moved-from file gives its mapping away intact.
  auto moved = SafetensorsFile::open(path);
  SafetensorsFile other = std::move(moved);
  EXPECT_EQ(other.find("b.weight")->numel(), 6);

  EXPECT_EQ(safetensors_dtype_size("BF16"), 2u);
  EXPECT_EQ(safetensors_dtype_size("I64"), 8u);
  EXPECT_EQ(safetensors_dtype_size("F4"), 0u);

  if (testing::bert_fixture_present()) {
    const auto fixture = SafetensorsFile::open(testing::bert_fixture_dir() / "model.safetensors");
    EXPECT_EQ(fixture.tensors().size(), 39u);  // 5 embedding + 2 x 16 layer + 2 pooler tensors
    const auto* words = fixture.find("embeddings.word_embeddings.weight");
    ASSERT_NE(words, nullptr);
    EXPECT_EQ(words->shape, (std::vector<int64_t>{30522, 32}));
    EXPECT_EQ(fixture.data(*words).size(), 30522u * 32u * 4u);
  }

  // The tests' own half-precision rounding (used to write F16/BF16 copies of the fixture).
  const std::vector<std::pair<float, uint16_t>> f16 = {
      {1.0f, 0x3c00},           {65504.0f, 0x7bff},       {65519.0f, 0x7bff},     {65520.0f, 0x7c00},
      {5.9604645e-08f, 0x0001}, {4.4703484e-08f, 0x0001}, {1.0f / 3, 0x3555},     {-2.0f, 0xc000},
      {0.1f, 0x2e66},           {6.1e-05f, 0x03ff},       {6.109476e-05f, 0x0401}};
  for (const auto& [value, bits] : f16) EXPECT_EQ(testing::float_to_f16(value), bits) << value;
  for (const auto& [bits, value] : std::vector<std::pair<uint16_t, float>>{
           {0x3c00, 1.0f}, {0x7bff, 65504.0f}, {0x0001, 5.9604645e-08f}, {0xc000, -2.0f}, {0x0401, 6.109476e-05f}})
    EXPECT_EQ(testing::f16_to_float(bits), value) << bits;
  EXPECT_EQ(testing::float_to_bf16(1.0f / 3), 0x3eab);  // 0x3eaaaaab rounds up
  EXPECT_EQ(testing::float_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(testing::bf16_to_float(0x3eab), 0.333984375f);
}

TEST(Safetensors, RejectsCorruptAndHostileFilesWithClearErrors) {
  TempDir dir;
  const std::string eight_floats = floats({1, 2, 3, 4, 5, 6, 7, 8});
  struct Case {
    std::string name;
    std::string bytes;
    std::string expected;  // a part of the message
  };
  const auto header_only_length = [](uint64_t length, const std::string& rest) {
    std::string out(8, '\0');
    std::memcpy(out.data(), &length, 8);
    return out + rest;
  };
  const std::vector<Case> cases = {
      {"empty", "", "too short for the 8-byte header length"},
      {"truncated", "abc", "3 bytes, too short"},
      {"header_past_end", header_only_length(1000, "{\"a\": 1}  "), "says 1000 bytes, but only 10 bytes follow"},
      {"not_json", safetensors_bytes("{not json", ""), "header is not a JSON object"},
      {"json_array", safetensors_bytes("[1, 2]", ""), "header is not a JSON object"},
      {"offsets_outside",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}})",
                         eight_floats.substr(0, 16)),
       "tensor \"w\": data_offsets [0, 32] reach past the data section (16 bytes)"},
      {"overlap",
       safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                            "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})",
                         eight_floats),
       "tensors \"a\" [0, 16] and \"b\" [8, 24] overlap"},
      {"unknown_dtype",
       safetensors_bytes(R"({"w": {"dtype": "F128", "shape": [2], "data_offsets": [0, 32]}})", eight_floats),
       "tensor \"w\": unknown dtype \"F128\""},
      {"byte_length",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", eight_floats),
       "data_offsets [0, 8] hold 8 bytes, but shape [3] of F32 needs 12 bytes"},
      {"negative_shape",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", eight_floats),
       "tensor \"w\": shape entry 0 is a negative number or fraction"},
      {"string_shape",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 8]}})", eight_floats),
       "shape entry 0 is a string"},
      {"overflowing_shape",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 8]}})",
                         eight_floats),
       "more elements than fit in 64 bits"},
      {"begin_after_end",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}})", eight_floats),
       "data_offsets [8, 4] has begin > end"},
      {"negative_offset",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}})", eight_floats),
       "\"data_offsets\" must be [begin, end] with non-negative integers"},
      {"missing_offsets", safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [1]}})", eight_floats),
       "\"data_offsets\" must be [begin, end]"},
      {"unknown_key",
       safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "scale": 2}})", eight_floats),
       "unknown key \"scale\""},
      {"metadata_not_string", safetensors_bytes(R"({"__metadata__": {"format": 1}})", ""),
       "\"__metadata__\" value of \"format\" is not a string"},
      {"deep_nesting", safetensors_bytes(std::string(20000, '[') + std::string(20000, ']'), ""),
       "header is not a JSON object"},
  };
  for (const auto& c : cases) {
    const auto path = dir / (c.name + ".safetensors");
    write_file(path, c.bytes);
    try {
      SafetensorsFile::open(path);
      ADD_FAILURE() << c.name << ": no error";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path.string()), std::string::npos) << c.name << ": " << message;
      EXPECT_NE(message.find(c.expected), std::string::npos) << c.name << ": " << message;
    }
  }

  // A header length above the 100 MB limit, in a (sparse) file big enough to hold it.
  const auto huge = dir / "huge_header.safetensors";
  write_file(huge, header_only_length(150ull << 20, ""));
  std::filesystem::resize_file(huge, 200ull << 20);
  EXPECT_THROW(
      {
        try {
          SafetensorsFile::open(huge);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("(limit 104857600)"), std::string::npos) << e.what();
          throw;
        }
      },
      Error);

  // Not a file at all.
  for (const auto& [path, expected] :
       {std::pair{dir / "absent.safetensors", "cannot open"}, std::pair{dir.path(), "not a regular file"}}) {
    try {
      SafetensorsFile::open(path);
      ADD_FAILURE() << path << ": no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }

  // The real fixture cut short: the first tensor that no longer fits is named.
  if (testing::bert_fixture_present()) {
    const auto whole = testing::read_text(testing::bert_fixture_dir() / "model.safetensors");
    const auto cut = dir / "cut.safetensors";
    write_file(cut, whole.substr(0, whole.size() / 2));
    try {
      SafetensorsFile::open(cut);
      ADD_FAILURE() << "truncated fixture: no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("tensor \"embeddings.word_embeddings.weight\": data_offsets"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace tailrec
