#!/usr/bin/env bash
# Crash safety. A run killed with SIGKILL while fitting, while evaluating or while writing a file
# (TAILREC_TEST_PAUSE_AT, framework/util/test_hooks.hpp, holds it at that point) leaves no folder that
# claims completion, and running it again in the same folder gives the metrics of an uninterrupted
# run. A sweep killed mid-way and resumed (--multirun --resume) equals an uninterrupted sweep. A
# full disk (a 200 KiB tmpfs, else a `ulimit -f` file-size limit) fails with an error naming the
# file, and leaves no complete-looking folder.
source "$(dirname "$0")/lib.bash"

ARGS=(algorithms=[most_popular,item_knn] run.threads=1 run.cache=false)
complete() { grep -qs '"status": "complete"' "$1/metrics.json"; }
# Compares the "algorithms" blocks of two metrics.json files, timing keys left out.
same_metrics() {
  python3 - "$1" "$2" <<'PY'
import json, sys
TIMING = {"fit_seconds", "eval_seconds", "peak_rss_mb", "wall_seconds", "started", "finished"}
def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value
a, b = (strip(json.load(open(f))["algorithms"]) for f in sys.argv[1:3])
if a != b:
    print(json.dumps(a, sort_keys=True)[:400], "\n!=\n", json.dumps(b, sort_keys=True)[:400], file=sys.stderr)
sys.exit(a != b)
PY
}
# Starts a command in the background with TAILREC_TEST_PAUSE_AT=$1, waits (at most 120 s) for its
# pause marker on stderr ($2 = the stderr file), then kills it with SIGKILL. Status 0 when killed
# at the marker.
kill_at() {
  local point="$1" err="$2"
  shift 2
  TAILREC_TEST_PAUSE_AT="$point" TAILREC_TEST_PAUSE_SECONDS=120 "$@" >/dev/null 2>"$err" &
  local pid=$!
  for _ in $(seq 1 1200); do
    grep -q "^tailrec-test-pause: " "$err" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  local marked=1
  grep -q "^tailrec-test-pause: " "$err" && marked=0
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return "$marked"
}

"$TAILREC" run "${ARGS[@]}" run.dir="$WORK/reference" >/dev/null 2>&1
complete "$WORK/reference" && ok "uninterrupted reference run" || not_ok "reference run failed"

# fit:item_knn and evaluate:item_knn come after most_popular was fitted and evaluated;
# write:recommendations.tsv is the first result file, write:metrics.json the mark of completion.
for point in fit:item_knn evaluate:item_knn write:recommendations.tsv write:metrics.json; do
  dir="$WORK/killed-${point//[:.]/-}"
  if ! kill_at "$point" "$dir.err" "$TAILREC" run "${ARGS[@]}" run.dir="$dir"; then
    not_ok "$point: no pause marker (is the test_pause call in place?): $(tail -3 "$dir.err")"
    continue
  fi
  if complete "$dir"; then
    not_ok "$point: the killed run's folder claims completion"
    continue
  fi
  case "$point" in
    # framework/util/atomic_file.hpp: the temporary copy of <name> is .<name>.XXXXXXXX.tmp
    write:*) name="${point#write:}"
             leftover="$(find "$dir" -maxdepth 1 -name ".$name.*.tmp" -printf '%f\n' | head -1)"
             [ -n "$leftover" ] && [ ! -e "$dir/$name" ] && ok "$point: killed mid-write: $leftover left, no $name, not complete" \
               || not_ok "$point: expected a half-written .$name.*.tmp and no $name; folder: $(ls -A "$dir")" ;;
    *) [ ! -e "$dir/metrics.json" ] && ok "$point: killed, no metrics.json" || not_ok "$point: metrics.json exists" ;;
  esac
  # Again in the same folder (it is not complete, so no run.overwrite is needed).
  if "$TAILREC" run "${ARGS[@]}" run.dir="$dir" >"$dir.rerun" 2>&1 && complete "$dir" &&
    same_metrics "$WORK/reference/metrics.json" "$dir/metrics.json"; then
    ok "$point: the re-run completes with the uninterrupted run's metrics"
  else
    not_ok "$point: re-run: $(tail -3 "$dir.rerun")"
  fi
