#!/usr/bin/env bash
# Sets up, builds and runs the default experiment on the embedded dataset (ml-latest-small),
# printing its results table. Extra arguments are overrides, e.g. algorithms=[most_popular].
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/experiments/tailrec run "$@"
