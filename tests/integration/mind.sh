#!/usr/bin/env bash
# MIND: the loader, split=predefined, protocol=impressions and the leaderboard metrics on
# MIND-format fixtures written here (made-up news and clicks; MIND itself is never committed).
# 1. A hand-checked fixture (the same as tests/unit/datasets/mind_fixtures.hpp's tiny one) with
#    most_popular: exact AUC, MRR, nDCG@5 and nDCG@10 averaged over the impressions.
# 2. A generated fixture of a few dozen news, users and impressions with most_popular and tfidf:
#    every metric present and in range, tfidf clearly better than chance.
# 3. The mistakes a user can make: a split that is not the dataset's own, AUC with full ranking,
#    unlabelled impressions (checked first, before any run folder is complete).
source "$(dirname "$0")/lib.bash"

# --- 1. the hand-checked fixture ---------------------------------------------------------------
T="$WORK/tiny"
mkdir -p "$T/MINDsmall_train" "$T/MINDsmall_dev"
news() { printf '%s\t%s\t%s\t%s\t%s\thttps://example.org/%s\t[]\t[]\n' "$@"; }
{
  news N1 sports football "Cup final tonight" "The final of the cup" n1
  news N2 sports tennis "Open semifinal" "A long match" n2
  news N3 news politics "Election results" "Votes counted" n3
  news N4 finance markets "Stocks rally" "Shares climb" n4
  news N5 lifestyle food "Pasta recipe" "Quick dinner" n5
} >"$T/MINDsmall_train/news.tsv"
{
  news N3 news politics "Election results, updated" "Votes recounted" n3
  news N5 lifestyle food "Pasta recipe" "Quick dinner" n5
  news N6 sports football "League table" "Standings after the cup" n6
  news N7 weather forecast "Storm warning" "" n7
  news N8 finance markets "Bond yields" "Rates rise" n8
  news N9 news politics "Debate tonight" "Candidates meet" n9
} >"$T/MINDsmall_dev/news.tsv"
printf '%s\t%s\t%s\t%s\t%s\n' \
  1 U1 "11/11/2019 9:05:58 AM" "N1 N2" "N3-1 N4-0 N5-0" \
  2 U2 "11/11/2019 10:00:00 AM" "N1" "N2-1 N3-0" \
  3 U1 "11/12/2019 1:00:00 PM" "N1 N2" "N5-1 N4-0" \
  4 U3 "11/12/2019 12:30:00 AM" "" "N1-1 N4-0" >"$T/MINDsmall_train/behaviors.tsv"
printf '%s\t%s\t%s\t%s\t%s\n' \
  1 U1 "11/15/2019 8:00:00 AM" "N1 N2" "N6-1 N7-0 N1-0 N3-1" \
  2 U2 "11/15/2019 9:00:00 AM" "N1" "N8-0 N6-1 N2-0" \
  3 U4 "11/15/2019 12:00:00 PM" "N5" "N7-0 N8-1 N9-0" \
  4 U3 "11/15/2019 1:00:00 PM" "" "N6-0 N7-0" \
  5 U2 "11/15/2019 2:00:00 PM" "N1" "N1-1 N2-1" \
  6 U1 "11/15/2019 3:00:00 PM" "N1 N2" "N7-1 N8-0" >"$T/MINDsmall_dev/behaviors.tsv"

# value FILE NAME: the first number stored under "NAME" in a metrics.json
value() { grep -o "\"$2\": [-0-9.e][-0-9.e]*" "$1" | head -n 1 | awk '{print $2}'; }
# near A B: |A - B| < 1e-9
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-9 && d > -1e-9) }'; }

# --- 3. mistakes (first: expect_error checks that no run folder under $WORK is complete) --------
# Without split=predefined the default random holdout is refused, with the fix.
expect_error "impressions need the dataset's own split" "use split=predefined" -- \
  run dataset=mind_small dataset.data_dir="$T" protocol=impressions metrics=mind 'algorithms=[most_popular]' \
  run.dir="$WORK/holdout"
expect_error "AUC needs candidate lists" "needs every candidate of a case ranked" -- run metrics=mind run.dir="$WORK/full"
expect_error "predefined split on a dataset without one" "split=predefined uses the train/test division" -- \
  run split=predefined 'algorithms=[most_popular]' run.dir="$WORK/nofold"
printf '1\tU1\t11/15/2019 8:00:00 AM\tN1\tN1 N2\n' >"$WORK/unlabelled.tsv"
mkdir -p "$WORK/bad/MINDsmall_dev" && cp -r "$T/MINDsmall_train" "$WORK/bad/" && cp "$T/MINDsmall_dev/news.tsv" "$WORK/bad/MINDsmall_dev/"
cp "$WORK/unlabelled.tsv" "$WORK/bad/MINDsmall_dev/behaviors.tsv"
expect_error "unlabelled impressions name file and line" "MINDsmall_dev/behaviors.tsv:1: impression item 'N1'" -- \
  run experiment=mind_small dataset.data_dir="$WORK/bad" run.dir="$WORK/bad_run"

