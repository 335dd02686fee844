#!/usr/bin/env bash
# The same config and seed give byte-identical output with 1 and 2 threads. Here the default run
# (protocol=full) with every metric, and a candidate protocol (leave_one_out + sampled negatives,
# where most_popular's many equal scores exercise the evaluator's tie rule) also with run.threads=0
# (every core). tests/integration/determinism.sh covers every registered algorithm.
source "$(dirname "$0")/lib.bash"
for t in 1 2; do
  "$TAILREC" run run.dir="$WORK/t$t" run.threads=$t metrics=all >/dev/null 2>&1
done
cmp -s "$WORK/t1/metrics.csv" "$WORK/t2/metrics.csv" && ok "metrics.csv identical for 1 and 2 threads" || not_ok "metrics differ"
cmp -s "$WORK/t1/recommendations.tsv" "$WORK/t2/recommendations.tsv" && ok "recommendations identical" || not_ok "recommendations differ"
cmp -s <(zcat "$WORK/t1/per_user_metrics.tsv.gz") <(zcat "$WORK/t2/per_user_metrics.tsv.gz") && ok "per-user values identical" || not_ok "per-user differ"

for t in 1 2 0; do
  "$TAILREC" run run.dir="$WORK/s$t" run.threads=$t split=leave_one_out protocol=sampled protocol.negatives=99 \
    'algorithms=[most_popular,random,item_knn]' 'metrics.names=[hit,ndcg,mrr,imp_auc,imp_mrr]' >/dev/null 2>&1 ||
    not_ok "sampled protocol run with run.threads=$t failed"
done
same=0
for t in 2 0; do
  cmp -s "$WORK/s1/recommendations.tsv" "$WORK/s$t/recommendations.tsv" && cmp -s "$WORK/s1/metrics.csv" "$WORK/s$t/metrics.csv" &&
    cmp -s <(zcat "$WORK/s1/per_user_metrics.tsv.gz") <(zcat "$WORK/s$t/per_user_metrics.tsv.gz") && same=$((same + 1))
done
[ "$same" -eq 2 ] && ok "sampled protocol: identical output for run.threads=1, 2 and 0" || not_ok "sampled protocol output depends on run.threads"
finish
