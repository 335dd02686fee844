#!/usr/bin/env bash
# tailrec tune: grid and random search on the validation carve-out, then one test run of the best.
source "$(dirname "$0")/lib.bash"
OUT="$(mktemp -d)"
trap 'rm -rf "$WORK" "$OUT"' EXIT

if "$TAILREC" tune 'algorithms=[user_knn]' algorithms.user_knn.k=5,50,400 split.validation=0.1 run.threads=2 \
     --metric ndcg@10 --out "$OUT/grid" >"$OUT/grid.out" 2>&1; then ok "grid tune exits 0"; else not_ok "grid tune: $(cat "$OUT/grid.out")"; fi
[ "$(wc -l <"$OUT/grid/tune.jsonl")" -eq 3 ] && ok "trace: 3 trials" || not_ok "trace lines: $(wc -l <"$OUT/grid/tune.jsonl")"
# The best trial is the arg-max of the trace (computed here, independently), the final run uses
# its setting on the test split, and every trial ranked the validation carve-out.
python3 - "$OUT/grid" <<'PY' && ok "best = arg-max of the trace; trials on validation, final on test with the best k" || not_ok "best/final mismatch"
import json, sys, pathlib
d = pathlib.Path(sys.argv[1])
trace = [json.loads(l) for l in (d / "tune.jsonl").read_text().splitlines()]
best = max(range(len(trace)), key=lambda t: (trace[t]["value"], -t))
best_yaml = (d / "best.yaml").read_text()
assert f"best_trial: {best}" in best_yaml, best_yaml
for t in range(3):
    m = json.loads((d / "trials" / str(t) / "metrics.json").read_text())
    assert m["evaluate_on"] == "validation"
final = json.loads((d / "final" / "metrics.json").read_text())
assert final["evaluate_on"] == "test"
k = {0: 5, 1: 50, 2: 400}[best]
assert final["algorithms"]["user_knn"]["params"]["k"] == k, final["algorithms"]["user_knn"]["params"]
# The test value in best.yaml is the final run's.
v = final["algorithms"]["user_knn"]["metrics"]["ndcg@10"]
assert f"test_value: {v!r}" in best_yaml or f"test_value: {v}" in best_yaml, (v, best_yaml)
PY

if "$TAILREC" tune 'algorithms=[user_knn]' 'algorithms.user_knn.shrink=interval(0,100)' split.validation=0.1 run.threads=2 \
     --search random --trials 3 --seed 7 --out "$OUT/random" >"$OUT/random.out" 2>&1; then ok "random tune exits 0"
else not_ok "random tune: $(cat "$OUT/random.out")"; fi
lambdas=$(python3 -c 'import json,sys; print(len({json.loads(l)["overrides"][0] for l in open(sys.argv[1])}))' "$OUT/random/tune.jsonl")
[ "$lambdas" -eq 3 ] && ok "random search drew 3 distinct shrink values" || not_ok "random search drew $lambdas distinct values"

expect_error "tune needs a carve-out" "split.validation" -- tune 'algorithms=[user_knn]' algorithms.user_knn.k=5,50 --out "$WORK/t1"
expect_error "tune metric must be measured" "--metric auc" -- tune 'algorithms=[user_knn]' algorithms.user_knn.k=5,50 split.validation=0.1 --metric auc --out "$WORK/t2"
expect_error "tune with two algorithms needs --algorithm" "--algorithm LABEL" -- tune 'algorithms=[user_knn,item_knn]' algorithms.user_knn.k=5,50 split.validation=0.1 --out "$WORK/t3"
expect_error "interval needs random search" "--search random" -- tune 'algorithms=[ease]' 'algorithms.ease.lambda=interval(1,2)' split.validation=0.1 --out "$WORK/t4"
finish
