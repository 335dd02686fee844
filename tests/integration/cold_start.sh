#!/usr/bin/env bash
# Cold start on real data.
# 1. split=cold_items on the embedded dataset (ml-latest-small with its item text), ranking the cold
#    items only: collaborative models cannot score them (empty lists, recall 0), tfidf can.
# 2. split=cold_users on the embedded dataset: held-out users scored from their fold-in histories
#    by models fitted without them (no refit); models that cannot fold in are refused at plan time.
# 3. The shipped experiment (configs/experiment/cold_start.yaml, bert on the tiny fixture checkpoint)
#    under split=cold_items over the whole catalog: the stratified group `cold` holds the held-out
#    items' accuracy, 0 for every collaborative model and above most_popular's for tfidf; its
#    report has the cold-start and stratified sections.
# 4. protocol.cold_users on ML-100K under split=temporal_global, where most test users have no
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

# cold_users: refused before any data is read (the data folder does not exist), naming label and split.
expect_error "cold_users refuses neumf at plan time" "neumf (neumf) cannot score a user it was not fitted on" -- \
  run dataset=ml100k dataset.data_dir="$WORK/no_such_folder" split=cold_users 'algorithms=[item_knn,neumf]' \
  run.dir="$WORK/fold_in_neumf"
expect_error "cold_users refuses gmf inside a hybrid" "split=cold_users holds its test users out" -- \
  run dataset=ml100k dataset.data_dir="$WORK/no_such_folder" split=cold_users \
  'algorithms=[{name: weighted, label: blend, components: [item_knn, gmf]}]' run.dir="$WORK/fold_in_blend"
expect_error "cold_users: fold_in outside (0, 1)" "must be strictly between 0 and 1" -- \
  run split=cold_users split.fold_in=1 'algorithms=[most_popular]' run.dir="$WORK/fold_in_one"
expect_error "cold_users: a split that leaves no training user" "leaving no such user in training" -- \
  run split=cold_users split.count=100000 'algorithms=[most_popular]' run.dir="$WORK/fold_in_all"
expect_error "cold_users: rating metrics are refused" "metric rmse needs rating predictions" -- \
  run split=cold_users 'metrics.names=[rmse]' 'algorithms=[most_popular]' run.dir="$WORK/fold_in_rmse"

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
# ease folds in too (its fold-in scores equal score() bit for bit: tests/unit); its minute-long fit
# on 9,724 items is left to step 3, so this step runs the cheaper neighbourhood models.
if "$TAILREC" run split=cold_users 'algorithms=[most_popular,item_knn,user_knn]' 'metrics.names=[recall,ndcg]' \
  run.threads=2 run.progress=false run.dir="$WORK/cold_users" >"$WORK/cold_users.out" 2>&1; then
  m="$WORK/cold_users/metrics.json"
  held=$(json "$m" "m['fold_in']['test_users']")
  fold_in=$(json "$m" "m['fold_in']['test_fold_in_interactions']")
  [ "$held" -gt 0 ] && [ "$fold_in" -gt 0 ] && ok "cold_users: metrics.json counts $held held-out users, $fold_in fold-in rows" \
    || not_ok "cold_users: fold_in record '$held' '$fold_in'"
  # Each model was fitted once, on training alone, and evaluated every held-out user from her history.
  [ "$(grep -c ': fitting' "$WORK/cold_users/run.log")" -eq 3 ] && ok "cold_users: one fit per model (no refit)" \
    || not_ok "cold_users: $(grep -c ': fitting' "$WORK/cold_users/run.log") fits for 3 models"
  for a in most_popular item_knn user_knn; do
    [ "$(json "$m" "m['algorithms']['$a']['evaluated_users']")" -eq "$held" ] \
      && ok "cold_users: $a evaluates all $held held-out users" || not_ok "cold_users: $a evaluated users"
  done
  # Every evaluated user is a held-out user: none has a training interaction (user_activity.tsv.gz).
  gzip -dc "$WORK/cold_users/user_activity.tsv.gz" | awk -F'\t' 'NR > 1 && $2 > 0 {print $1}' | sort >"$WORK/trained_users"
  awk -F'\t' 'NR > 1 {print $2}' "$WORK/cold_users/recommendations.tsv" | sort -u >"$WORK/listed_users"
  listed=$(wc -l <"$WORK/listed_users")
  [ "$listed" -eq "$held" ] && [ -z "$(comm -12 "$WORK/trained_users" "$WORK/listed_users")" ] \
    && ok "cold_users: the $listed users with lists have no training interaction" \
    || not_ok "cold_users: $listed users listed, $(comm -12 "$WORK/trained_users" "$WORK/listed_users" | wc -l) of them trained"
  # Scored from their histories, the collaborative models beat most_popular; scored from training
  # (nothing), every list would be ties.
  for a in item_knn user_knn; do
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" \
      "$(json "$m" "m['algorithms']['$a']['metrics']['ndcg@10']")" \
      "$(json "$m" "m['algorithms']['most_popular']['metrics']['ndcg@10']")" \
      && ok "cold_users: $a ndcg@10 from fold-in histories beats most_popular" || not_ok "cold_users: $a ndcg@10"
  done
  [ "$(json "$m" "m['cold_users']['users']")" -eq 0 ] && ok "cold_users: held-out users are not cold users" \
    || not_ok "cold_users: $(json "$m" "m['cold_users']['users']") cold users"
else
  not_ok "cold_users run failed: $(tail -3 "$WORK/cold_users.out")"
fi
bert="$TAILREC_SHARED/fixtures/bert/tiny-random-bert"
if [ -d "$bert" ]; then
  if "$TAILREC" run experiment=cold_start split=cold_items algorithms.bert.model="$bert" run.threads=2 run.progress=false \
    run.dir="$WORK/shipped" >"$WORK/shipped.out" 2>&1; then
    python3 - "$WORK/shipped/metrics.json" <<'PY' && ok "shipped cold_start experiment: cold-item recall@20 is 0 for CF, tfidf above most_popular" \
      || not_ok "shipped cold_start experiment: see above"
import json, sys
m = json.load(open(sys.argv[1]))
cold = {label: a["strata"]["items"]["cold"]["recall@20"] for label, a in m["algorithms"].items()}
assert set(cold) == {"most_popular", "user_knn", "item_knn", "ease", "tfidf", "bert", "weighted_uknn_tfidf"}, cold
assert all(cold[l] == 0 for l in ["most_popular", "user_knn", "item_knn", "ease"]), cold
assert cold["tfidf"] > cold["most_popular"], cold
group = next(g for g in m["strata"]["items"]["groups"] if g["name"] == "cold")
assert group["items"] > 0 and group["relevant"] > 0, group
print("# recall@20 of the cold items:", cold)
PY
    "$TAILREC" report "$WORK/shipped" --out "$WORK/shipped_report" --format md --no-plots >"$WORK/shipped_report.out" 2>&1 \
      && grep -q '^### Cold start' "$WORK/shipped_report/report.md" \
      && grep -q 'Accuracy by popularity and activity group' "$WORK/shipped_report/report.md" \
      && ok "shipped cold_start experiment: the report has its cold-start and stratified sections" \
      || not_ok "shipped report: $(tail -n 3 "$WORK/shipped_report.out")"
  else
    not_ok "shipped cold_start experiment failed: $(tail -n 3 "$WORK/shipped.out")"
  fi
else
  echo "# skipped the shipped experiment: $bert is missing"
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
