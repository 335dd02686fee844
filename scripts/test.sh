#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit + integration; benchmarks are built, not run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest -j2 --output-on-failure --timeout 900
