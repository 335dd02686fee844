#include "test_support.hpp"

#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

namespace tailrec::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "tailrec-test-XXXXXX").string();
  path_ = ::mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& relative, const std::string& content) const {
  const auto file = path_ / relative;
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
  return file;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

fs::path shared_dir() {
  const fs::path dir = TAILREC_SHARED_DIR;
  return fs::is_directory(dir) ? dir : fs::path();
}

}  // namespace tailrec::testing
