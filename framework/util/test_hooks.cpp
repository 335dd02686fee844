#include "framework/util/test_hooks.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <fmt/format.h>

namespace tailrec {

void test_pause(std::string_view point, std::string_view detail) {
  const char* wanted = std::getenv("TAILREC_TEST_PAUSE_AT");
  if (wanted == nullptr || *wanted == '\0') return;
  const std::string_view spec(wanted);
  const auto colon = spec.find(':');
  if (spec.substr(0, colon) != point) return;
  if (colon != std::string_view::npos && spec.substr(colon + 1) != detail) return;
  double seconds = 30;
  if (const char* text = std::getenv("TAILREC_TEST_PAUSE_SECONDS")) seconds = std::atof(text);
  fmt::print(stderr, "tailrec-test-pause: {} {}\n", point, detail);
  std::fflush(stderr);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

}  // namespace tailrec
