#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit + integration + hostile inputs; benchmarks
# are built, not run), then a 20-second libFuzzer smoke run of every parser (docs/fuzzing.md), then
# the unit tests and hostile inputs again in an ASan + UBSan build (scripts/sanitize.sh). The CI
# budget of each stage is in docs/architecture.md ("Sanitizers and the CI budget").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest -j2 --output-on-failure --timeout 900
cd ..
# The parsers' fuzz targets: clang + ASan/UBSan in build-fuzz/, 20 s each from the committed seed
# corpora; non-zero when any finds a crash.
bash scripts/fuzz.sh 20
# A second build, build-asan/, with AddressSanitizer + UndefinedBehaviorSanitizer.
bash scripts/sanitize.sh
