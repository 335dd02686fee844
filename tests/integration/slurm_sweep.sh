#!/usr/bin/env bash
# launcher=slurm on a real one-node Slurm cluster (scripts/slurm_local.sh, started in a temp folder
# and stopped on exit): a 2 algorithms x 2 seeds sweep runs as a 4-task job array, and every job's
# metrics equal those of the same run made directly with `tailrec run`. Skips (exit 0) only when
# Slurm and munge are missing and apt cannot install them.
source "$(dirname "$0")/lib.bash"
: "${TAILREC_SOURCE:=$(cd "$(dirname "$0")/../.." && pwd)}"

CLUSTER="$WORK/cluster"
cleanup() {
  bash "$TAILREC_SOURCE/scripts/slurm_local.sh" stop "$CLUSTER" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

status=0
out="$(bash "$TAILREC_SOURCE/scripts/slurm_local.sh" start "$CLUSTER" 2>&1)" || status=$?
if [ "$status" -eq 3 ]; then
  echo "skip - Slurm and munge are not installed and apt cannot install them: $out"
  exit 0
fi
if [ "$status" -ne 0 ]; then
  not_ok "local Slurm cluster did not start (status $status): $out"
  finish
fi
ok "local Slurm cluster started"
pids=()
for f in munge/munged.pid slurmctld.pid slurmd.pid; do pids+=("$(cat "$CLUSTER/$f")"); done
export SLURM_CONF="$CLUSTER/slurm.conf"

# The cluster itself runs a job array (the launcher's script relies on the same things).
mkdir -p "$WORK/plain"
cat >"$WORK/plain/array.sh" <<EOF
#!/bin/bash
#SBATCH --array=0-1
#SBATCH --output="$WORK/plain/%A_%a.out"
echo "task \$SLURM_ARRAY_TASK_ID"
EOF
id="$(sbatch --parsable --wait "$WORK/plain/array.sh" 2>&1)" || true
id="${id%%;*}"
[ "$(cat "$WORK/plain/${id}_0.out" 2>/dev/null)" = "task 0" ] && [ "$(cat "$WORK/plain/${id}_1.out" 2>/dev/null)" = "task 1" ] \
  && ok "sbatch job array runs" || not_ok "sbatch job array (id '$id'): $(ls "$WORK/plain")"

# A space in the sweep folder and in an sbatch option value: both need quoting in the script.
SWEEP="$WORK/my sweep"
common=(run.threads=1 metrics.k=5 dataset=ml_latest_small)
status=0
timeout 600 "$TAILREC" run --multirun launcher=slurm 'algorithms=[most_popular],[random]' sweep.seeds=2 \
  sweep.dir="$SWEEP" "${common[@]}" 'launcher.extra=[--comment=tailrec test]' >"$WORK/sweep.out" 2>&1 || status=$?
[ "$status" -eq 0 ] && ok "multirun with launcher=slurm exits 0" || not_ok "multirun exit status $status: $(tail -n 20 "$WORK/sweep.out")"

[ -s "$SWEEP/slurm/sweep.sbatch" ] && bash -n "$SWEEP/slurm/sweep.sbatch" && ok "slurm/sweep.sbatch written" \
  || not_ok "slurm/sweep.sbatch missing or not bash"
grep -q '^#SBATCH --array=0-3$' "$SWEEP/slurm/sweep.sbatch" && ok "one array of 4 tasks" || not_ok "array line"
# Slurm, not the local launcher, ran the jobs: one Slurm output file per array task.
logs=$(ls "$SWEEP/slurm" | grep -cE '^[0-9]+_[0-3]\.out$' || true)
[ "$logs" -eq 4 ] && ok "4 Slurm task logs" || not_ok "$logs Slurm task logs: $(ls "$SWEEP/slurm")"
array_id="$(ls "$SWEEP/slurm" | sed -n 's/^\([0-9]*\)_0\.out$/\1/p')"
comment="$(squeue -h -r -j "$array_id" -t all -o '%k' 2>/dev/null | sort -u)"
[ "$comment" = "tailrec test" ] && ok "launcher.extra reached Slurm" || not_ok "job comment '$comment' (array '$array_id')"

# The jobs, last override varying fastest: algorithm outer, seed (run.seed 42 + 0, 1) inner.
expected=("most_popular 42" "most_popular 43" "random 42" "random 43")
for n in 0 1 2 3; do
  read -r algorithm seed <<<"${expected[$n]}"
  if ! grep -q '"status": "complete"' "$SWEEP/$n/metrics.json" 2>/dev/null; then
    not_ok "job $n: no complete metrics.json; $(cat "$SWEEP/$n/error.txt" 2>/dev/null)"
    continue
  fi
  # The reference: the same run made directly, outside Slurm and the sweep.
  "$TAILREC" run "${common[@]}" "algorithms=[$algorithm]" run.seed="$seed" run.dir="$WORK/direct$n" >/dev/null 2>&1
  if python3 - "$SWEEP/$n/metrics.json" "$WORK/direct$n/metrics.json" "$algorithm" "$seed" <<'EOF'; then
import json, sys
swept, direct = (json.load(open(p)) for p in sys.argv[1:3])
algorithm, seed = sys.argv[3], int(sys.argv[4])
assert list(swept["algorithms"]) == [algorithm], list(swept["algorithms"])
assert swept["seed"] == seed, swept["seed"]
assert swept["algorithms"][algorithm]["metrics"] == direct["algorithms"][algorithm]["metrics"]
EOF
    ok "job $n ($algorithm, seed $seed): metrics equal the direct run's"
  else
    not_ok "job $n ($algorithm, seed $seed) differs from the direct run"
  fi
done
# Different seeds must give the random recommender different results.
if [ -s "$SWEEP/2/metrics.json" ] && [ -s "$SWEEP/3/metrics.json" ]; then
  python3 -c 'import json,sys; a,b=(json.load(open(p))["algorithms"]["random"]["metrics"] for p in sys.argv[1:]); sys.exit(a==b)' \
    "$SWEEP/2/metrics.json" "$SWEEP/3/metrics.json" && ok "seeds reach the jobs" || not_ok "random gave equal metrics for seeds 42 and 43"
fi

lines=$(grep -c . "$SWEEP/sweep.jsonl" 2>/dev/null || true)
completed=$(grep -c '"status": *"COMPLETED"' "$SWEEP/sweep.jsonl" 2>/dev/null || true)
[ "$lines" -eq 4 ] && [ "$completed" -eq 4 ] && ok "sweep.jsonl: 4 jobs COMPLETED" \
  || not_ok "sweep.jsonl: $lines lines, $completed COMPLETED"

bash "$TAILREC_SOURCE/scripts/slurm_local.sh" stop "$CLUSTER"
alive=()
for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive+=("$pid $(cat "/proc/$pid/comm")"); done
[ ${#alive[@]} -eq 0 ] && ok "stop ends munged, slurmctld and slurmd (${pids[*]})" || not_ok "still running: ${alive[*]}"
finish
