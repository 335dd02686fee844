#!/usr/bin/env bash
# tailrec check (docs/check.md): the committed baselines pass; a parameter change beyond tolerance
# fails naming the algorithm and the metric; a protocol change fails naming the hash, the changed key
# and --update; --update on a copy accepts an intended change, after which the copy passes; --init
# writes a baseline that passes; damaged or missing baseline files give errors naming file and key.
source "$(dirname "$0")/lib.bash"
: "${TAILREC_SOURCE:?set TAILREC_SOURCE to the repository root}"
BASELINE="$TAILREC_SOURCE/results/baselines/embedded.yaml"

# run_check NAME -- args...: runs tailrec check, keeps its status in $status and its output in $WORK/NAME.out.
run_check() {
  local name="$1"
  shift 2
  status=0
  "$TAILREC" check "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || status=$?
}

# (1) Every committed baseline passes; run folders are removed afterwards. Two runs at once (--jobs 2)
# must give the same numbers as the baseline's one-at-a-time recording.
before_tmp=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'tailrec-check-*' 2>/dev/null | wc -l)
run_check pass -- --jobs 2
if [ "$status" -eq 0 ] && grep -q "^check: ok" "$WORK/pass.out" && grep -q "baseline embedded (.*): ok" "$WORK/pass.out"; then
  ok "tailrec check passes on the committed baselines ($(grep -o '[0-9]* of [0-9]* metrics.*' "$WORK/pass.out" | head -1))"
else
  not_ok "tailrec check: exit $status; output: $(cat "$WORK/pass.out" "$WORK/pass.err")"
fi
after_tmp=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'tailrec-check-*' 2>/dev/null | wc -l)
[ "$after_tmp" -le "$before_tmp" ] && ok "temporary run folders removed" || not_ok "a tailrec-check-* folder was left in ${TMPDIR:-/tmp}"

# (2) user_knn with k=2 instead of 50 moves its accuracy far beyond tolerance.
run_check knn -- --baseline "$BASELINE" algorithms.user_knn.k=2
if [ "$status" -eq 1 ] && grep -qE "^embedded +user_knn +ndcg@10 .*FAIL" "$WORK/knn.out" \
   && grep -qE "^embedded +user_knn +precision@10 .*FAIL" "$WORK/knn.out" && grep -q "^check: FAIL" "$WORK/knn.out"; then
  ok "k=2 fails with exit 1 naming user_knn ndcg@10 and precision@10"
else
  not_ok "k=2: exit $status; output: $(cat "$WORK/knn.out" "$WORK/knn.err")"
fi
# Only user_knn moved: the other algorithms' rows are not failures (the hybrid has its own user_knn).
if ! grep -E "FAIL" "$WORK/knn.out" | grep -vE "^embedded +user_knn |^check: FAIL|^baseline embedded" | grep -q .; then
  ok "k=2: no other algorithm fails"
else
  not_ok "k=2: other failures: $(grep FAIL "$WORK/knn.out")"
fi
grep -q "note: user_knn: parameter k 50 -> 2" "$WORK/knn.out" && ok "k=2: the parameter change is noted" \
  || not_ok "k=2: no parameter note: $(cat "$WORK/knn.out")"

# (3) A protocol change: a larger test split.
run_check ratio -- --baseline "$BASELINE" split.ratio=0.3
if [ "$status" -eq 1 ] && grep -q "protocol hash changed" "$WORK/ratio.out" \
   && grep -qE "split +split.params.ratio: 0.2 -> 0.3" "$WORK/ratio.out" && grep -q -- "--update" "$WORK/ratio.out"; then
  ok "split.ratio=0.3 fails naming the protocol hash, the changed key and --update"
else
  not_ok "split.ratio=0.3: exit $status; output: $(cat "$WORK/ratio.out" "$WORK/ratio.err")"
fi

# --init: a small new baseline (two cheap algorithms, two seeds) that passes right away; --keep keeps
# the run folders.
run_check init -- --init "$WORK/small.yaml" --seeds 2 'algorithms=[most_popular,user_knn]' metrics.names=[ndcg,coverage] run.threads=1
if [ "$status" -eq 0 ] && grep -q "^seeds: \[42, 43\]$" "$WORK/small.yaml" && grep -q "ndcg@10: {mean:" "$WORK/small.yaml"; then
  ok "--init writes a baseline"
else
  not_ok "--init: exit $status; output: $(cat "$WORK/init.out" "$WORK/init.err")"
