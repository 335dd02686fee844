#!/usr/bin/env bash
# Every registered algorithm, on CPU, on the embedded dataset: two runs with the same seed are
# bit-identical, and so are runs with 1 and 2 threads (recommendations.tsv, metrics.csv and
# per_user_metrics.tsv.gz compared byte for byte, per algorithm). Each run computes everything
# afresh (run.cache=false: no dataset or embedding cache shared between the runs).
# Kept small for ~3 minutes on 2 cores: items with >= 20 ratings (about 1,300 items, so EASE's
# Gram inverse is quick), neural models 2 epochs (neumf: 1 pretraining epoch), BERT from the tiny
# random fixture checkpoint (../shared/fixtures/bert/tiny-random-bert; skipped without it).
source "$(dirname "$0")/lib.bash"

model="$TAILREC_SHARED/fixtures/bert/tiny-random-bert"
mkdir -p "$WORK/cfg/experiment"
# Every registered algorithm runs with its defaults, except where a default is too slow for this
# test (the neural models' epochs) or names what no default can ship (a BERT checkpoint); a few
# variants run beside the defaults. A new algorithm is covered without touching this file.
has_model=false
[ -f "$model/config.json" ] && has_model=true
names=$("$TAILREC" list algorithms | grep -E '^[a-z_0-9]+$') || true
if [ "$(wc -w <<<"$names")" -lt 10 ]; then
  not_ok "tailrec list algorithms named only: $names"
  finish
  exit 1
fi
{
  echo "preprocess: {min_item_interactions: 20}"
  echo "algorithms:"
  for name in $names; do
    case $name in
      bpr_mf | gmf | mlp) echo "  - {name: $name, epochs: 2}" ;;
      neumf) echo "  - {name: neumf, epochs: 2, pretrain_epochs: 1}" ;;
      bert | embedding_regression) if $has_model; then echo "  - {name: $name, model: \"$model\"}"; fi ;;
      *) echo "  - $name" ;;
    esac
  done
  echo "  - {name: embedding_regression, label: embedding_regression_tfidf, embeddings: tfidf}"
  echo "  - {name: rerank, label: rerank_xquad, method: xquad}"
  if $has_model; then echo "  - {name: bert, label: bert_knn, mode: item_knn, model: \"$model\"}"; fi
} >"$WORK/cfg/experiment/determinism.yaml"
if ! $has_model; then echo "# no BERT fixture at $model: bert and embedding_regression (bert) skipped"; fi

run() {  # run NAME THREADS
  local start=$SECONDS
  if "$TAILREC" run --config-dir "$WORK/cfg" experiment=determinism metrics=all run.cache=false \
    run.seed=42 run.threads="$2" run.dir="$WORK/$1" >"$WORK/$1.out" 2>&1; then
    echo "# run $1 (run.threads=$2): $((SECONDS - start)) s"
  else
    not_ok "run $1 (run.threads=$2) failed: $(tail -5 "$WORK/$1.out")"
    finish
    exit 1
  fi
}
run a 1
run b 1
run c 2

# Rows of one algorithm (first column = label) of a run's file.
rows() { awk -F'\t' -v label="$2" 'NR == 1 || $1 == label' <(case "$1" in *.gz) zcat "$1" ;; *) cat "$1" ;; esac); }
labels=$(tail -n +2 "$WORK/a/metrics.csv" | cut -f1)
compare() {  # compare OTHER WHAT
  local differ=""
  for label in $labels; do
    for f in recommendations.tsv metrics.csv per_user_metrics.tsv.gz; do
      cmp -s <(rows "$WORK/a/$f" "$label") <(rows "$WORK/$1/$f" "$label") || differ="$differ $label:$f"
    done
  done
  if [ -z "$differ" ] && cmp -s "$WORK/a/recommendations.tsv" "$WORK/$1/recommendations.tsv" &&
    cmp -s "$WORK/a/metrics.csv" "$WORK/$1/metrics.csv"; then
    ok "$2: $(wc -w <<<"$labels") algorithms bit-identical (recommendations, metrics, per-user values)"
  else
    not_ok "$2 differ:$differ"
  fi
}
compare b "same seed, run twice"
compare c "1 and 2 threads"
finish
