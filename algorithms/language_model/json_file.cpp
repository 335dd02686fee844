#include "algorithms/language_model/json_file.hpp"

#include <fstream>
#include <sstream>

#include "framework/util/error.hpp"

namespace tailrec {

nlohmann::json read_json_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("{}: cannot read the file", file.string());
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number beyond double's range (2e729) is an out_of_range (found by fuzzing).
    fail("{}: not valid JSON ({})", file.string(), e.what());
  }
}

}  // namespace tailrec
