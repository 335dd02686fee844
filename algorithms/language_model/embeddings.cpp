#include "algorithms/language_model/embeddings.hpp"

#include "framework/util/error.hpp"

namespace tailrec {

Precision parse_precision(const std::string& name) {
  if (name == "fp32") return Precision::F32;
  if (name == "fp16") return Precision::F16;
  if (name == "bf16") return Precision::BF16;
  fail("unknown precision \"{}\" (choices: fp32, fp16, bf16; fp16 and bf16 need cuda)", name);
}

std::string precision_name(Precision precision) {
  switch (precision) {
    case Precision::F32: return "fp32";
    case Precision::F16: return "fp16";
    case Precision::BF16: return "bf16";
  }
  return "fp32";
}

}  // namespace tailrec
