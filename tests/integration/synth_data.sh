#!/usr/bin/env bash
# `tailrec data synth ml20m_like`: a small draw is read by dataset=ml20m and by dataset=delimited,
# the same seed gives the same bytes, and bad arguments fail with one clear message.
source "$(dirname "$0")/lib.bash"
# Errors first: expect_error also checks that no run folder under $WORK claims completion.
expect_error "unknown generator" "unknown generator 'ml30m'" -- data synth ml30m --out "$WORK/x"
expect_error "scale out of range" "--scale 20 is out of range" -- data synth ml20m_like --out "$WORK/x" --scale 20
expect_error "scale too small" "use --scale 0.00025 or more" -- data synth ml20m_like --out "$WORK/x" --scale 0.0000001
# scale 0.002: round(138493 * 0.002) = 277 users, round(26744 * sqrt(0.002)) = 1196 items,
# round(20000263 * 0.002) = 40001 ratings.
"$TAILREC" data synth ml20m_like --out "$WORK/a" --scale 0.002 --seed 5 >"$WORK/a.out" \
  && ok "synth exits 0" || not_ok "synth failed: $(cat "$WORK/a.out")"
[ "$(head -1 "$WORK/a/ratings.csv")" = "userId,movieId,rating,timestamp" ] && ok "ml-20m header" || not_ok "header"
[ "$(($(wc -l <"$WORK/a/ratings.csv") - 1))" -eq 40001 ] && ok "40001 ratings" || not_ok "rating count"
[ "$(tail -n +2 "$WORK/a/ratings.csv" | cut -d, -f1,2 | sort -u | wc -l)" -eq 40001 ] \
  && ok "distinct user-item pairs" || not_ok "duplicate pairs"
[ "$(tail -n +2 "$WORK/a/ratings.csv" | cut -d, -f1 | sort | uniq -c | awk '$1 < 20' | wc -l)" -eq 0 ] \
  && ok "every user has >= 20 ratings" || not_ok "a user with fewer than 20 ratings"
"$TAILREC" data synth ml20m_like --out "$WORK/b" --scale 0.002 --seed 5 >/dev/null
cmp -s "$WORK/a/ratings.csv" "$WORK/b/ratings.csv" && cmp -s "$WORK/a/movies.csv" "$WORK/b/movies.csv" \
  && ok "same seed, same bytes" || not_ok "same seed gave different files"

"$TAILREC" run dataset=ml20m dataset.data_dir="$WORK/a" 'algorithms=[most_popular]' run.dir="$WORK/run" >/dev/null 2>&1
grep -q '"users": 277' "$WORK/run/metrics.json" && grep -q '"items": 1196' "$WORK/run/metrics.json" \
  && grep -q '"interactions": 40001' "$WORK/run/metrics.json" && ok "dataset=ml20m reads it" || not_ok "dataset=ml20m"
"$TAILREC" run dataset=delimited dataset.path="$WORK/a/ratings.csv" dataset.columns.user=userId \
  dataset.columns.item=movieId dataset.columns.rating=rating dataset.columns.timestamp=timestamp \
  'algorithms=[most_popular]' run.dir="$WORK/delimited" >/dev/null 2>&1
grep -q '"interactions": 40001' "$WORK/delimited/metrics.json" && ok "dataset=delimited reads it" || not_ok "dataset=delimited"

finish
