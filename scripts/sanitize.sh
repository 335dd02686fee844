#!/usr/bin/env bash
# The sanitizer stage of the test command (issue G): a second build, build-asan/, of tailrec and the
# unit tests with AddressSanitizer + UndefinedBehaviorSanitizer, then every unit test (one process
# per core, gtest sharding: a process per test, as ctest runs them, spends most of its time loading
# libtorch under ASan) and every hostile input through the instrumented tailrec (ctest -L hostile).
# The integration scripts stay with the plain build. -O1 -g1: cheaper to compile than -O2 -g, with
# line numbers in the reports. Budget and findings: docs/benchmarks.md ("CI budget").
#   bash scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
flags="-O1 -g1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DTAILREC_BUILD_BENCHMARKS=OFF \
  "-DCMAKE_CXX_FLAGS_SANITIZE=$flags" "-DCMAKE_EXE_LINKER_FLAGS_SANITIZE=-fsanitize=address,undefined" >/dev/null
cmake --build build-asan --parallel "$(nproc)" --target tailrec tailrec_unit_tests
# A report aborts the process (exit 134): a hostile case then fails its "exit code 1-127" check
# instead of passing as a clean error. libtorch's own allocations are not ours to judge: leaks off.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:abort_on_error=1:halt_on_error=1
cd build-asan/tests  # where ctest runs the unit tests
shards=$(nproc)
pids=()
for ((k = 0; k < shards; ++k)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$k ./tailrec_unit_tests --gtest_brief=1 >"unit-shard-$k.log" 2>&1 &
  pids+=($!)
done
failed=0
for ((k = 0; k < shards; ++k)); do
  if wait "${pids[$k]}"; then
    tail -n 3 "unit-shard-$k.log"
  else
    echo "unit tests under ASan/UBSan, shard $k of $shards, failed:"; tail -n 60 "unit-shard-$k.log"; failed=1
  fi
done
cd ..
ctest -j"$(nproc)" -L hostile --no-tests=error --output-on-failure --timeout 900 || failed=1
exit $failed
