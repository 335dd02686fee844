#!/usr/bin/env bash
# Cold start on real data.
# 1. split=cold_items on the embedded dataset (ml-latest-small with its item text), ranking the cold
#    items only: collaborative models cannot score them (empty lists, recall 0), tfidf can.
# 2. protocol.cold_users on ML-100K under split=temporal_global, where most test users have no
#    training interaction. By default they are left out and counted; with evaluate, item_knn (no
#    information about them) gives them empty lists while most_popular ranks them.
source "$(dirname "$0")/lib.bash"
json() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# Errors first: expect_error checks that no run folder under $WORK claims completion.
expect_error "candidates=cold with a sampled protocol" "use protocol=full" -- \
  run split=cold_items protocol=sampled protocol.candidates=cold 'algorithms=[most_popular]' run.dir="$WORK/sampled"
expect_error "a cold split that leaves no training item" "leaving none on the other side" -- \
  run split=cold_items split.count=100000 'algorithms=[most_popular]' run.dir="$WORK/all_cold"
expect_error "a fraction outside (0, 1)" "1.5 is above the maximum 1" -- \
  run split=cold_items split.fraction=1.5 'algorithms=[most_popular]' run.dir="$WORK/bad_fraction"
expect_error "an unknown policy" "'maybe' is not one of exclude, evaluate" -- \
  run protocol.cold_users=maybe run.dir="$WORK/bad_policy"

if "$TAILREC" run split=cold_items protocol.candidates=cold 'algorithms=[most_popular,item_knn,tfidf]' metrics.k=20 \
  'metrics.names=[recall,ndcg]' run.threads=2 run.progress=false run.dir="$WORK/cold_items" >"$WORK/cold_items.out" 2>&1; then
  m="$WORK/cold_items/metrics.json"
  tfidf=$(json "$m" "m['algorithms']['tfidf']['metrics']['recall@20']")
  popular=$(json "$m" "m['algorithms']['most_popular']['metrics']['recall@20']")
  knn=$(json "$m" "m['algorithms']['item_knn']['metrics']['recall@20']")
  python3 -c "import sys; a, b, c = map(float, sys.argv[1:]); sys.exit(0 if a > 0 and b == 0 and c == 0 else 1)" \
    "$tfidf" "$popular" "$knn" \
    && ok "cold_items, candidates=cold: tfidf recall@20 $tfidf > most_popular $popular = item_knn $knn" \
    || not_ok "cold_items: recall@20 tfidf $tfidf, most_popular $popular, item_knn $knn"
  [ "$(json "$m" "m['algorithms']['item_knn']['scores_cold_items']")" = False ] \
    && [ "$(json "$m" "m['algorithms']['tfidf']['scores_cold_items']")" = True ] \
    && ok "cold_items: metrics.json says which models score cold items" || not_ok "cold_items: scores_cold_items"
  [ "$(json "$m" "m['candidates']['policy']")" = cold ] && [ "$(json "$m" "m['protocol']['candidates']")" = cold ] \
    && ok "cold_items: the candidate policy is recorded" || not_ok "cold_items: candidates not recorded"
  grep -q "item_knn cannot score items without training interactions" "$WORK/cold_items/run.log" \
    && ok "cold_items: the log names the blind model" || not_ok "cold_items: no log line"
  # No test item of the split is a training item.
  [ "$(awk -F'\t' '$1 == "tfidf" {print $4}' "$WORK/cold_items/recommendations.tsv" | sort -u | wc -l)" -gt 0 ] \
    && ok "cold_items: tfidf recommends cold items" || not_ok "cold_items: tfidf recommended nothing"
else
  not_ok "cold_items run failed: $(tail -3 "$WORK/cold_items.out")"
fi
if [ ! -f "$TAILREC_SHARED/datasets/ml-100k/u.data" ]; then
  echo "# skipped the ML-100K part: $TAILREC_SHARED/datasets/ml-100k is missing"
  finish
  exit $?
