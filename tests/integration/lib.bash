# Shared helpers for the integration tests (sourced, not a test itself).
set -euo pipefail
: "${TAILREC:?set TAILREC to the tailrec binary}"
: "${TAILREC_SHARED:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../shared" 2>/dev/null && pwd || echo /nonexistent)}"
export TAILREC_CACHE_DIR="${TAILREC_CACHE_DIR:-$(mktemp -d)}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $1"; }

# expect_error NAME EXPECTED_SUBSTRING -- tailrec args...
# Checks exit status 1..127, one clear 'error:' line containing the substring, and that no run
# folder under $WORK claims completion.
expect_error() {
  local name="$1" expected="$2"
  shift 3
  local out status=0
  out="$("$TAILREC" "$@" 2>&1)" || status=$?
  if [ "$status" -lt 1 ] || [ "$status" -gt 127 ]; then
    not_ok "$name: exit status $status (wanted 1..127); output: $out"
    return
  fi
  if ! grep -qF -- "$expected" <<<"$out"; then
    not_ok "$name: message lacks '$expected'; got: $out"
    return
  fi
  if grep -rqs '"status": "complete"' "$WORK" --include=metrics.json; then
    not_ok "$name: a run folder claims completion"
    return
  fi
  ok "$name"
}

finish() {
  echo "integration: $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
