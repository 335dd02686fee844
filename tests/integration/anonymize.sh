#!/usr/bin/env bash
# run.anonymize_users=true: every output names users by HMAC-SHA256(salt, id)[:16 hex] (checked with
# Python's hmac, independently), the salt appears only in private/, and a salt without the switch is refused.
source "$(dirname "$0")/lib.bash"

expect_error "a salt needs anonymize_users" "run.anonymize_users=true" -- run run.anonymize_salt=x run.dir="$WORK/bad"

run="$WORK/anon"
"$TAILREC" run run.dir="$run" 'algorithms=[most_popular,user_knn]' run.anonymize_users=true run.anonymize_salt=s3cret \
  run.explain=true run.progress=false >/dev/null 2>"$WORK/err" && ok "anonymized run" || { not_ok "run failed: $(tail -3 "$WORK/err")"; finish; }
[ "$(cat "$run/private/anonymization_salt")" = "s3cret" ] && ok "salt kept in private/" || not_ok "private salt file"
[ "$(stat -c %a "$run/private/anonymization_salt")" = "600" ] && ok "salt file readable by its owner only" || not_ok "salt file mode"
leaks=$(grep -rl --exclude-dir=private "s3cret" "$run" || true)
[ -z "$leaks" ] && ok "the salt is in no shared file" || not_ok "salt found in: $leaks"

# Every user cell (recommendations, per-user metrics, user activity, neighbour explanations) is the
# HMAC of a real user id, and no cell holds a plain id.
check_names() {  # RUN_DIR SALT
  python3 - "$1" "$2" <<'PY'
import csv, gzip, hashlib, hmac, re, sys
run, salt = sys.argv[1], sys.argv[2].encode()
ids = [str(u) for u in range(1, 611)]
names = {hmac.new(salt, u.encode(), hashlib.sha256).hexdigest()[:16] for u in ids}
def cells():
    for r in csv.DictReader(open(f"{run}/recommendations.tsv"), delimiter="\t"):
        yield "recommendations", r["user"]
        for n in re.findall(r"user ([0-9a-f]+) ", r.get("why") or ""):
            yield "why", n
    for f in ("per_user_metrics.tsv.gz", "user_activity.tsv.gz"):
        for r in csv.DictReader(gzip.open(f"{run}/{f}", "rt"), delimiter="\t"):
            yield f, r["user"]
seen = set()
for source, cell in cells():
    if cell not in names:
        sys.exit(f"{source}: user cell {cell!r} is not a salted hash of a user id")
    seen.add(source)
missing = {"recommendations", "why", "per_user_metrics.tsv.gz", "user_activity.tsv.gz"} - seen
if missing:
    sys.exit(f"no user cells found in {missing}")
PY
}
out="$(check_names "$run" s3cret 2>&1)" && ok "every user cell is HMAC-SHA256(salt, id)" || not_ok "$out"

# Without a salt one is generated per run (64 hex digits) and the names follow it.
"$TAILREC" run run.dir="$WORK/gen" 'algorithms=[user_knn]' run.anonymize_users=true run.explain=true run.progress=false \
  >/dev/null 2>&1 && ok "run with a generated salt" || not_ok "generated-salt run failed"
salt="$(cat "$WORK/gen/private/anonymization_salt")"
[[ "$salt" =~ ^[0-9a-f]{64}$ ]] && ok "generated salt: 32 random bytes" || not_ok "generated salt '$salt'"
out="$(check_names "$WORK/gen" "$salt" 2>&1)" && ok "names follow the generated salt" || not_ok "$out"

# The salt from the environment (how sweeps keep it out of multirun.yaml, which records the overrides).
ANON_SALT=pepper "$TAILREC" run run.dir="$WORK/env" 'algorithms=[user_knn]' run.anonymize_users=true \
  'run.anonymize_salt=${oc.env:ANON_SALT}' run.explain=true run.progress=false >/dev/null 2>&1 \
  && ok "salt from \${oc.env:...}" || not_ok "env-salt run failed"
out="$(check_names "$WORK/env" pepper 2>&1)" && ok "names follow the environment's salt" || not_ok "$out"
leaks=$(grep -rl --exclude-dir=private "pepper" "$WORK/env" || true)
[ -z "$leaks" ] && ok "the environment's salt is in no shared file" || not_ok "salt found in: $leaks"
finish
