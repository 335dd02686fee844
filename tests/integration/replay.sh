#!/usr/bin/env bash
# protocol=replay on the embedded ml-latest-small: the run is checked against an independent
# recomputation from ratings.csv (replay_check.py), repeats bit for bit on 1 and 2 threads, explains
# its lists, and refuses a split that is not one global time cut.
source "$(dirname "$0")/lib.bash"
: "${TAILREC_SOURCE:=$(cd "$(dirname "$0")/../.." && pwd)}"
ratings="$TAILREC_SOURCE/datasets/ml-latest-small/ratings.csv"

# A split that is not one global time cut is refused before any data is read (checked first: no
# complete run folder may exist yet under $WORK).
expect_error "replay needs temporal_global" "use split=temporal_global" -- run experiment=replay split=random_holdout run.dir="$WORK/bad"
expect_error "replay has no validation carve-out" "split.validation=0" -- run experiment=replay split.validation=0.1 run.dir="$WORK/bad2"

"$TAILREC" run experiment=replay run.dir="$WORK/r2" run.threads=2 run.progress=false >"$WORK/out2" 2>"$WORK/err2" \
  && ok "replay run (2 threads)" || { not_ok "replay run failed: $(tail -5 "$WORK/err2")"; finish; }
grep -q '"status": "complete"' "$WORK/r2/metrics.json" && ok "metrics.json complete" || not_ok "metrics.json status"
rows=$(($(wc -l <"$WORK/r2/replay_rounds.tsv") - 1))
[ "$rows" -eq 40 ] && ok "replay_rounds.tsv: 4 algorithms x 10 rounds" || not_ok "replay_rounds.tsv has $rows rows"
check="$(python3 "$TAILREC_SOURCE/tests/integration/replay_check.py" "$ratings" "$WORK/r2" 0.3 10 1.0 2>&1)" \
  && ok "independent recomputation: $check" || not_ok "$check"
grep -q "incremental: counts of" "$WORK/r2/run.log" && grep -q "incremental: recomputed" "$WORK/r2/run.log" \
  && grep -q "user profiles" "$WORK/r2/run.log" && ok "the log says how each model was updated" || not_ok "update kinds missing in run.log"

# Same seed, 1 thread, explanations on: the same lists and rounds (update_seconds aside).
"$TAILREC" run experiment=replay run.dir="$WORK/r1" run.threads=1 run.progress=false run.explain=true >/dev/null 2>"$WORK/err1" \
  && ok "replay run (1 thread, explain)" || not_ok "replay run failed: $(tail -5 "$WORK/err1")"
strip_seconds() { awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "update_seconds") c = i } { $c = ""; print }' "$1"; }
cmp -s <(strip_seconds "$WORK/r1/replay_rounds.tsv") <(strip_seconds "$WORK/r2/replay_rounds.tsv") \
  && ok "replay_rounds.tsv identical on 1 and 2 threads" || not_ok "replay_rounds.tsv differs between thread counts"
cmp -s "$WORK/r1/replay_state.tsv" "$WORK/r2/replay_state.tsv" && ok "adaptive weights identical" || not_ok "replay_state.tsv differs"
cmp -s <(cut -f1-7 "$WORK/r1/recommendations.tsv") "$WORK/r2/recommendations.tsv" \
  && ok "recommendations identical" || not_ok "recommendations differ between thread counts"
head -n 1 "$WORK/r1/recommendations.tsv" | grep -q $'\twhy$' && ok "why column with run.explain=true" || not_ok "no why column"
awk -F'\t' '$1 == "user_knn" && $8 !~ /^user [0-9]+ [0-9.e-]+(, user [0-9]+ [0-9.e-]+)*$/ { bad = 1 } END { exit bad }' "$WORK/r1/recommendations.tsv" \
  && ok "user_knn explains by neighbours" || not_ok "user_knn why cells malformed"
awk -F'\t' '$1 == "adaptive" && $8 !~ /^(most_popular|user_knn|tfidf) / { bad = 1 } END { exit bad }' "$WORK/r1/recommendations.tsv" \
  && ok "adaptive_hybrid explains by component" || not_ok "adaptive why cells malformed"

# Time windows work too.
"$TAILREC" run experiment=replay run.dir="$WORK/rt" protocol.by=time protocol.rounds=4 'algorithms=[most_popular]' \
  run.progress=false >/dev/null 2>"$WORK/errt" && [ "$(($(wc -l <"$WORK/rt/replay_rounds.tsv") - 1))" -le 4 ] \
  && ok "protocol.by=time" || not_ok "by=time run: $(tail -3 "$WORK/errt")"
finish