run="$WORK/tiny_run"
"$TAILREC" run dataset=mind_small dataset.data_dir="$T" split=predefined protocol=impressions metrics=mind \
  'algorithms=[most_popular]' run.dir="$run" >/dev/null 2>"$WORK/tiny.err" \
  && ok "tiny fixture runs" || not_ok "tiny fixture failed: $(cat "$WORK/tiny.err")"
M="$run/metrics.json"
# Training phi: N1 3 users, N2 2, N3 1, N5 2, the dev-only news 0; ties rank by ascending news id.
# Impressions 4 (no click) and 5 (only clicks) are skipped. The four evaluated ones, ranked:
#   1 (U1) N1- N3+ N6+ N7-   AUC 2/4   MRR (1/2+1/3)/2 = 5/12   nDCG (1/log2 3 + 1/2)/(1 + 1/log2 3) = 0.6934264
#   2 (U2) N2- N6+ N8-       AUC 1/2   MRR 1/2                  nDCG 1/log2 3 = 0.6309298
#   3 (U4) N7- N8+ N9-       AUC 1/2   MRR 1/2                  nDCG 0.6309298
#   6 (U1) N7+ N8-           AUC 1     MRR 1                    nDCG 1
# Means over the 4 impressions: AUC 2.5/4 = 0.625, MRR (5/12 + 2)/4 = 29/48, nDCG@5 = nDCG@10 =
# (0.6934264 + 2 * 0.6309298 + 1)/4 = 0.7388215 (per-user means would give 0.5833, 0.5694, 0.7029).
near "$(value "$M" imp_auc)" 0.625 && ok "imp_auc = 0.625" || not_ok "imp_auc $(value "$M" imp_auc)"
near "$(value "$M" imp_mrr)" 0.6041666666666666 && ok "imp_mrr = 29/48" || not_ok "imp_mrr $(value "$M" imp_mrr)"
near "$(value "$M" 'imp_ndcg@5')" 0.7388214776900465 && ok "imp_ndcg@5 = 0.7388215" || not_ok "imp_ndcg@5 $(value "$M" 'imp_ndcg@5')"
near "$(value "$M" 'imp_ndcg@10')" 0.7388214776900465 && ok "imp_ndcg@10 = 0.7388215" || not_ok "imp_ndcg@10 $(value "$M" 'imp_ndcg@10')"
[ "$(value "$M" skipped_without_click)" = 1 ] && [ "$(value "$M" skipped_all_clicked)" = 1 ] \
  && ok "skipped impressions counted" || not_ok "skipped impression counts"
[ "$(value "$M" evaluated_cases)" = 4 ] && [ "$(value "$M" train)" = 8 ] && [ "$(value "$M" test)" = 4 ] \
  && ok "4 cases, 8 training and 4 test pairs" || not_ok "case or pair counts"
# Impression 1 lists its 4 news in rank order, the clicked ones in the held_out column.
[ "$(awk -F'\t' '$2 == "U1" && $6 == "N3,N6" { printf "%s ", $4 }' "$run/recommendations.tsv")" = "N1 N3 N6 N7 " ] \
  && ok "impression 1 ranked N1 N3 N6 N7" || not_ok "recommendations of impression 1"
zcat "$run/per_user_metrics.tsv.gz" | head -n 1 | grep -q "imp_auc" && ok "per-user values kept" || not_ok "per-user file"
# A cut-off of 2: the lists written are the top 2, while AUC still sees every candidate.
"$TAILREC" run dataset=mind_small dataset.data_dir="$T" split=predefined protocol=impressions 'metrics.names=[imp_auc,imp_ndcg@2]' \
  'algorithms=[most_popular]' run.dir="$WORK/top2" >/dev/null 2>&1 && ok "top-2 run" || not_ok "top-2 run failed"
near "$(value "$WORK/top2/metrics.json" imp_auc)" 0.625 && ok "imp_auc unchanged with k = 2" || not_ok "imp_auc with k = 2"
[ "$(awk -F'\t' 'NR > 1 && $3 > 2' "$WORK/top2/recommendations.tsv" | wc -l)" = 0 ] \
  && [ "$(wc -l <"$WORK/top2/recommendations.tsv")" = $((4 * 2 + 1)) ] && ok "top 2 written per impression" \
  || not_ok "recommendations with k = 2"

