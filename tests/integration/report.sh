#!/usr/bin/env bash
# `tailrec report` on real runs: two seeds of most_popular and item_knn on the embedded dataset, then
# the report's files, plots (PNG magic, SVG well-formed), an incomplete folder's warning, the
# missing-gnuplot path, a sweep folder (when --multirun exists) and, with chromium, the HTML page
# rendered headless with every image present.
source "$(dirname "$0")/lib.bash"

runs="$WORK/runs"
for seed in 1 2; do
  "$TAILREC" run 'algorithms=[most_popular,item_knn]' 'metrics.names=[ndcg,aplt]' run.seed=$seed \
    run.dir="$runs/s$seed" run.threads=2 >"$WORK/run$seed.out" 2>&1 \
    && ok "run seed $seed" || { not_ok "run seed $seed: $(tail -n 3 "$WORK/run$seed.out")"; finish; }
done
# An unfinished run: a folder without metrics.json.
mkdir -p "$runs/unfinished" && cp "$runs/s1/config.yaml" "$runs/unfinished/"

out="$WORK/report"
start=$(date +%s%N)
"$TAILREC" report "$runs/s1" "$runs/s2" "$runs/unfinished" --out "$out" >"$WORK/report.out" 2>"$WORK/report.err" \
  && ok "report exits 0" || not_ok "report failed: $(cat "$WORK/report.err")"
end=$(date +%s%N)
echo "# tailrec report on 2 runs: $(( (end - start) / 1000000 )) ms"
grep -q "warning: $runs/unfinished: skipped, no metrics.json" "$WORK/report.err" \
  && ok "incomplete folder named in a warning" || not_ok "no warning for the incomplete folder: $(cat "$WORK/report.err")"
[ "$(tail -n 1 "$WORK/report.out")" = "$out" ] && ok "last line is the report folder" || not_ok "last line: $(tail -n 1 "$WORK/report.out")"
for f in report.md report.csv report.tex report.html; do
  [ -s "$out/$f" ] && ok "$f written" || not_ok "$f missing"
done
ls -a "$out" | grep -q '^\.staging' && not_ok "staging folder left behind" || ok "no staging folder left"

md="$out/report.md"
grep -qF '| setting | seeds | ndcg@10 ↑ | aplt@10 ↑ |' "$md" && ok "markdown header" || not_ok "markdown header: $(grep '^| setting' "$md")"
grep -qE '^\| item_knn \| 1, 2 \| \*\*0\.[0-9]{4} ± 0\.[0-9]{4}\*\* \|' "$md" && ok "item_knn has the best ndcg@10 (bold)" \
  || not_ok "item_knn row: $(grep '^| item_knn' "$md")"
grep -qE '^\| most_popular \| 1, 2 \| 0\.[0-9]{4} ± 0\.[0-9]{4}† \|' "$md" && ok "most_popular ndcg@10 marked significantly worse" \
  || not_ok "most_popular row: $(grep '^| most_popular' "$md")"
