#pragma once
// Test-only pause points. With TAILREC_TEST_PAUSE_AT=<point> (or <point>:<detail>) a run prints
// "tailrec-test-pause: <point> <detail>" on stderr and sleeps (TAILREC_TEST_PAUSE_SECONDS, default
// 30) there, so tests/integration/crash_safety.sh can kill it at a known place instead of guessing
// with timers. Unset, a call costs one getenv.
#include <string_view>

namespace tailrec {

// point: "fit" (an algorithm is about to be fitted; detail = its label), "evaluate" (about to be
// evaluated; detail = its label), "write" (a file's temporary copy is written but not yet renamed;
// detail = the file name, e.g. write:metrics.json).
void test_pause(std::string_view point, std::string_view detail = {});

}  // namespace tailrec