# --- 2. a generated fixture: 36 news in 4 topics, 12 users, 24 dev impressions ----------------
G="$WORK/generated"
mkdir -p "$G/MINDsmall_train" "$G/MINDsmall_dev"
awk 'BEGIN {
  split("sports finance weather lifestyle", cat, " "); split("football markets forecast food", sub_, " ")
  split("match stocks storm recipe", w1, " "); split("goal bank rain dinner", w2, " ")
  for (t = 1; t <= 4; t++) for (k = 0; k < 9; k++)
    printf "N%d\t%s\t%s\t%s %s story %d\tAbout %s and %s\thttps://example.org/%d\t[]\t[]\n",
      100 + (t - 1) * 9 + k, cat[t], sub_[t], w1[t], w2[t], k, w1[t], w2[t], (t - 1) * 9 + k
}' >"$G/MINDsmall_train/news.tsv"
cp "$G/MINDsmall_train/news.tsv" "$G/MINDsmall_dev/news.tsv"
# User u likes topic t = u % 4: a history of 3 of its news, a train click on a 4th; each dev
# impression shows 2 news of t (the first clicked) and 4 of the other topics.
awk -f /dev/stdin >"$G/MINDsmall_train/behaviors.tsv" <<'AWK'
function id(t, k) { return "N" (100 + (t % 4) * 9 + (k % 9)) }
BEGIN {
  for (u = 0; u < 12; u++) {
    t = u % 4
    printf "%d\tU%d\t11/11/2019 %d:00:00 AM\t%s %s %s\t%s-1 %s-0 %s-0\n", u + 1, u + 1, 1 + u % 12, id(t, u),
      id(t, u + 1), id(t, u + 2), id(t, u + 3), id(t + 1, u), id(t + 2, u)
  }
}
AWK
awk -f /dev/stdin >"$G/MINDsmall_dev/behaviors.tsv" <<'AWK'
function id(t, k) { return "N" (100 + (t % 4) * 9 + (k % 9)) }
BEGIN {
  for (u = 0; u < 12; u++) {
    t = u % 4; hist = id(t, u) " " id(t, u + 1) " " id(t, u + 2)
    for (line = 0; line < 2; line++)
      printf "%d\tU%d\t11/15/2019 %d:3%d:00 PM\t%s\t%s-1 %s-0 %s-0 %s-0 %s-0 %s-0\n", 2 * u + line + 1, u + 1,
        1 + u % 12, line, hist, id(t, u + 4 + line), id(t, u + 6 + line), id(t + 1, u + line), id(t + 2, u + line),
        id(t + 3, u + line), id(t + 1, u + 5 + line)
  }
}
AWK

run="$WORK/generated_run"
"$TAILREC" run experiment=mind_small dataset.data_dir="$G" 'algorithms=[most_popular,tfidf]' run.dir="$run" \
  >"$WORK/generated.out" 2>"$WORK/generated.err" \
  && ok "generated fixture runs (experiment=mind_small)" || not_ok "generated fixture failed: $(cat "$WORK/generated.err")"
M="$run/metrics.json"
[ "$(value "$M" evaluated_cases)" = 24 ] && ok "24 impressions evaluated" || not_ok "evaluated_cases $(value "$M" evaluated_cases)"
for label in most_popular tfidf; do
  row="$(awk -F'\t' -v l="$label" '$1 == l' "$run/metrics.csv")"
  header="$(head -n 1 "$run/metrics.csv")"
  [ "$header" = "$(printf 'algorithm\tname\timp_auc\timp_mrr\timp_ndcg@5\timp_ndcg@10')" ] \
    && ok "$label: the four leaderboard metrics" || not_ok "metrics.csv header '$header'"
  awk -F'\t' '{ for (i = 3; i <= 6; i++) if ($i == "" || $i < 0 || $i > 1) exit 1 }' <<<"$row" \
    && ok "$label: every metric in [0, 1]" || not_ok "$label row '$row'"
done
auc=$(awk -F'\t' '$1 == "tfidf" { print $3 }' "$run/metrics.csv")
# tfidf's user profile is the liked topic, whose words every clicked dev news shares: well above 0.5.
awk -v a="$auc" 'BEGIN { exit !(a > 0.75) }' && ok "tfidf imp_auc $auc > 0.75" || not_ok "tfidf imp_auc $auc"
# Top 10 per impression at most (6 shown here), not every candidate of bigger impressions.
[ "$(awk -F'\t' 'NR > 1 { n[$1 FS $2 FS $6]++ } END { for (k in n) if (n[k] > 6) bad = 1; print bad + 0 }' \
  "$run/recommendations.tsv")" = 0 ] && ok "recommendations list each impression once" || not_ok "recommendations"

# The same numbers with 1 and 3 threads (cases are averaged in case order).
"$TAILREC" run experiment=mind_small dataset.data_dir="$G" 'algorithms=[most_popular,tfidf]' run.threads=1 \
  run.dir="$WORK/one_thread" >/dev/null 2>&1
"$TAILREC" run experiment=mind_small dataset.data_dir="$G" 'algorithms=[most_popular,tfidf]' run.threads=3 \
  run.dir="$WORK/three_threads" >/dev/null 2>&1
cmp -s "$WORK/one_thread/metrics.csv" "$WORK/three_threads/metrics.csv" && cmp -s "$run/metrics.csv" "$WORK/one_thread/metrics.csv" \
  && ok "metrics independent of the thread count" || not_ok "metrics differ across thread counts"

"$TAILREC" data list | grep -q "^mind_small  (mind loader)" && ok "data list shows mind_small" || not_ok "data list"
"$TAILREC" list protocols | grep -q "impressions" && ok "list protocols shows impressions" || not_ok "list protocols"
finish
