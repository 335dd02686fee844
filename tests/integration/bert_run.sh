#!/usr/bin/env bash
# bert and embedding_regression on the embedded dataset with the tiny random BERT checkpoint of
# ../shared/fixtures (meaningless semantics, real code path): the first run encodes the item texts
# and fills the embedding cache, the second run loads them ("embedding cache hit") and gets the
# same numbers; both write a complete metrics.json. A missing model is a clear plan-time error.
source "$(dirname "$0")/lib.bash"

model="$TAILREC_SHARED/fixtures/bert/tiny-random-bert"
if [ ! -f "$model/model.safetensors" ]; then
  echo "skip: $model not available"
  exit 0
fi
expect_error "missing model" "tailrec model fetch org/absent" -- run run.dir="$WORK/bad" "algorithms=[{name: bert, model: org/absent}]"

# Short texts (title + genres, at most 32 tokens) and one thread keep the encoding of 9,724 items
# quick (about 2 s; libtorch's intra-op threads slow down badly when the machine is oversubscribed).
cache="$WORK/cache"
bert="model: '$model', fields: {title: 1, genres: 1}, max_length: 32"
algorithms="algorithms=[most_popular,{name: bert, $bert},{name: embedding_regression, $bert},{name: embedding_regression, label: regression_tfidf, embeddings: tfidf, tfidf_dimensions: 16}]"
for n in 1 2; do
  "$TAILREC" run run.dir="$WORK/run$n" run.cache_dir="$cache" run.threads=1 "$algorithms" 'metrics.names=[ndcg,recall,aplt,rmse,mae]' \
    >"$WORK/out$n" 2>&1 || { not_ok "run $n failed: $(tail -n 5 "$WORK/out$n")"; finish; exit 1; }
  grep -q '"status": "complete"' "$WORK/run$n/metrics.json" && ok "run $n: metrics.json complete" || not_ok "run $n: metrics.json"
done
log1="$WORK/run1/run.log" log2="$WORK/run2/run.log"
# Run 1: bert encodes and stores; embedding_regression (same model, fields and texts) reuses that file.
grep -q 'embedding cache miss: encoded 97[0-9][0-9] texts in .* s, stored ' "$log1" \
  && [ "$(grep -c 'embedding cache hit: ' "$log1")" -eq 1 ] && ok "first run encodes once, the second algorithm hits" \
  || not_ok "first run: $(grep 'embedding cache' "$log1")"
[ "$(grep -c 'embedding cache hit: ' "$log2")" -eq 2 ] && ! grep -q 'embedding cache miss' "$log2" \
  && ok "second run: embedding cache hit" || not_ok "second run: $(grep 'embedding cache' "$log2")"
[ "$(find "$cache/embeddings" -name '*.bin' | wc -l)" -eq 1 ] && ok "one cache file shared by both algorithms" \
  || not_ok "cache files: $(ls "$cache/embeddings")"
cmp -s "$WORK/run1/metrics.csv" "$WORK/run2/metrics.csv" && ok "cached embeddings give identical metrics" || not_ok "metrics differ"
grep -q '"ndcg@10"' "$WORK/run1/metrics.json" && ok "ranking metrics present" || not_ok "ranking metrics"
# metrics.csv: rmse and mae finite (0 < mae <= rmse < 2) for both regressions, empty (n/a) for bert.
awk -F '\t' 'NR == 1 { for (c = 1; c <= NF; ++c) col[$c] = c; next }
  { r = $(col["rmse"]); m = $(col["mae"]) }
  $1 ~ /^(embedding_regression|regression_tfidf)$/ { found++; if (!(r > 0 && r < 2 && m > 0 && m <= r)) bad = 1 }
  $1 == "bert" && (r != "" || m != "") { bad = 1 }
  END { exit !(found == 2 && !bad) }' "$WORK/run1/metrics.csv" \
  && ok "embedding_regression predicts ratings (finite rmse, mae); bert does not" || not_ok "rating metrics: $(cat "$WORK/run1/metrics.csv")"

finish
