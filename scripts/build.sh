#!/usr/bin/env bash
# Configures and builds tailrec in build/ (Release, Ninja). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAILREC_WERROR=ON "$@" >/dev/null
cmake --build build --parallel "$(nproc)"
