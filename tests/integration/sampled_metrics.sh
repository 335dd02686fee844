#!/usr/bin/env bash
# Sampled metrics on the embedded dataset (docs/sampled_metrics.md), split=leave_one_out:
# 1. protocol=sampled with protocol.also_full=true marks every value as sampled, writes the
#    full-ranking values and the corrected estimates beside them, and its full values equal those of
#    a separate protocol=full run on the same split, to the last bit.
# 2. Popularity-sampled negatives get no correction, and metrics.json says why.
# 3. also_full with protocol=full is refused.
source "$(dirname "$0")/lib.bash"
json() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

expect_error "also_full with full ranking" "protocol.also_full=false" -- \
  run protocol=full protocol.also_full=true 'algorithms=[most_popular]' run.dir="$WORK/full_also_full"
expect_error "a gamma outside [0, 1]" "correction_gamma" -- \
  run protocol=sampled protocol.correction_gamma=2 'algorithms=[most_popular]' run.dir="$WORK/bad_gamma"

common=(split=leave_one_out 'algorithms=[most_popular,item_knn]' 'metrics.names=[ndcg,hit,mrr,aplt,coverage]'
  run.threads=2 run.progress=false)
if "$TAILREC" run "${common[@]}" protocol=sampled protocol.negatives=99 protocol.also_full=true \
     run.dir="$WORK/sampled" >"$WORK/sampled.out" 2>&1 \
   && "$TAILREC" run "${common[@]}" protocol=full run.dir="$WORK/full" >"$WORK/full.out" 2>&1; then
  s="$WORK/sampled/metrics.json"
  f="$WORK/full/metrics.json"
  [ "$(json "$s" "(m['sampled']['protocol'], m['sampled']['negatives'], m['sampled']['distribution'])")" = \
    "('sampled', 99, 'uniform')" ] && ok "metrics.json states the sampling" || not_ok "sampled: $(json "$s" "m.get('sampled')")"
  [ "$(json "$s" "sorted({a['metrics_kind'] for a in m['algorithms'].values()})")" = "['sampled']" ] \
    && [ "$(json "$f" "sorted({a['metrics_kind'] for a in m['algorithms'].values()})")" = "['full']" ] \
    && ok "metrics_kind: sampled, and full for protocol=full" || not_ok "metrics_kind"
  for a in most_popular item_knn; do
    [ "$(json "$s" "m['algorithms']['$a']['full_metrics'] == json.load(open('$f'))['algorithms']['$a']['metrics']")" = True ] \
      && ok "$a: also_full values equal the protocol=full run's exactly" \
      || not_ok "$a: full_metrics $(json "$s" "m['algorithms']['$a']['full_metrics']") vs $(json "$f" "m['algorithms']['$a']['metrics']")"
    [ "$(json "$s" "sorted(m['algorithms']['$a']['corrected_metrics'])")" = "['hit@10', 'mrr@10', 'ndcg@10']" ] \
      && ok "$a: corrected values for the rank metrics only" \
      || not_ok "$a: corrected_metrics $(json "$s" "m['algorithms']['$a'].get('corrected_metrics')")"
    # The correction moves ndcg@10 from the sampled value towards the full one.
    python3 - "$s" "$a" <<'EOF' && ok "$a: corrected ndcg@10 is closer to the full value than the sampled one" \
      || not_ok "$a: corrected ndcg@10 not closer to the full value"
import json, sys
a = json.load(open(sys.argv[1]))["algorithms"][sys.argv[2]]
full, sampled, corrected = (a[k]["ndcg@10"] for k in ("full_metrics", "metrics", "corrected_metrics"))
print(f"  {sys.argv[2]}: ndcg@10 full {full:.4f}, sampled {sampled:.4f}, corrected {corrected:.4f}")
sys.exit(0 if abs(corrected - full) < abs(sampled - full) else 1)
EOF
  done
  [ "$(json "$s" "m['sampled']['correction']['not_corrected']")" = "['aplt@10', 'coverage@10']" ] \
    && ok "metrics without a rank function are listed as not corrected" || not_ok "not_corrected"
  grep -q "ndcg@10\[sampled\]" "$WORK/sampled/metrics.csv" && grep -q "ndcg@10\[full\]" "$WORK/sampled/metrics.csv" \
    && grep -q "ndcg@10\[corrected\]" "$WORK/sampled/metrics.csv" && ! grep -q "aplt@10\[corrected\]" "$WORK/sampled/metrics.csv" \
    && ok "metrics.csv names sampled, full and corrected columns" || not_ok "metrics.csv header: $(head -n 1 "$WORK/sampled/metrics.csv")"
  grep -q "^item_knn *sampled" "$WORK/sampled.out" && grep -q "^item_knn *full" "$WORK/sampled.out" \
    && grep -q "^item_knn *corrected" "$WORK/sampled.out" && grep -q "^sampled: every value" "$WORK/sampled.out" \
    && ok "the console table marks each row and explains the sampling" || not_ok "console table: $(cat "$WORK/sampled.out")"
else
  not_ok "sampled/full runs failed: $(tail -n 5 "$WORK/sampled.out" "$WORK/full.out" 2>/dev/null)"
fi

if "$TAILREC" run "${common[@]}" protocol=sampled protocol.negatives=99 protocol.distribution=popularity \
     run.dir="$WORK/popularity" >"$WORK/popularity.out" 2>&1; then
  p="$WORK/popularity/metrics.json"
  [ "$(json "$p" "m['sampled']['correction'] is None and 'popularity' in m['sampled']['correction_not_applied']")" = True ] \
    && [ "$(json "$p" "any('corrected_metrics' in a for a in m['algorithms'].values())")" = False ] \
    && ok "popularity sampling: no corrected values, and the reason" || not_ok "popularity: $(json "$p" "m['sampled']")"
else
  not_ok "popularity run failed: $(tail -n 5 "$WORK/popularity.out")"
fi
finish
