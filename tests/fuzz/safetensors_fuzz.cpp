// libFuzzer target: the safetensors reader (header length, JSON header, dtypes, shapes, offsets).
// Input: the whole file. Every accepted tensor's bytes are read, so a view outside the mapping is
// an ASan report.
#include <cstddef>

#include "algorithms/language_model/safetensors.hpp"
#include "framework/util/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = tailrec::fuzz::scratch_dir() / "model.safetensors";
  tailrec::fuzz::write_file(path, tailrec::fuzz::as_text(data, size));
  try {
    const auto file = tailrec::SafetensorsFile::open(path);
    unsigned sum = 0;
    for (const auto& tensor : file.tensors()) {
      const auto bytes = file.data(tensor);
      const auto expected = static_cast<uint64_t>(tensor.numel()) * tailrec::safetensors_dtype_size(tensor.dtype);
      if (bytes.size() != tensor.end - tensor.begin || bytes.size() != expected) __builtin_trap();
      for (std::byte b : bytes) sum += static_cast<unsigned>(b);
      if (file.find(tensor.name) != &tensor) __builtin_trap();
    }
    for (const auto& [key, value] : file.metadata()) sum += static_cast<unsigned>(key.size() + value.size());
    (void)sum;
  } catch (const tailrec::Error&) {
    // A user error with a message: the expected outcome for bad input.
  }
  return 0;
}
