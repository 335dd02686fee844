#!/usr/bin/env bash
# R1 (results/published/ncf_ml1m.yaml) for most_popular on the NCF MovieLens-1M split (shared data, never
# committed): HR@10 and NDCG@10 within ±0.005 of Dacrema et al.'s 0.4533 / 0.2542.
source "$(dirname "$0")/lib.bash"
NCF="$TAILREC_SHARED/datasets/ml-1m/ncf"
if [ ! -f "$NCF/ml-1m.test.negative" ]; then
  echo "skipped: $NCF is missing"
  exit 0
fi
TAILREC_ML1M_NCF="$NCF" "$TAILREC" run experiment=ncf_ml1m 'algorithms=[most_popular]' run.dir="$WORK/ncf" >/dev/null 2>&1 \
  && ok "ncf_ml1m runs" || not_ok "ncf_ml1m failed"
hit=$(grep -o '"hit@10": [0-9.]*' "$WORK/ncf/metrics.json" | awk '{print $2}')
ndcg=$(grep -o '"ndcg@10": [0-9.]*' "$WORK/ncf/metrics.json" | awk '{print $2}')
awk -v h="$hit" 'BEGIN{exit !(h > 0.4483 && h < 0.4583)}' && ok "HR@10 $hit within 0.005 of 0.4533" || not_ok "HR@10 $hit"
awk -v n="$ndcg" 'BEGIN{exit !(n > 0.2492 && n < 0.2592)}' && ok "NDCG@10 $ndcg within 0.005 of 0.2542" || not_ok "NDCG@10 $ndcg"
grep -q '"evaluated_cases": 6040' "$WORK/ncf/metrics.json" && ok "6040 held-out cases" || not_ok "case count"
[ "$(head -n 1 "$WORK/ncf/recommendations.tsv")" = "$(printf 'algorithm\tuser\trank\titem\tscore\theld_out')" ] \
  && ok "held_out column for candidate protocols" || not_ok "recommendations header"
finish