fi
cp "$WORK/small.yaml" "$WORK/small.orig"
# Kept runs live outside $WORK, which expect_error keeps free of complete runs.
KEPT="$(mktemp -d)"
trap 'rm -rf "$WORK" "$KEPT"' EXIT
run_check small -- --baseline "$WORK/small.yaml" --keep "$KEPT" --verbose
if [ "$status" -eq 0 ] && [ "$(grep -c "ok (identical)" "$WORK/small.out")" -eq 4 ] \
   && [ "$(find "$KEPT" -name metrics.json | wc -l)" -eq 2 ]; then
  ok "the new baseline passes, 4 identical rows with --verbose, 2 run folders kept"
else
  not_ok "small baseline: exit $status; output: $(cat "$WORK/small.out" "$WORK/small.err")"
fi
expect_error "--init refuses an existing file" "already exists" -- check --init "$WORK/small.yaml" run.threads=1

# (4) An intended change accepted on a copy of the small baseline: the copy's overrides get
# split.ratio=0.3, --update rewrites its measured part (settings kept), and it then passes.
COPY="$WORK/copy.yaml"
cp "$WORK/small.yaml" "$COPY"
sed -i 's/^overrides:$/overrides:\n  - "split.ratio=0.3"/' "$COPY"
run_check refuse -- --baseline "$COPY" --update algorithms.user_knn.k=2
[ "$status" -eq 1 ] && grep -q "update with extra overrides" "$WORK/refuse.err" && ok "--update refuses extra overrides" \
  || not_ok "--update with overrides: exit $status; $(cat "$WORK/refuse.out" "$WORK/refuse.err")"
run_check update -- --baseline "$COPY" --update
if [ "$status" -eq 0 ] && grep -q "updated" "$WORK/update.out" && grep -q "ratio: 0.3" "$COPY" \
   && [ "$(grep -c '^seeds: \[42, 43\]$' "$COPY")" -eq 1 ] && grep -q '"split.ratio=0.3"' "$COPY"; then
  ok "--update rewrites the copy (seeds and overrides kept)"
else
  not_ok "--update: exit $status; output: $(cat "$WORK/update.out" "$WORK/update.err")"
fi
run_check after -- --baseline "$COPY"
[ "$status" -eq 0 ] && grep -q "^check: ok" "$WORK/after.out" && ok "the updated copy passes" \
  || not_ok "after --update: exit $status; output: $(cat "$WORK/after.out" "$WORK/after.err")"
cmp -s "$WORK/small.yaml" "$WORK/small.orig" && ok "--update touched only the copy" || not_ok "the original changed"

# (5) Damaged or missing files: errors name the file, the line and the key.
sed 's/^seeds:/sedes:/' "$WORK/small.yaml" >"$WORK/typo.yaml"
expect_error "misspelt key named with file and line" "typo.yaml:" -- check --baseline "$WORK/typo.yaml"
expect_error "misspelt key: suggestion" "key 'sedes': unknown key (did you mean 'seeds'?)" -- check --baseline "$WORK/typo.yaml"
grep -v '^protocol_hash:' "$WORK/small.yaml" >"$WORK/nohash.yaml"
expect_error "missing key named" "nohash.yaml:" -- check --baseline "$WORK/nohash.yaml"
expect_error "missing key: name and fix" "key 'protocol_hash': missing; regenerate the measured part with: tailrec check --baseline" \
  -- check --baseline "$WORK/nohash.yaml"
sed 's/ratio: 0.2/ratio: 0.25/' "$WORK/small.yaml" >"$WORK/edited.yaml"
expect_error "hand-edited setup detected" "key 'protocol_hash'" -- check --baseline "$WORK/edited.yaml"
sed -E '0,/ndcg@10: \{mean: [0-9.]+/s//ndcg@10: {mean: 0.9/' "$WORK/small.yaml" >"$WORK/mean.yaml"
expect_error "a mean that is not its values' mean" "ndcg@10.mean': 0.9 is not the mean of its values" -- check --baseline "$WORK/mean.yaml"
printf 'name: [\n' >"$WORK/invalid.yaml"
expect_error "invalid YAML" "invalid.yaml:2: not valid YAML" -- check --baseline "$WORK/invalid.yaml"
expect_error "missing file" "baseline $WORK/absent.yaml does not exist" -- check --baseline "$WORK/absent.yaml"
# --update can regenerate a damaged measured part (the settings are intact).
cp "$WORK/nohash.yaml" "$WORK/regen.yaml"
run_check regen -- --baseline "$WORK/regen.yaml" --update
if [ "$status" -eq 0 ] && grep -q "^protocol_hash:" "$WORK/regen.yaml"; then ok "--update regenerates a damaged measured part"
else not_ok "--update on a damaged file: exit $status; $(cat "$WORK/regen.out" "$WORK/regen.err")"; fi
expect_error "sweeping override refused" "sweeps several values" -- check --baseline "$WORK/small.yaml" algorithms.user_knn.k=2,5
expect_error "run.seed refused" "tailrec check sets run.seed itself" -- check --baseline "$WORK/small.yaml" run.seed=7

finish
