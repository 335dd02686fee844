#!/usr/bin/env bash
# configs/experiment/ncf_ml1m.yaml with gmf, mlp and neumf in CI size: the NCF MovieLens-1M files
# (shared data, never committed) cut to the first 600 users, a few epochs, a validation carve-out
# for early stopping. Checks HR@10 floors far above random (~0.1 with 99 negatives), the epoch log,
# neumf starting from the gmf and mlp of the same run, identical results for 2 and 1 threads, and
# that the saved checkpoint reloads with identical metrics and lists.
source "$(dirname "$0")/lib.bash"
NCF="$TAILREC_SHARED/datasets/ml-1m/ncf"
if [ ! -f "$NCF/ml-1m.test.negative" ]; then
  echo "skipped: $NCF is missing"
  exit 0
fi

# Users 0..599 (NCF ids); negatives outside the subsample's catalog (train + test items) are dropped.
SUB="$WORK/ncf-sub"
mkdir -p "$SUB"
awk -F'\t' '$1 < 600' "$NCF/ml-1m.train.rating" >"$SUB/ml-1m.train.rating"
awk -F'\t' '$1 < 600' "$NCF/ml-1m.test.rating" >"$SUB/ml-1m.test.rating"
awk -F'\t' 'FNR == NR { known[$2] = 1; next }
  { split($1, head, /[(,)]/); if (head[2] >= 600) next
    line = $1; for (i = 2; i <= NF; i++) if ($i in known) line = line "\t" $i; print line }' \
  <(cat "$SUB/ml-1m.train.rating" "$SUB/ml-1m.test.rating") "$NCF/ml-1m.test.negative" >"$SUB/ml-1m.test.negative"

COMMON=(experiment=ncf_ml1m split.validation=0.05 run.threads=2 'metrics.names=[hit,ndcg]')
NEUMF='{name: neumf, epochs: 1, batch_size: 512, pretrained_gmf: gmf/model.pt, pretrained_mlp: mlp/model.pt, validation_negatives: 99}'
ALGORITHMS="[{name: gmf, epochs: 3, batch_size: 512, validation_negatives: 99}, {name: mlp, epochs: 3, batch_size: 512, validation_negatives: 99}, $NEUMF]"
start=$(date +%s)
if TAILREC_ML1M_NCF="$SUB" "$TAILREC" run "${COMMON[@]}" "algorithms=$ALGORITHMS" run.dir="$WORK/train" >"$WORK/train.out" 2>&1; then
  ok "gmf, mlp, neumf train on the subsample ($(($(date +%s) - start)) s)"
else
  not_ok "training run failed: $(tail -5 "$WORK/train.out")"
fi
# metric RUN_DIR LABEL NAME: the value in metrics.csv (full precision).
metric() { awk -F'\t' -v label="$2" -v name="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $1 == label { print $col[name] }' "$1/metrics.csv"; }
for algorithm in gmf mlp neumf; do
  hit=$(metric "$WORK/train" "$algorithm" "hit@10")
  awk -v h="${hit:-0}" 'BEGIN{exit !(h > 0.40)}' && ok "$algorithm HR@10 $hit > 0.40 (random ~0.1)" || not_ok "$algorithm HR@10 '$hit'"
done
log="$WORK/train/run.log"
grep -q "gmf epoch 1/3: loss [0-9.]*, [0-9]* samples/s" "$log" && ok "epoch log: loss and samples/s" || not_ok "epoch log lines"
grep -q "validation ndcg@10 [0-9.]*" "$log" && ok "validation metric logged every epoch" || not_ok "no validation line"
grep -q "neumf: pretrained gmf loaded from gmf/model.pt" "$log" && ok "neumf starts from the run's gmf" || not_ok "pretrained gmf not used"
[ -f "$WORK/train/work/neumf/model.pt" ] && ok "best checkpoint saved in the run folder" || not_ok "no work/neumf/model.pt"

# The same run on one thread gives byte-identical metrics and lists (the project's rule: results
# never depend on run.threads).
TAILREC_ML1M_NCF="$SUB" "$TAILREC" run "${COMMON[@]}" run.threads=1 "algorithms=$ALGORITHMS" run.dir="$WORK/one" >/dev/null 2>&1 \
  || not_ok "one-thread run failed"
cmp -s "$WORK/train/metrics.csv" "$WORK/one/metrics.csv" && ok "metrics identical for 2 and 1 threads" || not_ok "metrics differ between 2 and 1 threads"
cmp -s "$WORK/train/recommendations.tsv" "$WORK/one/recommendations.tsv" && ok "recommendations identical for 2 and 1 threads" \
  || not_ok "recommendations differ between 2 and 1 threads"

# The saved model reloads (no training) with the same metrics and lists.
if TAILREC_ML1M_NCF="$SUB" "$TAILREC" run "${COMMON[@]}" \
  "algorithms=[{name: neumf, checkpoint: $WORK/train/work/neumf/model.pt}]" run.dir="$WORK/reload" >"$WORK/reload.out" 2>&1; then
  ok "checkpoint run"
else
  not_ok "checkpoint run failed: $(tail -5 "$WORK/reload.out")"
fi
for m in hit@10 ndcg@10; do
  a=$(metric "$WORK/train" neumf "$m")
  b=$(metric "$WORK/reload" neumf "$m")
  [ -n "$a" ] && [ "$a" = "$b" ] && ok "reloaded $m identical ($a)" || not_ok "reloaded $m: $a vs $b"
done
cmp -s <(grep '^neumf' "$WORK/train/recommendations.tsv") <(grep '^neumf' "$WORK/reload/recommendations.tsv") \
  && ok "reloaded recommendations identical" || not_ok "reloaded recommendations differ"
finish