fi
run() {  # run DIR overrides...
  local dir="$1"
  shift
  "$TAILREC" run dataset=ml100k dataset.data_dir="$TAILREC_SHARED/datasets" split=temporal_global \
    'algorithms=[most_popular,item_knn]' run.threads=2 run.progress=false run.dir="$WORK/$dir" "$@" >"$WORK/$dir.out" 2>&1
}

if run exclude; then
  m="$WORK/exclude/metrics.json"
  cold=$(json "$m" "m['cold_users']['users']")
  policy=$(json "$m" "m['cold_users']['policy']")
  [ "$policy" = exclude ] && [ "$cold" -gt 0 ] && ok "exclude (the default): $cold cold users counted in metrics.json" \
    || not_ok "exclude: policy '$policy', cold users '$cold'"
  grep -q "cold users.*left out of every metric" "$WORK/exclude/run.log" && ok "exclude: the log says so" \
    || not_ok "exclude: no log line"
  # Every evaluated user has a training interaction: cases of cold users are gone.
  evaluated=$(json "$m" "m['algorithms']['item_knn']['evaluated_users']")
  [ "$evaluated" -eq "$(json "$m" "m['algorithms']['most_popular']['evaluated_users']")" ] \
    && ok "exclude: both models evaluate the same $evaluated users" || not_ok "exclude: evaluated users differ"
else
  not_ok "exclude run failed: $(tail -3 "$WORK/exclude.out")"
fi

if run evaluate protocol.cold_users=evaluate; then
  m="$WORK/evaluate/metrics.json"
  cold=$(json "$m" "m['cold_users']['users']")
  without=$(json "$m" "m['algorithms']['item_knn']['cold_users_without_list']")
  popular_without=$(json "$m" "m['algorithms']['most_popular']['cold_users_without_list']")
  [ "$without" -eq "$cold" ] && [ "$cold" -gt 0 ] && ok "evaluate: item_knn gives all $cold cold users no list" \
    || not_ok "evaluate: item_knn without a list $without of $cold"
  [ "$popular_without" -eq 0 ] && ok "evaluate: most_popular ranks every cold user" \
    || not_ok "evaluate: most_popular left $popular_without without a list"
  # The users in recommendations.tsv: item_knn lists only the warm ones, most_popular every one.
  knn_users=$(awk -F'\t' '$1 == "item_knn" {print $2}' "$WORK/evaluate/recommendations.tsv" | sort -u | wc -l)
  pop_users=$(awk -F'\t' '$1 == "most_popular" {print $2}' "$WORK/evaluate/recommendations.tsv" | sort -u | wc -l)
  [ $((pop_users - knn_users)) -eq "$cold" ] && ok "evaluate: recommendations.tsv has no item_knn list for a cold user" \
    || not_ok "evaluate: most_popular lists $pop_users users, item_knn $knn_users, cold $cold"
  grep -q "item_knn: item_knn has no information about the $cold cold users" "$WORK/evaluate/run.log" \
    && ok "evaluate: the log names the model" || not_ok "evaluate: no log line naming item_knn"
  # The excluded run's item_knn ndcg is over warm users only; evaluated, the cold users' misses lower it.
  warm=$(json "$WORK/exclude/metrics.json" "m['algorithms']['item_knn']['metrics']['ndcg@10']")
  all=$(json "$m" "m['algorithms']['item_knn']['metrics']['ndcg@10']")
  python3 -c "import sys; sys.exit(0 if float(sys.argv[2]) < float(sys.argv[1]) else 1)" "$warm" "$all" \
    && ok "evaluate: item_knn ndcg@10 $all (cold users count as misses) < $warm (warm users only)" \
    || not_ok "evaluate: ndcg@10 $all not below $warm"
else
  not_ok "evaluate run failed: $(tail -3 "$WORK/evaluate.out")"
fi

finish
