#!/usr/bin/env bash
# tailrec run --multirun: a 3x2 sweep over 2 seeds (12 jobs) on the embedded dataset, interrupted
# with Ctrl-C (SIGINT) half-way and resumed, ends with 12 complete, distinct job folders; the jobs
# finished before the interruption are not run again. Also: sweep grammar errors, a failed job is
# recorded and the sweep goes on, a finished sweep cannot be started twice, a sweep in use is locked
# against a second --resume, a moved sweep resumes in its new place, the salt is in no file of it.
source "$(dirname "$0")/lib.bash"

# Sweeps live outside $WORK, which expect_error keeps free of complete runs.
OUT="$(mktemp -d)"
trap 'rm -rf "$WORK" "$OUT"' EXIT
SWEEP="$OUT/sweep"
count_complete() { { find "$SWEEP" -mindepth 2 -maxdepth 2 -name metrics.json 2>/dev/null || true; } | wc -l; }
"$TAILREC" run --multirun 'algorithms=[most_popular],[item_knn],[user_knn]' metrics.k=5,10 sweep.seeds=2 \
  "sweep.dir=$SWEEP" run.threads=1 >"$WORK/first.out" 2>&1 &
pid=$!
# Interrupt once 5 jobs are complete (the item_knn jobs take a few seconds each).
for _ in $(seq 1 600); do
  done_jobs=$(count_complete)
  [ "$done_jobs" -ge 5 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -INT "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
before=$(count_complete)
if [ "$status" -ne 0 ] && [ "$before" -ge 5 ] && [ "$before" -lt 12 ] && grep -q "resume with\|--resume" "$WORK/first.out"; then
  ok "interrupted sweep: exit $status, $before of 12 jobs complete, resume hint printed"
else
  not_ok "interrupted sweep: exit $status, $before complete; output: $(cat "$WORK/first.out")"
fi
[ "$(wc -l <"$SWEEP/sweep.jsonl")" -eq 12 ] && ok "sweep.jsonl lists the 12 jobs after the interruption" \
  || not_ok "sweep.jsonl: $(wc -l <"$SWEEP/sweep.jsonl") lines"
# Fingerprints of the finished jobs: they must not change on resume.
( cd "$SWEEP" && sha256sum */metrics.json >"$WORK/finished.sha" )

if "$TAILREC" run --multirun --resume "$SWEEP" >"$WORK/resume.out" 2>&1; then
  ok "resume exits 0"
else
  not_ok "resume failed: $(cat "$WORK/resume.out")"
fi
ran=$(grep -c "^\[[0-9]*/[0-9]*\] job" "$WORK/resume.out" || true)
[ "$ran" -eq $((12 - before)) ] && ok "resume ran only the $ran unfinished jobs" || not_ok "resume ran $ran jobs, wanted $((12 - before))"
( cd "$SWEEP" && sha256sum -c --quiet "$WORK/finished.sha" ) && ok "finished jobs untouched by the resume" \
  || not_ok "a finished job's metrics.json changed"
complete=$(grep -l '"status": "complete"' "$SWEEP"/*/metrics.json | wc -l)
[ "$complete" -eq 12 ] && ok "12 complete job folders" || not_ok "$complete complete job folders"
# Every job ran exactly once in its folder (one run.log start line) and no error.txt is left.
dup=0
for d in "$SWEEP"/[0-9]*; do
  [ "$(grep -c 'run folder' "$d/run.log")" -eq 1 ] || dup=$((dup + 1))
done
[ "$dup" -eq 0 ] && ok "each job's run.log holds one run" || not_ok "$dup job folders hold more than one run"
[ -z "$(find "$SWEEP" -name error.txt)" ] && ok "no error.txt left" || not_ok "error.txt left behind"
# Distinct settings: 12 distinct (algorithm, k, seed) triples, each matching its folder's config.
distinct=$(for d in "$SWEEP"/[0-9]*; do
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(list(m["algorithms"])[0], m["metric_settings"]["k"], m["seed"])' "$d/metrics.json"
done | sort -u | wc -l)
[ "$distinct" -eq 12 ] && ok "12 distinct (algorithm, k, seed) settings" || not_ok "$distinct distinct settings"
completed=$(grep -c '"status":"COMPLETED"' "$SWEEP/sweep.jsonl")
[ "$completed" -eq 12 ] && ok "sweep.jsonl: 12 COMPLETED" || not_ok "sweep.jsonl: $completed COMPLETED"
# Same seed, same numbers: jobs 4 and 6 (item_knn, k 5 and 10, seed 42) share a split; reruns of
# a job in another sweep give identical metrics.
"$TAILREC" run --multirun 'algorithms=[item_knn]' metrics.k=5 run.seed=42 "sweep.dir=$OUT/again" run.threads=2 >/dev/null 2>&1
python3 - "$SWEEP/4/metrics.json" "$OUT/again/0/metrics.json" <<'PY' && ok "a job rerun elsewhere (2 threads) gives the same metrics" || not_ok "rerun differs"
import json, sys
a, b = (json.load(open(p))["algorithms"]["item_knn"]["metrics"] for p in sys.argv[1:])
sys.exit(0 if a == b else 1)
PY

# A finished sweep is not started again over its folder.
expect_error "sweep folder exists" "already exists" -- run --multirun 'algorithms=[most_popular]' "sweep.dir=$SWEEP"
expect_error "run.dir in a sweep" "sweep.dir=PATH" -- run --multirun 'algorithms=[most_popular]' "run.dir=$WORK/x"
expect_error "sweep without --multirun" "add --multirun" -- run 'algorithms=[most_popular],[random]' "run.dir=$WORK/y"
expect_error "empty range" "range is empty" -- run --multirun 'algorithms=[most_popular]' 'run.seed=range(5,1)' "sweep.dir=$WORK/z"
expect_error "bad job is caught before any starts" "sweep job 1" -- run --multirun 'algorithms=[most_popular]' 'metrics.k=5,-1' "sweep.dir=$WORK/v"
[ ! -e "$WORK/v" ] && ok "no sweep folder for an invalid sweep" || not_ok "an invalid sweep left a folder"
expect_error "unknown launcher key" "jbos" -- run --multirun 'algorithms=[most_popular]' '+launcher.jbos=2' "sweep.dir=$WORK/w"

# A job that fails at run time is recorded, the others complete, the exit status says so.
printf 'user,item\nu1,i1\nu1,i2\nu2,i1\nu2,i3\nu3,i2\nu3,i3\nu1,i3\nu2,i2\n' >"$WORK/good.csv"
printf 'user,item\nu1,i1\nu1,i1\n' >"$WORK/dup.csv"
status=0
"$TAILREC" run --multirun dataset=delimited "dataset.path=$WORK/good.csv,$WORK/dup.csv" 'algorithms=[most_popular]' \
  split.ratio=0.4 "sweep.dir=$OUT/failing" >"$WORK/failing.out" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -q '"status":"FAILED"' "$OUT/failing/sweep.jsonl" && grep -q "duplicated" "$OUT/failing/1/error.txt" \
   && [ -f "$OUT/failing/0/metrics.json" ] && [ ! -f "$OUT/failing/1/metrics.json" ]; then
  ok "failed job recorded as FAILED with its error; the other completed; exit 1"
else
  not_ok "failing sweep: exit $status; $(cat "$WORK/failing.out")"
fi
expect_error "sweep.dir is a file" "is a file, not a folder" -- run --multirun 'algorithms=[most_popular]' "sweep.dir=$WORK/good.csv"

# The anonymisation salt, swept and so different per job, is written by no file of the sweep but
# those under private/ (0700), however spelled.
SALTED="$OUT/salted"
salt_leaks() { { grep -rl 'Kq4sweepSalt' "$1" || true; } | grep -v '/private/' || true; }
if "$TAILREC" run --multirun 'algorithms=[most_popular]' run.anonymize_users=true 'run.anonymize_salt =Kq4sweepSaltA,Kq4sweepSaltB' \
     "sweep.dir=$SALTED" >"$WORK/salted.out" 2>&1; then
  kept=$(cat "$SALTED/private/0.salt" "$SALTED/1/private/anonymization_salt")
  if [ -z "$(salt_leaks "$SALTED")" ] && [ "$kept" = "Kq4sweepSaltAKq4sweepSaltB" ] && [ "$(stat -c %a "$SALTED/private")" = 700 ] \
     && [ "$(stat -c %a "$SALTED/private/1.salt")" = 600 ]; then
    ok "the salt is in no file of the sweep outside private/ (0700), and each job ran with its own"
  else
    not_ok "salt: in clear in: $(salt_leaks "$SALTED"); private holds '$kept'"
  fi
else
  not_ok "salted sweep failed: $(cat "$WORK/salted.out")"
fi

# A sweep in use is locked: a second --resume of it is refused while the first runs (it would
# empty the first one's job folders), naming the holder; nothing of the first is deleted.
rm -f "$SALTED/1/metrics.json"
TAILREC_TEST_PAUSE_AT=fit:most_popular TAILREC_TEST_PAUSE_SECONDS=30 \
  "$TAILREC" run --multirun --resume "$SALTED" >"$WORK/holder.out" 2>&1 &
holder=$!
for _ in $(seq 1 100); do grep -q tailrec-test-pause "$WORK/holder.out" && break; sleep 0.1; done
status=0
"$TAILREC" run --multirun --resume "$SALTED" >"$WORK/second.out" 2>&1 || status=$?
if [ "$status" -eq 1 ] && grep -qF "error: sweep folder $SALTED is in use by pid $holder on host " "$WORK/second.out" \
   && [ -f "$SALTED/1/run.log" ] && [ -f "$SALTED/0/metrics.json" ]; then
  ok "a second resume of a sweep in use is refused, naming the holder's pid; nothing deleted"
else
  not_ok "second resume: exit $status; $(cat "$WORK/second.out"); $(ls "$SALTED/1")"
fi
kill -TERM "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
[ ! -e "$SALTED/.tailrec.lock" ] && ok "an interrupted sweep leaves no lock file" || not_ok "lock file left: $(cat "$SALTED/.tailrec.lock")"

# A moved sweep resumes in its new place (its job's salt read back from private/); whatever now
# sits at the old path is left alone.
MOVED="$OUT/moved"
mv "$SALTED" "$MOVED"
mkdir -p "$SALTED/1" && echo decoy >"$SALTED/1/decoy.txt"
if "$TAILREC" run --multirun --resume "$MOVED" >"$WORK/moved.out" 2>&1 \
   && grep -q '"status": "complete"' "$MOVED/1/metrics.json" && grep -qF "run folder $MOVED/1" "$MOVED/1/run.log" \
   && [ "$(cat "$MOVED/1/private/anonymization_salt")" = Kq4sweepSaltB ] && [ -z "$(salt_leaks "$MOVED")" ] \
   && [ "$(ls -A "$SALTED/1")" = decoy.txt ] && [ "$(ls -A "$SALTED")" = 1 ]; then
  ok "a moved sweep resumes in its new folder with its salt; the old path is untouched"
else
  not_ok "moved sweep: $(cat "$WORK/moved.out"); leaks: $(salt_leaks "$MOVED"); old path holds: $(ls -AR "$SALTED")"
fi
finish
