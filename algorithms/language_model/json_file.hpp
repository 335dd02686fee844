#pragma once
// Reading one JSON file of a checkpoint folder (config.json, tokenizer_config.json, modules.json,
// ...), with errors that name the file.
#include <filesystem>

#include <nlohmann/json.hpp>

namespace tailrec {

// The parsed file; an Error "<file>: cannot read the file" or "<file>: not valid JSON (<parser message>)".
nlohmann::json read_json_file(const std::filesystem::path& file);

}  // namespace tailrec
