#!/usr/bin/env bash
# Nothing tailrec writes leaves the folder it belongs to, with symlinks planted at every path a run,
# a report, a sweep, a check and an embed write (docs/security.md). Each planted link points into
# $VICTIM; after every command the victim's files must be byte for byte what they were, and a
# link must have been either refused with a clear error or replaced (never written through).
source "$(dirname "$0")/lib.bash"
DONE="$(mktemp -d)"  # complete runs live here: expect_error checks that none under $WORK claims completion
trap 'rm -rf "$WORK" "$DONE"' EXIT
VICTIM="$WORK/victim"
mkdir -p "$VICTIM/folder"
for f in config.yaml overrides.yaml metrics.json metrics.csv recommendations.tsv per_user_metrics.tsv.gz \
  item_exposure.tsv.gz user_activity.tsv.gz run.log report.md report.csv report.html report.tex multirun.yaml \
  sweep.jsonl embeddings.tsv; do
  echo "victim $f" >"$VICTIM/$f"
done
snapshot() { (cd "$VICTIM" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . | sort); }
snapshot >"$WORK/victim.before"
victim_intact() {  # NAME: the victim folder is as it was
  if snapshot | cmp -s - "$WORK/victim.before"; then ok "$1: nothing outside the folder changed"; else
    not_ok "$1: the victim folder changed: $(snapshot | diff - "$WORK/victim.before" | head -5 | tr '\n' ' ')"; fi
}
run_small=(run 'algorithms=[most_popular]' 'metrics.names=[ndcg,coverage]' run.progress=false run.threads=1)

# 1. A run folder whose every result file is a link (its overrides.yaml marks it as an unfinished run):
#    the run completes, each link is replaced by the run's own file.
R="$DONE/run_links"
mkdir -p "$R"
files=(config.yaml overrides.yaml metrics.json metrics.csv recommendations.tsv per_user_metrics.tsv.gz
  item_exposure.tsv.gz user_activity.tsv.gz)
for f in "${files[@]}"; do ln -s "$VICTIM/$f" "$R/$f"; done
if "$TAILREC" "${run_small[@]}" run.dir="$R" >"$WORK/out" 2>&1; then
  links=0
  for f in "${files[@]}"; do [ -L "$R/$f" ] && links=$((links + 1)); done
  [ "$links" -eq 0 ] && ok "run: every planted result link was replaced by a file" || not_ok "run: $links links left"
else
  not_ok "run over planted file links failed: $(tail -2 "$WORK/out")"
fi
victim_intact "run over planted file links"

# 2. Links where the run writes a log or makes a folder of its own: refused, nothing written through.
R="$WORK/run_log_link" && mkdir -p "$R" && : >"$R/overrides.yaml" && ln -s "$VICTIM/run.log" "$R/run.log"
expect_error "run: run.log is a link" "symbolic link" -- "${run_small[@]}" run.dir="$R"
R="$WORK/run_private_link" && mkdir -p "$R" && : >"$R/overrides.yaml" && ln -s "$VICTIM/folder" "$R/private"
expect_error "run: private/ is a link (the salt would leave the run)" "symbolic link" -- \
  "${run_small[@]}" run.anonymize_users=true run.dir="$R"
R="$WORK/run_work_link" && mkdir -p "$R" && : >"$R/overrides.yaml" && ln -s "$VICTIM/folder" "$R/work"
expect_error "run: work/ is a link (a model checkpoint would leave the run)" "symbolic link" -- \
  run 'algorithms=[{name: gmf, epochs: 1, factors: 4}]' 'metrics.names=[ndcg]' run.progress=false run.dir="$R"
R="$DONE/run_previous_link" && "$TAILREC" "${run_small[@]}" run.dir="$R" >/dev/null 2>&1
ln -s "$VICTIM/folder" "$R/.tailrec-previous"
expect_error "run: the folder an overwritten run is kept in is a link" "not a folder" -- \
  "${run_small[@]}" run.overwrite=true run.dir="$R"
