#!/usr/bin/env bash
# Builds (unless TAILREC_FUZZ_NO_BUILD=1) and runs the libFuzzer targets of tests/fuzz.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 20 seconds, every target)
# Each target starts from its committed seed corpus tests/fuzz/corpus/<target>/, copied into a
# scratch corpus so the committed one stays small; crashes land in $TAILREC_FUZZ_OUT/<target>/.
# Prints one summary line per target and exits non-zero when any target found something.
# Environment: TAILREC_FUZZ_BUILD (build folder, default build-fuzz), TAILREC_FUZZ_OUT (scratch,
# default $TAILREC_FUZZ_BUILD/fuzz-runs), TAILREC_FUZZ_ARGS (extra libFuzzer flags).
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build=${TAILREC_FUZZ_BUILD:-$source_dir/build-fuzz}
out=${TAILREC_FUZZ_OUT:-$build/fuzz-runs}
all_targets=(delimited movielens recbole override config wordpiece safetensors negatives)

seconds=20
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [ ! -d "$source_dir/tests/fuzz/corpus/$t" ]; then
    echo "fuzz.sh: unknown target '$t'; targets: ${all_targets[*]}" >&2
    exit 2
  fi
done

if [ "${TAILREC_FUZZ_NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$build/build.ninja" ]; then
    CC=clang CXX=clang++ cmake -S "$source_dir" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTAILREC_FUZZ=ON -DTAILREC_WERROR=OFF -DTAILREC_BUILD_BENCHMARKS=OFF >/dev/null || exit 1
  fi
  names=()
  for t in "${targets[@]}"; do names+=("${t}_fuzz"); done
  mkdir -p "$out"
  cmake --build "$build" --target "${names[@]}" -j "${TAILREC_FUZZ_JOBS:-2}" >"$out/build.log" 2>&1 || {
    tail -30 "$out/build.log" >&2
    echo "fuzz.sh: build failed (cmake --build $build --target ${names[*]}; log: $out/build.log)" >&2
    exit 1
  }
fi

status=0
for t in "${targets[@]}"; do
  binary=$build/tests/fuzz/${t}_fuzz
  if [ ! -x "$binary" ]; then
    echo "fuzz.sh: $binary is not built" >&2
    status=1
    continue
  fi
  dir=$out/$t
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/crashes"
  cp "$source_dir/tests/fuzz/corpus/$t"/* "$dir/corpus/"
  log=$dir/fuzz.log
  # -rss_limit_mb: ASan's shadow plus the loaders' reserve(); -timeout: a slow input is a finding too.
  # shellcheck disable=SC2086
  "$binary" "$dir/corpus" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$dir/crashes/" ${TAILREC_FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$(find "$dir/crashes" -type f | wc -l)
  if [ $rc -eq 0 ] && [ "$crashes" -eq 0 ]; then
    result=ok
  else
    result="FINDING (exit $rc; $(find "$dir/crashes" -type f | head -3 | tr '\n' ' ')see $log)"
    status=1
  fi
  printf '%-12s %4ss  runs=%-9s exec/s=%-7s cov=%-6s ft=%-6s corpus=%-5s %s\n' "$t" "$seconds" "${runs:-?}" \
    "${speed:-?}" "${cov:-?}" "${ft:-?}" "$(find "$dir/corpus" -type f | wc -l)" "$result"
done
exit $status
