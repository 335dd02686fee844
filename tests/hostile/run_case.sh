#!/usr/bin/env bash
# Runs one hostile-input case of cases.tsv and checks that tailrec refuses it cleanly: exit status
# 1..127 (not a crash), exactly one 'error:' line on stderr that contains the expected substrings,
# is at most 4096 bytes and has no control characters, and no run folder marked complete.
# Usage: TAILREC=path/to/tailrec bash tests/hostile/run_case.sh NAME   (a "#NAME" line runs too)
set -euo pipefail
: "${TAILREC:?set TAILREC to the tailrec binary}"
name="${1:?usage: run_case.sh CASE_NAME}"
here="$(cd "$(dirname "$0")" && pwd)"
line="$(awk -F'\t' -v n="$name" '$1 == n || $1 == "#" n' "$here/cases.tsv")"
[ -n "$line" ] || { echo "no case '$name' in $here/cases.tsv"; exit 1; }
expected="$(cut -f2 <<<"$line")"
arguments="$(cut -f3- <<<"$line")"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export TAILREC_CACHE_DIR="$WORK/cache"
dir="$here/cases/$name"

# Generated, not committed: the 10 MB inputs, and the MovieLens-format ones (make_corpus.py says why).
ten_mb=$((10 * 1024 * 1024))
case "$name" in
  csv_10mb_rating)  # a 10 MB rating field on line 3 (its echo must be cut short)
    dir="$WORK/input" && mkdir -p "$dir"
    { printf 'user,item,rating,ts\n1,10,4,100\n2,11,'; head -c "$ten_mb" /dev/zero | tr '\0' 9; printf ',101\n3,12,5,102\n'; } >"$dir/ratings.csv" ;;
  csv_10mb_line)  # one 10 MB line of 2.6 million columns, no newline at the end
    dir="$WORK/input" && mkdir -p "$dir"
    { printf 'user,item,rating,ts\n'; head -c "$((ten_mb / 4))" /dev/zero | tr '\0' 1 | sed 's/1/1,2,/g'; } >"$dir/ratings.csv" ;;
  ml100k_*|ml1m_*|yaml_5000_unknown_keys)
    dir="$WORK/input"
    python3 "$here/make_corpus.py" --case "$name" "$dir" ;;
esac
[[ "$arguments" != *@DIR@* || -d "$dir" ]] || { echo "case folder $dir is missing (run tests/hostile/make_corpus.py)"; exit 1; }

arguments="${arguments//@DIR@/$(printf '%q' "$dir")}"
arguments="${arguments//@WORK@/$(printf '%q' "$WORK")}"
eval "args=($arguments)"

status=0
(cd "$WORK" && "$TAILREC" "${args[@]}") >"$WORK/stdout" 2>"$WORK/stderr" </dev/null || status=$?
failures=()
if [ "$status" -lt 1 ] || [ "$status" -gt 127 ]; then failures+=("exit status $status (wanted 1..127)"); fi
LC_ALL=C grep -a '^error:' "$WORK/stderr" >"$WORK/errors" || true
count="$(wc -l <"$WORK/errors")"
if [ "$count" -ne 1 ]; then
  failures+=("$count lines start with 'error:' (wanted exactly 1)")
else
  message="$(LC_ALL=C tr -d '\000' <"$WORK/errors")"
  IFS=$'\x1f' read -r -a parts <<<"${expected// && /$'\x1f'}"
  for part in "${parts[@]}"; do
    [[ "$message" == *"$part"* ]] || failures+=("the error lacks '$part'")
  done
  bytes="$(wc -c <"$WORK/errors")"
  [ "$bytes" -le 4096 ] || failures+=("the error line is $bytes bytes (at most 4096)")
  if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\t\n' <"$WORK/errors"); then
    failures+=("the error line holds control characters (NUL, CR, escape ...)")
  fi
fi
if grep -rqs '"status": "complete"' "$WORK" --include=metrics.json; then failures+=("a run folder claims completion"); fi

if [ "${#failures[@]}" -eq 0 ]; then
  echo "ok - $name: exit $status; $(head -c 300 "$WORK/errors" | tr -d '\000')"
  exit 0
fi
echo "not ok - $name"
for f in "${failures[@]}"; do echo "  $f"; done
echo "  command: tailrec ${args[*]}"
echo "  exit status: $status; stderr (last 5 lines, 300 bytes each):"
tail -n 5 "$WORK/stderr" | cut -c1-300 | tr -d '\000' | sed 's/^/    /'
exit 1
