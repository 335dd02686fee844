#!/usr/bin/env bash
# `tailrec report` on real runs: two seeds of most_popular and item_knn on the embedded dataset, then
# the report's files, plots (PNG magic, SVG well-formed), an incomplete folder's warning, the
# missing-gnuplot path, a sweep folder (when --multirun exists), a 3-fold k-fold sweep (one row per
# algorithm, mean ± std over folds, a paired test over (fold, user) pairs), hand-made runs with
# "strata" (tables, escaping, plots), a cold_items run's Cold start section and, with chromium, the
# HTML page rendered headless with every image present.
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

# K-fold: the folds of one setting are one row (mean ± std over folds) and the paired test pairs
# (fold, user) values; the expected numbers are recomputed here from the runs' own files.
if "$TAILREC" run --multirun 'algorithms=[most_popular,item_knn]' 'metrics.names=[ndcg]' metrics.k=5 split=kfold \
  split.folds=3 'split.fold=0,1,2' run.seed=1 run.threads=2 sweep.dir="$WORK/kfold" >"$WORK/kfold.out" 2>&1; then
  "$TAILREC" report "$WORK/kfold" --format md csv --no-plots >/dev/null 2>"$WORK/kfold_report.err" \
    && ok "report on a k-fold sweep" || not_ok "k-fold report: $(cat "$WORK/kfold_report.err")"
  kmd="$WORK/kfold/report/report.md"
  [ "$(grep -c '^## ' "$kmd")" -eq 1 ] && ok "k-fold: one table for the three folds" || not_ok "k-fold tables: $(grep '^## ' "$kmd")"
  grep -qF '| setting | replicates | ndcg@5 ↑ |' "$kmd" && ok "k-fold: replicates column" || not_ok "k-fold header: $(grep '^| setting' "$kmd")"
  expected=$(python3 -c "
import json, statistics, glob
v = [json.load(open(f))['algorithms']['item_knn']['metrics']['ndcg@5'] for f in sorted(glob.glob('$WORK/kfold/[0-9]*/metrics.json'))]
assert len(v) == 3
print('%.4f ± %.4f' % (statistics.mean(v), statistics.stdev(v)))")
  grep -qF "| item_knn | fold 0, 1, 2 · seed 1 | **$expected** |" "$kmd" && ok "k-fold: item_knn mean ± std over folds ($expected)" \
    || not_ok "k-fold item_knn: expected $expected in $(grep '^| item_knn' "$kmd")"
  grep -qE '^\| most_popular \| fold 0, 1, 2 · seed 1 \| 0\.[0-9]{4} ± 0\.[0-9]{4}† \|' "$kmd" \
    && ok "k-fold: most_popular marked by the paired test" || not_ok "k-fold most_popular: $(grep '^| most_popular' "$kmd")"
  [ "$(grep -cE '^\| (most_popular|item_knn) \| fold' "$kmd")" -eq 2 ] && ok "k-fold: one row per algorithm" \
    || not_ok "k-fold rows: $(grep -E '^\| (most_popular|item_knn)' "$kmd")"
  # Pairs: every (fold, user) with a defined value for both algorithms, counted from per_user_metrics.
  pairs=$(python3 -c "
import gzip, glob
n = 0
for f in sorted(glob.glob('$WORK/kfold/[0-9]*/per_user_metrics.tsv.gz')):
    rows = [l.rstrip('\n').split('\t') for l in gzip.open(f, 'rt')]
    col = rows[0].index('ndcg@5')
    by = {}
    for r in rows[1:]:
        if r[col] != '': by.setdefault(r[0], set()).add(r[1])
    n += len(by['most_popular'] & by['item_knn'])
print(n)")
  csv_pairs=$(python3 -c "
import csv
for r in csv.DictReader(open('$WORK/kfold/report/report.csv')):
    if r['setting'] == 'most_popular' and r['metric'] == 'ndcg@5': print(r['pairs'])")
  [ -n "$pairs" ] && [ "$pairs" = "$csv_pairs" ] && ok "k-fold: the test pairs $pairs (fold, user) values" \
    || not_ok "k-fold pairs: report.csv $csv_pairs, per_user_metrics $pairs"
else
  not_ok "k-fold sweep failed: $(tail -n 3 "$WORK/kfold.out")"
fi

# Stratified accuracy: two hand-made runs (copies of s1 and s2 with a "strata" section) whose
# report tables hold the fixture's numbers; a group name with markup, quotes and a backquote.
strata="$WORK/strata"
mkdir -p "$strata"
for seed in 1 2; do
  cp -r "$runs/s$seed" "$strata/s$seed"
  rm -rf "$strata/s$seed/report"
  python3 - "$strata/s$seed/metrics.json" "$seed" <<'PY'
import json, sys
path, seed = sys.argv[1], int(sys.argv[2])
m = json.load(open(path))
m["strata"] = {
  "metrics": ["ndcg@10", "recall@10"],
  "items": {"by": "long_tail", "groups": [
    {"name": "head", "description": "pareto(share=0.8) head: 312 items with >= 40 training users", "items": 312, "relevant": 1234},
    {"name": "tail", "description": "the other items with a training interaction", "items": 8000 + seed, "relevant": 456},
    {"name": "cold", "description": "items without a training interaction", "items": 734, "relevant": 90}]},
  "users": {"by": "quantiles", "groups": [
    {"name": "q1", "description": "1-20 training items (least active third)", "users": 200},
    {"name": "q2 `touch pwned` \"x\" <b>|", "description": "21-60 training items", "users": 201},
    {"name": "cold", "description": "no training interaction", "users": 0}]}}
head = {1: 0.12, 2: 0.14}[seed]
m["algorithms"]["item_knn"]["strata"] = {
  "items": {"head": {"ndcg@10": head, "recall@10": 0.2}, "tail": {"ndcg@10": 0.01 * seed, "recall@10": 0.02},
            "cold": {"ndcg@10": None, "recall@10": None}},
  "users": {"q1": {"ndcg@10": 0.05, "recall@10": 0.1}, "q2 `touch pwned` \"x\" <b>|": {"ndcg@10": 0.07, "recall@10": 0.1},
            "cold": {"ndcg@10": None, "recall@10": None}}}
m["algorithms"]["most_popular"]["strata"] = {
  "items": {"head": {"ndcg@10": 0.3, "recall@10": 0.4}, "tail": {"ndcg@10": 0.0, "recall@10": 0.0},
            "cold": {"ndcg@10": None, "recall@10": None}}}
json.dump(m, open(path, "w"), indent=2)
PY
done
(cd "$WORK" && "$TAILREC" report "$strata/s1" "$strata/s2" --out "$WORK/strata_report" >/dev/null 2>"$WORK/strata.err") \
  && ok "report on runs with strata" || not_ok "strata report: $(cat "$WORK/strata.err")"
smd="$WORK/strata_report/report.md"
grep -qF '| setting | head | tail | cold |' "$smd" && ok "strata: item groups in order" || not_ok "strata header: $(grep -F 'head |' "$smd")"
# item_knn head: mean of 0.12 and 0.14 = 0.1300, sample std 0.0141; tail 0.01, 0.02 -> 0.0150 ± 0.0071.
grep -qF '| item_knn | 0.1300 ± 0.0141 | **0.0150 ± 0.0071** | — |' "$smd" && ok "strata: item_knn ndcg@10 by popularity" \
  || not_ok "strata item_knn: $(grep -F '| item_knn |' "$smd")"
grep -qF '| most_popular | **0.3000 ± 0.0000** | 0.0000 ± 0.0000 | — |' "$smd" && ok "strata: most_popular ndcg@10 by popularity" \
  || not_ok "strata most_popular: $(grep -F '| most_popular |' "$smd")"
grep -qF '| tail | the other items with a training interaction | 8001.5 (8001–8002) | 456 |' "$smd" \
  && ok "strata: group definitions with counts (mean (smallest–largest))" || not_ok "strata groups: $(grep -F '| tail |' "$smd")"
grep -qF '| item_knn | **0.0500 ± 0.0000** | **0.0700 ± 0.0000** | — |' "$smd" && ok "strata: by user activity" \
  || not_ok "strata users: $(grep -F 'Accuracy by user activity' -A6 "$smd")"
grep -qF 'q2 \`touch pwned\` "x" &lt;b&gt;\|' "$smd" && ok "strata: group name escaped in markdown" \
  || not_ok "strata markdown escaping: $(grep -F 'touch' "$smd")"
grep -qF 'item_knn,ndcg@10[items=head],higher,,2,0.13,' "$WORK/strata_report/report.csv" && ok "strata: csv rows" \
  || not_ok "strata csv: $(grep -F '[items=head]' "$WORK/strata_report/report.csv")"
grep -qF '&lt;b&gt;|' "$WORK/strata_report/report.html" && ! grep -qF '<b>|' "$WORK/strata_report/report.html" \
  && ok "strata: group name escaped in html" || not_ok "strata html escaping"
for p in accuracy_by_popularity accuracy_by_activity; do
  [ -s "$WORK/strata_report/plots/$p.dat" ] && ok "$p data" || not_ok "$p data missing"
done
grep -q '`' "$WORK/strata_report/plots/accuracy_by_activity.gp" && not_ok "a backquote reached a gnuplot script" \
  || ok "strata: no backquote in the gnuplot scripts"
[ ! -e "$WORK/pwned" ] && [ ! -e "$WORK/strata_report/plots/pwned" ] && ok "strata: no command ran from a group name" \
  || not_ok "a group name ran a command"
if command -v gnuplot >/dev/null; then
  png_ok "$WORK/strata_report/plots/accuracy_by_popularity.png" && png_ok "$WORK/strata_report/plots/accuracy_by_activity.png" \
    && ok "strata plots drawn" || not_ok "strata plots not drawn: $(cat "$WORK/strata.err")"
fi
# Real runs write strata: the seed runs' report shows the section, its numbers from metrics.json.
grep -q 'Accuracy by popularity and activity group' "$md" && ok "strata section on real runs" \
  || not_ok "no strata section on the seed runs"
head_mean=$(python3 -c "
import json
v=[json.load(open('$runs/s%d/metrics.json'%s))['algorithms']['item_knn']['strata']['items']['head']['ndcg@10'] for s in (1,2)]
print('%.4f' % ((v[0]+v[1])/2))")
grep -F "| item_knn |" "$md" | grep -qF "$head_mean" && ok "strata: item_knn's head ndcg@10 mean $head_mean as in metrics.json" \
  || not_ok "strata: $head_mean not in $(grep -F '| item_knn |' "$md")"
# Old runs (metrics.json without strata) have no such section.
mkdir -p "$WORK/old_runs" && cp -r "$runs/s1" "$WORK/old_runs/s1"
python3 -c "
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m.pop('strata')
for a in m['algorithms'].values():
    a.pop('strata')
json.dump(m, open(p, 'w'))" "$WORK/old_runs/s1/metrics.json"
"$TAILREC" report "$WORK/old_runs/s1" --out "$WORK/old_report" --format md --no-plots >"$WORK/old.out" 2>&1 \
  && ! grep -q 'Accuracy by popularity and activity group' "$WORK/old_report/report.md" \
  && ok "no strata section without strata" || not_ok "old runs: $(tail -n 3 "$WORK/old.out")"

# Cold start: held-out items ranked among cold candidates; the section states the counts and which
# model could not score them.
if "$TAILREC" run split=cold_items protocol.candidates=cold 'algorithms=[most_popular,tfidf]' 'metrics.names=[ndcg]' \
  metrics.k=5 run.threads=2 run.dir="$WORK/cold" >"$WORK/cold.out" 2>&1; then
  "$TAILREC" report "$WORK/cold" --format md --no-plots >/dev/null 2>"$WORK/cold_report.err" \
    && ok "report on a cold_items run" || not_ok "cold report: $(cat "$WORK/cold_report.err")"
  cmd_md="$WORK/cold/report/report.md"
  items=$(python3 -c "import json; print(json.load(open('$WORK/cold/metrics.json'))['candidates']['items'])")
  grep -qF '### Cold start' "$cmd_md" && grep -qF "| candidates.items | $items |" "$cmd_md" \
    && ok "cold start: section with $items cold candidate items" || not_ok "cold start counts: $(grep -F 'candidates' "$cmd_md")"
  grep -qF 'Could not score cold items (empty lists among cold candidates): most_popular.' "$cmd_md" \
    && ok "cold start: most_popular could not score cold items" || not_ok "cold start statement: $(grep -F 'cold items' "$cmd_md")"
  grep -qF '| tfidf | yes |' "$cmd_md" && grep -qF '| most_popular | no |' "$cmd_md" && ok "cold start: per-model table" \
    || not_ok "cold start table: $(grep -F '| tfidf |' "$cmd_md")"
  # The random splits of the seed runs leave items that only the test set names: the section counts them.
  grep -q '| strata.items.cold.relevant |' "$md" && ok "cold start section on warm runs states their cold test items" \
    || not_ok "warm runs: no count of cold test items"
  # A run that states no cold user, cold candidate, held-out user or cold test item gets no section.
  grep -q '### Cold start' "$WORK/old_report/report.md" && not_ok "cold start section on a run without cold data" \
    || ok "no cold start section without cold data"
else
  not_ok "cold_items run failed: $(tail -n 3 "$WORK/cold.out")"
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
  # the three plots plus accuracy by popularity and by activity; without gnuplot the page shows a note instead
  command -v gnuplot >/dev/null && want=5
  [ "$n" -eq "$want" ] && [ "$missing" -eq 0 ] && ok "DOM shows $n images, all present" \
    || not_ok "DOM images: $n found (wanted $want), $missing missing"
  [ -n "${TAILREC_REPORT_SHOT:-}" ] && cp "$WORK/shot.png" "$TAILREC_REPORT_SHOT"
else
  echo "# chromium not installed: browser check skipped"
fi
finish