done

# run.overwrite=true over a complete folder gives the same metrics again.
"$TAILREC" run "${ARGS[@]}" run.dir="$WORK/reference" run.overwrite=true >/dev/null 2>&1 && complete "$WORK/reference" &&
  same_metrics "$WORK/reference/metrics.json" "$WORK/killed-fit-item_knn/metrics.json" &&
  ok "run.overwrite=true over a complete run: same metrics" || not_ok "run.overwrite=true re-run"

# A sweep of 4 jobs (most_popular, item_knn over 2 seeds) killed while the first item_knn job fits,
# then resumed, equals an uninterrupted sweep job for job.
SWEEP_ARGS=(--multirun 'algorithms=[most_popular],[item_knn]' sweep.seeds=2 run.threads=1 run.cache=false)
"$TAILREC" run "${SWEEP_ARGS[@]}" sweep.dir="$WORK/sweep-ref" >/dev/null 2>&1 || not_ok "uninterrupted sweep failed"
if kill_at fit:item_knn "$WORK/sweep.err" "$TAILREC" run "${SWEEP_ARGS[@]}" sweep.dir="$WORK/sweep"; then
  done_jobs=$({ grep -ls '"status": "complete"' "$WORK"/sweep/*/metrics.json || true; } | wc -l)
  [ "$done_jobs" -lt 4 ] && ok "sweep killed with $done_jobs of 4 jobs complete" || not_ok "sweep: $done_jobs jobs complete after the kill"
  if "$TAILREC" run --multirun --resume "$WORK/sweep" >"$WORK/resume.out" 2>&1; then
    equal=0
    for ref in "$WORK"/sweep-ref/*/metrics.json; do
      job="$(basename "$(dirname "$ref")")"
      complete "$WORK/sweep/$job" && same_metrics "$ref" "$WORK/sweep/$job/metrics.json" && equal=$((equal + 1))
    done
    [ "$equal" -eq 4 ] && ok "resumed sweep: 4 jobs, metrics equal to the uninterrupted sweep's" \
      || not_ok "resumed sweep: $equal of 4 jobs equal"
  else
    not_ok "resume failed: $(tail -3 "$WORK/resume.out")"
  fi
else
  not_ok "sweep: no pause marker: $(tail -3 "$WORK/sweep.err")"
fi

# A full disk: a 200 KiB tmpfs (root), else a 200 KiB file-size limit (write() fails with EFBIG
# once SIGXFSZ is ignored). recommendations.tsv (~12,000 lines) does not fit.
disk="$WORK/disk"
mkdir -p "$disk"
limit=""
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=200k tmpfs "$disk" 2>/dev/null; then
  limit=tmpfs
  trap 'umount "$disk" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  expected="No space left on device"
elif (ulimit -f 200) 2>/dev/null; then
  limit=ulimit
  expected="File too large"
fi
if [ -z "$limit" ]; then
  echo "# skipped the full-disk check: no tmpfs mount (not root) and no ulimit -f"
else
  status=0
  out="$( (trap '' XFSZ; [ "$limit" = ulimit ] && ulimit -f 200; exec "$TAILREC" run "${ARGS[@]}" run.dir="$disk/run") 2>&1)" || status=$?
  if [ "$status" -ge 1 ] && [ "$status" -le 127 ] && grep -q "error: .*recommendations.tsv.*$expected" <<<"$out" &&
    ! complete "$disk/run" && [ -z "$(find "$disk/run" -name '*.tmp')" ]; then
    ok "full disk ($limit): exit $status, '$(grep 'error:' <<<"$out" | head -1)', no complete folder, no .tmp left"
  else
    not_ok "full disk ($limit): exit $status; output: $(tail -3 <<<"$out"); folder: $(ls "$disk/run" 2>&1)"
  fi
  [ "$limit" = tmpfs ] && umount "$disk"
fi
finish
