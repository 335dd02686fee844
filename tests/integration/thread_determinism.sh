#!/usr/bin/env bash
# The same config and seed give byte-identical metrics with 1 and 2 threads.
source "$(dirname "$0")/lib.bash"
for t in 1 2; do
  "$TAILREC" run run.dir="$WORK/t$t" run.threads=$t metrics=all >/dev/null 2>&1
done
cmp -s "$WORK/t1/metrics.csv" "$WORK/t2/metrics.csv" && ok "metrics.csv identical for 1 and 2 threads" || not_ok "metrics differ"
cmp -s "$WORK/t1/recommendations.tsv" "$WORK/t2/recommendations.tsv" && ok "recommendations identical" || not_ok "recommendations differ"
cmp -s <(zcat "$WORK/t1/per_user_metrics.tsv.gz") <(zcat "$WORK/t2/per_user_metrics.tsv.gz") && ok "per-user values identical" || not_ok "per-user differ"
finish
