#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/ and runs
# the suites that parse untrusted files (safetensors, checkpoints, tokenizer files, embedding cache,
# downloads/archives, MIND files). Not part of the test command (a second full build); run it after
# changing a reader. Extra arguments replace the default gtest filter.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
filter="${1:-Safetensors*:BertCheckpoint*:BertEncoder.*:BertTokenizer*:EmbeddingCache*:DatasetsDownload*:Mind*:HubDownload*}"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAILREC_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build build-asan --parallel "$(nproc)" --target tailrec_unit_tests
# libtorch's own allocations are not ours to judge: leaks off, every other report fatal.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  build-asan/tests/tailrec_unit_tests --gtest_filter="$filter"