R="$WORK/run_log_hardlink" && mkdir -p "$R" && : >"$R/overrides.yaml" && ln "$VICTIM/run.log" "$R/run.log"
expect_error "run: run.log is a hard link" "hard link" -- "${run_small[@]}" run.dir="$R"
R="$WORK/run_lock_hardlink" && mkdir -p "$R" && : >"$R/overrides.yaml" && ln "$VICTIM/config.yaml" "$R/.tailrec.lock"
expect_error "run: .tailrec.lock is a hard link" "hard link" -- "${run_small[@]}" run.dir="$R"
victim_intact "runs over planted folder links"

# 3. A report: its result files are links (replaced), its plots/ a link (refused).
Q="$DONE/run_links"
O="$WORK/report_links" && mkdir -p "$O"
for f in report.md report.csv report.html report.tex; do ln -s "$VICTIM/$f" "$O/$f"; done
if "$TAILREC" report "$Q" --out "$O" --no-plots >"$WORK/out" 2>&1; then
  [ -f "$O/report.md" ] && [ ! -L "$O/report.md" ] && [ ! -L "$O/report.csv" ] \
    && ok "report: the planted report links were replaced" || not_ok "report: links left in $O"
else
  not_ok "report over planted links failed: $(tail -2 "$WORK/out")"
fi
O="$WORK/report_plots_link" && mkdir -p "$O" && ln -s "$VICTIM/folder" "$O/plots"
if command -v gnuplot >/dev/null; then
  expect_error "report: plots/ is a link" "symbolic link" -- report "$Q" --out "$O" --format md
fi
R2="$DONE/run_report_link" && "$TAILREC" "${run_small[@]}" run.dir="$R2" >/dev/null 2>&1
ln -s "$VICTIM/folder" "$R2/report"
expect_error "report: the default <run>/report is a link" "symbolic link" -- report "$R2" --no-plots
victim_intact "reports over planted links"

# 4. model embed: --output a link (replaced), --output the input itself or a FIFO (refused).
BERT="$TAILREC_SHARED/fixtures/bert/tiny-random-bert"
if [ -d "$BERT" ]; then
  printf 'a first text\na second one\n' >"$WORK/texts.txt"
  ln -s "$VICTIM/embeddings.tsv" "$WORK/embeddings.tsv"
  "$TAILREC" model embed --model "$BERT" --input "$WORK/texts.txt" --output "$WORK/embeddings.tsv" >"$WORK/out" 2>&1 \
    && [ -f "$WORK/embeddings.tsv" ] && [ ! -L "$WORK/embeddings.tsv" ] \
    && ok "embed: a link at --output is replaced by the file" || not_ok "embed over a link: $(tail -2 "$WORK/out")"
  expect_error "embed: --output is the input" "is the input" -- \
    model embed --model "$BERT" --input "$WORK/texts.txt" --output "$WORK/texts.txt"
  [ "$(head -1 "$WORK/texts.txt")" = "a first text" ] && ok "embed: the input is untouched" || not_ok "embed: input changed"
  mkfifo "$WORK/fifo"
  expect_error "embed: --output is a FIFO" "a FIFO" -- \
    model embed --model "$BERT" --input "$WORK/texts.txt" --output "$WORK/fifo"
  expect_error "embed: --output inside the model folder" "inside the input folder" -- \
    model embed --model "$BERT" --input "$WORK/texts.txt" --output "$BERT/out.tsv"
fi
victim_intact "embeds over planted links"
# 5. A sweep whose unfinished job folder was replaced by a link: the resume refuses it.
S="$DONE/sweep"
if "$TAILREC" run -m 'algorithms=[most_popular]' 'metrics.names=[ndcg]' run.seed=1,2 sweep.dir="$S" run.progress=false \
  >"$WORK/out" 2>&1; then
  rm -rf "$S/1" && ln -s "$VICTIM/folder" "$S/1"
  expect_error "sweep: --resume over a job folder that is a link" "is not a folder" -- run -m --resume "$S"
else
  not_ok "sweep failed: $(tail -2 "$WORK/out")"
fi
victim_intact "a sweep over a planted link"

finish