# The table's ndcg@10 means are the mean of the two runs' metrics.json values.
expected=$(python3 -c "
import json
v=[json.load(open('$runs/s%d/metrics.json'%s))['algorithms']['item_knn']['metrics']['ndcg@10'] for s in (1,2)]
print('%.4f' % ((v[0]+v[1])/2))" 2>/dev/null || echo skip)
if [ "$expected" != skip ]; then
  grep -qF "| item_knn | 1, 2 | **$expected ±" "$md" && ok "mean over seeds matches metrics.json ($expected)" \
    || not_ok "item_knn mean: expected $expected in $(grep '^| item_knn' "$md")"
fi
grep -q '^context,setting,metric,direction,seeds,n,mean,std,ci95_low,ci95_high,' "$out/report.csv" && ok "csv with CI columns" || not_ok "csv header"
grep -q '\\toprule' "$out/report.tex" && grep -q 'item\\_knn' "$out/report.tex" && ok "latex booktabs, escaped" || not_ok "latex"
for p in accuracy_longtail popularity_bias user_activity; do
  [ -s "$out/plots/$p.dat" ] && [ -s "$out/plots/$p.gp" ] && ok "$p data and script" || not_ok "$p data/script missing"
done

png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
svg_ok() {
  if command -v xmllint >/dev/null; then xmllint --noout "$1" 2>/dev/null; else grep -q '<svg' "$1"; fi
}
if command -v gnuplot >/dev/null; then
  for p in accuracy_longtail popularity_bias user_activity; do
    png_ok "$out/plots/$p.png" && ok "$p.png is a PNG" || not_ok "$p.png missing or not a PNG"
    svg_ok "$out/plots/$p.svg" && ok "$p.svg parses" || not_ok "$p.svg missing or malformed"
  done
else
  echo "# gnuplot not installed: PNG/SVG checks skipped"
fi

# Without gnuplot: data and scripts stay, a clear note, exit 0; the scripts re-draw from anywhere.
status=0
PATH=/nonexistent "$TAILREC" report "$runs/s1" "$runs/s2" --out "$WORK/nognuplot" >/dev/null 2>"$WORK/nognuplot.err" || status=$?
[ "$status" -eq 0 ] && grep -qF "gnuplot not found: install gnuplot-nox and run \`gnuplot $WORK/nognuplot/plots/*.gp\`" "$WORK/nognuplot.err" \
  && ok "missing gnuplot: note and exit 0" || not_ok "missing gnuplot (status $status): $(cat "$WORK/nognuplot.err")"
[ -s "$WORK/nognuplot/plots/popularity_bias.gp" ] && [ ! -e "$WORK/nognuplot/plots/popularity_bias.png" ] \
  && ok "missing gnuplot: scripts kept, no images" || not_ok "missing gnuplot: plots folder"
if command -v gnuplot >/dev/null; then
  (cd / && gnuplot "$WORK"/nognuplot/plots/*.gp) 2>"$WORK/redraw.err" && png_ok "$WORK/nognuplot/plots/user_activity.png" \
    && ok "scripts re-draw with gnuplot DIR/plots/*.gp" || not_ok "re-draw: $(cat "$WORK/redraw.err")"
fi

# A sweep folder gives the same rows as the two plain runs.
if "$TAILREC" run --help 2>/dev/null | grep -q -- '--multirun'; then
  if "$TAILREC" run --multirun 'algorithms=[most_popular,item_knn]' 'metrics.names=[ndcg,aplt]' 'run.seed=1,2' \
    run.threads=2 sweep.dir="$WORK/sweep" >"$WORK/sweep.out" 2>&1; then
    "$TAILREC" report "$WORK/sweep" --format md --no-plots >/dev/null 2>"$WORK/sweep_report.err" \
      && ok "report on a sweep folder" || not_ok "report on the sweep: $(cat "$WORK/sweep_report.err")"
    rows() { grep -E '^\| (most_popular|item_knn) \| 1, 2 \|' "$1" || true; }
    plain_rows="$(rows "$md")" sweep_rows="$(rows "$WORK/sweep/report/report.md")"
    [ "$(wc -l <<<"$sweep_rows")" -eq 2 ] && [ "$plain_rows" = "$sweep_rows" ] && ok "sweep rows equal the plain runs' rows" \
      || not_ok "sweep rows differ: plain: $plain_rows; sweep: $sweep_rows"
  else
    not_ok "sweep run failed: $(tail -n 3 "$WORK/sweep.out")"
  fi
else
  echo "# tailrec run has no --multirun yet: sweep check skipped"
fi

# The HTML page in a real browser: renders, and every image it shows exists.
if [ -x /usr/bin/chromium ]; then
  html="file://$out/report.html"
  chrome=(timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --user-data-dir="$WORK/chrome"
          --enable-logging=stderr --v=0)
  "${chrome[@]}" --screenshot="$WORK/shot.png" --window-size=1280,2000 "$html" >"$WORK/chrome.out" 2>&1 || true
  size=$(stat -c %s "$WORK/shot.png" 2>/dev/null || echo 0)
  png_ok "$WORK/shot.png" && [ "$size" -gt 50000 ] && ok "chromium screenshot ($size bytes)" || not_ok "chromium screenshot ($size bytes)"
  grep -E 'Failed to load|ERR_FILE_NOT_FOUND|Uncaught' "$WORK/chrome.out" && not_ok "chromium reported page errors" \
    || ok "chromium: no page errors"
  "${chrome[@]}" --dump-dom "$html" >"$WORK/dom.html" 2>/dev/null || true
  images=$(grep -o '<img src="[^"]*"' "$WORK/dom.html" | sed 's/<img src="//; s/"$//' || true)
  n=0 missing=0
  for img in $images; do
    n=$((n + 1))
    [ -s "$out/$img" ] || { missing=$((missing + 1)); echo "# missing image $img"; }
  done
  want=0
  command -v gnuplot >/dev/null && want=3  # without gnuplot the page shows a note instead of images
  [ "$n" -eq "$want" ] && [ "$missing" -eq 0 ] && ok "DOM shows $n images, all present" \
    || not_ok "DOM images: $n found (wanted $want), $missing missing"
  [ -n "${TAILREC_REPORT_SHOT:-}" ] && cp "$WORK/shot.png" "$TAILREC_REPORT_SHOT"
else
  echo "# chromium not installed: browser check skipped"
fi
finish
