#!/usr/bin/env bash
# The default experiment on the embedded dataset writes a complete run folder and prints its path last.
source "$(dirname "$0")/lib.bash"

run_dir="$WORK/run"
out="$("$TAILREC" run run.dir="$run_dir" metrics=all 'metrics.k=[5,10]' 2>"$WORK/stderr")"
last="$(tail -n 1 <<<"$out")"
[ "$last" = "$run_dir" ] && ok "last line is the run folder" || not_ok "last line is '$last'"
for f in config.yaml overrides.yaml metrics.json metrics.csv per_user_metrics.tsv.gz recommendations.tsv run.log; do
  [ -s "$run_dir/$f" ] && ok "$f written" || not_ok "$f missing"
done
grep -q '"status": "complete"' "$run_dir/metrics.json" && ok "metrics.json complete" || not_ok "metrics.json status"
grep -q '"ndcg@10"' "$run_dir/metrics.json" && grep -q '"tail_recall@5"' "$run_dir/metrics.json" \
  && ok "metrics at every k" || not_ok "metrics at every k"
[ "$(head -n 1 "$run_dir/recommendations.tsv")" = "$(printf 'algorithm\tuser\trank\titem\tscore')" ] \
  && ok "recommendations header" || not_ok "recommendations header"
# 610 users x 10 items x 2 algorithms, plus the header.
lines=$(wc -l <"$run_dir/recommendations.tsv")
[ "$lines" -eq $((610 * 10 * 2 + 1)) ] && ok "recommendations: top-10 per user per algorithm" || not_ok "recommendations has $lines lines"
grep -q "most_popular" <<<"$out" && grep -q "ndcg@10" <<<"$out" && ok "console table printed" || not_ok "console table"
zcat "$run_dir/per_user_metrics.tsv.gz" | sed -n 1p | grep -q "^algorithm	user	aclt@5" && ok "per-user values" || not_ok "per-user values"

# A second run of the same folder is refused; with run.overwrite=true it is replaced.
status=0
"$TAILREC" run run.dir="$run_dir" >/dev/null 2>"$WORK/err" || status=$?
[ "$status" -eq 1 ] && grep -q "already holds a complete run" "$WORK/err" && ok "complete run folder refused" || not_ok "rerun into complete folder (status $status)"
"$TAILREC" run run.dir="$run_dir" run.overwrite=true metrics=all 'metrics.k=[5,10]' >/dev/null 2>&1 && ok "overwrite=true accepted" || not_ok "overwrite"

# The dataset cache is used by the second run.
grep -q "loaded from cache" "$run_dir/run.log" && ok "dataset cache hit on the second run" || not_ok "dataset cache not used"

# --cfg prints the composed config and exits without a run folder.
cfg="$("$TAILREC" run --cfg run.dir="$WORK/cfgrun")"
grep -q "loader: movielens_csv" <<<"$cfg" && [ ! -e "$WORK/cfgrun" ] && ok "--cfg" || not_ok "--cfg"
# Ids with a tab, a space, a backslash or a formula stay distinct cells of recommendations.tsv:
# a tab is written \t, a backslash \\ (framework/util/escape.hpp), the space is kept.
printf 'user,item\n"u\tx","i 1"\n"u\tx",i3\n"u\tx",i5\n"u x","i\t1"\n"u x","i 1"\n"u x",i4\n"=cmd|x",i3\n"=cmd|x",i4\nu4,"i\\7"\nu4,i5\nu4,i3\n' >"$WORK/ids.csv"
"$TAILREC" run dataset=delimited dataset.path="$WORK/ids.csv" algorithms=[most_popular] split=leave_one_out \
  split.order=random run.dir="$WORK/ids" >/dev/null 2>&1 || not_ok "run on ids with tabs"
recs="$WORK/ids/recommendations.tsv"
users="$(cut -f2 "$recs" | sort -u | tr '\n' '|')"
items="$(cut -f4 "$recs" | sort -u | tr '\n' '|')"
[ "$users" = '=cmd|x|u x|u4|u\tx|user|' ] && [[ "$items" == *'|i\t1|'* && "$items" == *'i 1|'* && "$items" == *'|i\\7|'* ]] \
  && [ "$(awk -F'\t' 'NF != 5' "$recs" | wc -l)" -eq 0 ] && ok "ids with a tab and a space: distinct, escaped cells" \
  || not_ok "recommendations.tsv ids: users $users items $items"
finish
