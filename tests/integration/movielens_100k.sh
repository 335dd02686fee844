#!/usr/bin/env bash
# ML-100K read from the shared data folder (never committed): the README's example run.
source "$(dirname "$0")/lib.bash"
if [ ! -f "$TAILREC_SHARED/datasets/ml-100k/u.data" ]; then
  echo "skipped: $TAILREC_SHARED/datasets/ml-100k is missing"
  exit 0
fi
out="$("$TAILREC" run dataset=ml100k dataset.data_dir="$TAILREC_SHARED/datasets" 'algorithms=[most_popular,random]' run.dir="$WORK/ml100k" 2>/dev/null)"
grep -q '"users": 943' "$WORK/ml100k/metrics.json" && grep -q '"items": 1682' "$WORK/ml100k/metrics.json" \
  && ok "ml100k: 943 users x 1682 items" || not_ok "ml100k dataset size"
grep -q '"interactions": 100000' "$WORK/ml100k/metrics.json" && ok "ml100k: 100000 interactions" || not_ok "ml100k interactions"
grep -q "most_popular" <<<"$out" && ok "table printed" || not_ok "table"
# u1.base / u1.test as a fixed split.
"$TAILREC" run dataset=ml100k dataset.data_dir="$TAILREC_SHARED/datasets" split=fixed \
  split.train="$TAILREC_SHARED/datasets/ml-100k/u1.base" split.test="$TAILREC_SHARED/datasets/ml-100k/u1.test" \
  'algorithms=[most_popular]' run.dir="$WORK/u1" >/dev/null 2>&1 && grep -q '"test": 20000' "$WORK/u1/metrics.json" \
  && ok "fixed split u1.base/u1.test: 20000 test ratings" || not_ok "fixed split u1"
finish
