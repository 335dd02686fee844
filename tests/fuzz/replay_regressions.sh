#!/usr/bin/env bash
# Replays every committed reproducer of one fuzz target (each once, no fuzzing); a crash fails.
# Usage: replay_regressions.sh FUZZ_BINARY REGRESSION_DIR
set -euo pipefail
binary=$1 dir=$2
shopt -s nullglob
files=("$dir"/*)
if [ ${#files[@]} -eq 0 ]; then
  echo "no reproducers in $dir"
  exit 0
fi
"$binary" -runs=1 "${files[@]}"
