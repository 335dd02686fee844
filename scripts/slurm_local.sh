#!/usr/bin/env bash
# A one-node Slurm cluster on 127.0.0.1 for tests and laptops (tests/integration/slurm_sweep.sh,
# docs/slurm.md). Everything lives in DIR: the munge key and socket, slurm.conf, state, spool,
# pid files and logs; no system file is touched, so it runs beside a system Slurm or munge.
#
#   scripts/slurm_local.sh start DIR    install slurm-wlm + munge when missing, start munged,
#                                       slurmctld and slurmd, wait until the node is idle
#   scripts/slurm_local.sh status DIR   the daemons and `sinfo`
#   scripts/slurm_local.sh stop DIR     stop exactly the daemons started from DIR (pid files)
#
# Then: export SLURM_CONF=DIR/slurm.conf (printed by start) and use sbatch/squeue as usual.
# Environment: SLURM_LOCAL_PORT (slurmctld's port, slurmd uses the next one; default: the first
# free pair from 6917, not Slurm's 6817, so a system Slurm and other local clusters keep theirs),
# SLURM_LOCAL_CPUS (default: nproc).
# Exit status 3: Slurm or munge is missing and could not be installed (tests skip on it).
# Tested with Debian 12's Slurm 22.05 and munge 0.5.15, as root.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action="$1"
mkdir -p "$2"
DIR="$(cd "$2" && pwd)"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"

# The pid in FILE when that process is alive and runs PROGRAM (a stale pid file may name a
# process that has since reused the number).
live_pid() {
  local file="$1" program="$2" pid
  [ -s "$file" ] || return 1
  pid="$(tr -d '[:space:]' <"$file")"
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$program" ] || return 1
  echo "$pid"
}

have_programs() {
  local p
  for p in slurmctld slurmd munged sbatch squeue sinfo; do command -v "$p" >/dev/null || return 1; done
}

install_packages() {
  local missing=()
  for p in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "slurm_local: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "slurm_local: run as root or install sudo" >&2; return 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends slurm-wlm munge
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# slurmctld's port: SLURM_LOCAL_PORT, else the first pair from 6917 where nothing listens.
choose_port() {
  if [ -n "${SLURM_LOCAL_PORT:-}" ]; then
    echo "$SLURM_LOCAL_PORT"
    return
  fi
  local port
  for port in $(seq 6917 2 7115); do
    if ! listening "$port" && ! listening $((port + 1)); then
      echo "$port"
      return
    fi
  done
  echo "slurm_local: no free port pair in 6917..7116; set SLURM_LOCAL_PORT" >&2
  return 1
}

write_conf() {
  local host cpus memory user PORT
  PORT="$(choose_port)"
  host="$(hostname -s)"
  cpus="${SLURM_LOCAL_CPUS:-$(nproc)}"
  # Half the machine's memory: the node must not claim more than it has, and CR_CPU does not
  # schedule memory anyway (a job's --mem only has to fit).
  memory=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  user="$(id -un)"
  cat >"$CONF" <<EOF
# A one-node test cluster, written by scripts/slurm_local.sh; see that script for why each choice.
ClusterName=tailrec-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
MpiDefault=none
# No cgroups: containers and VMs without systemd often lack a usable cgroup tree. linuxproc
# tracks a job's processes through their parent ids instead.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# A node back from a restart rejoins on its own.
ReturnToService=2
# Trust the CPUs and memory written here rather than draining the node over a hardware mismatch.
SlurmdParameters=config_overrides
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd-%n
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# Ended jobs stay visible to squeue for a minute.
MinJobAge=60
# No mail on this cluster (the default /bin/mail is usually missing).
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  if ! have_programs; then
    install_packages || { echo "slurm_local: cannot install slurm-wlm and munge" >&2; exit 3; }
    have_programs || { echo "slurm_local: slurmctld, slurmd, munged or sbatch still missing from PATH ($PATH)" >&2; exit 3; }
  fi
  if live_pid "$DIR/slurmctld.pid" slurmctld >/dev/null; then
    echo "slurm_local: already running in $DIR; stop it first" >&2
    exit 1
  fi
  mkdir -p "$DIR/munge" "$DIR/state" "$DIR/spool"
  # munged wants its socket folder open to every user (any user may ask for a credential).
  chmod 755 "$DIR/munge"
  # munge: a key of our own, so the cluster needs nothing from /etc/munge.
  if [ ! -s "$DIR/munge/munge.key" ]; then
    (umask 077 && dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none)
  fi
  chmod 600 "$DIR/munge/munge.key"
  # --force: munged insists that every folder above its socket be open to all users, which a
  # private DIR (mktemp -d, a 0700 home) is not; only DIR's owner (and root) use this cluster.
  munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed"
  write_conf
  slurmctld -f "$CONF"
  slurmd -f "$CONF"
  # The node reports in, then goes idle.
  local state="" i
  for i in $(seq 1 60); do
    state="$(sinfo -h -N -o '%t' 2>/dev/null | head -n 1 || true)"
    [ "$state" = "idle" ] && break
    # A daemon that died (port taken, bad config) will not come back: stop waiting.
    if [ "$i" -ge 3 ] && { ! live_pid "$DIR/slurmctld.pid" slurmctld >/dev/null || ! live_pid "$DIR/slurmd.pid" slurmd >/dev/null; }; then
      state="a daemon exited"
      break
    fi
    sleep 1
  done
  if [ "$state" != "idle" ]; then
    echo "slurm_local: the node is not idle (state '${state:-none}'); logs follow" >&2
    tail -n 20 "$DIR/munge/munged.log" "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 || true
    sinfo -R >&2 || true
    stop
    exit 1
  fi
  echo "slurm_local: cluster up ($(sinfo --version), node $(hostname -s), $(sinfo -h -N -o '%c') CPUs," \
    "port $(sed -n 's/^SlurmctldPort=//p' "$CONF"))" >&2
  echo "export SLURM_CONF=$CONF"
}

# TERM, then KILL after 10 s, the process in FILE if it still runs PROGRAM.
stop_daemon() {
  local file="$1" program="$2" pid i
  pid="$(live_pid "$file" "$program")" || { rm -f "$file"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    echo "slurm_local: $program ($pid) ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  stop_daemon "$DIR/slurmd.pid" slurmd
  stop_daemon "$DIR/slurmctld.pid" slurmctld
  stop_daemon "$DIR/munge/munged.pid" munged
}

status() {
  local program file pid rc=0
  for program in munged slurmctld slurmd; do
    file="$DIR/$program.pid"
    [ "$program" = munged ] && file="$DIR/munge/munged.pid"
    if pid="$(live_pid "$file" "$program")"; then
      echo "$program: running (pid $pid)"
    else
      echo "$program: stopped"
      rc=1
    fi
  done
  [ "$rc" -eq 0 ] && sinfo
  return "$rc"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
