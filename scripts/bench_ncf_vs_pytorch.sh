#!/usr/bin/env bash
# NeuMF training throughput, tailrec (libtorch C++) against the same model in PyTorch eager, at the
# same thread counts, on this machine; then the full-ranking evaluation rows. Paper sizes (factors 8,
# MLP [64,32,16,8]), ML-1M-sized ids, Adam lr 0.001, batch 256 and 4096, threads 1 and 2.
#   bash scripts/bench_ncf_vs_pytorch.sh [BUILD_DIR]      (default: build)
# Installs Debian's python3-torch when missing (apt-get, as root or through sudo). Both sides run
# with OPENBLAS_NUM_THREADS=1: torch's own intra-op threads are the parallelism being compared
# (tailrec also sets OpenBLAS to one thread itself). Prints samples/s and tailrec / PyTorch ratios.
# On a machine busier than its cores, OpenMP's spinning barriers make 2-thread rows collapse on both
# sides; OMP_WAIT_POLICY=PASSIVE in the environment (passed to both) avoids that.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BENCH="$BUILD/tests/benchmarks/ncf_benchmark"
PYTHON=/usr/bin/python3  # Debian's interpreter: python3-torch installs into its dist-packages

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch (Debian) ..."
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3-torch >/dev/null
fi
if [ ! -x "$BENCH" ]; then
  echo "building $BENCH ..."
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAILREC_WERROR=ON -DTAILREC_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$BUILD" --target ncf_benchmark --parallel 2
fi

export OPENBLAS_NUM_THREADS=1
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
echo "== tailrec (libtorch $(dpkg-query -W -f='${Version}' libtorch-dev 2>/dev/null || echo '?')): $BENCH"
"$BENCH" --benchmark_filter='NeuMFTrain(Reference|Fast)/' --benchmark_min_time=2 --benchmark_format=json >"$OUT/cpp.json"
echo "== PyTorch eager ($("$PYTHON" -c 'import torch; print(torch.__version__)')): tests/benchmarks/ncf_pytorch.py"
"$PYTHON" tests/benchmarks/ncf_pytorch.py --batches 256 4096 --threads 1 2 --min-time 2 >"$OUT/py.jsonl"

"$PYTHON" - "$OUT/cpp.json" "$OUT/py.jsonl" <<'EOF'
import json, sys
cpp = json.load(open(sys.argv[1]))["benchmarks"]
py = {(r["batch"], r["threads"]): r["samples_per_s"] for r in map(json.loads, open(sys.argv[2]))}
rows = {}
for b in cpp:
    name, batch, threads = b["name"].split("/")[:3]
    kind = "reference" if "Reference" in name else "fast"
    rows.setdefault((int(batch), int(threads)), {})[kind] = b["samples_per_s"]
print(f"{'batch':>6} {'threads':>7} {'tailrec':>12} {'libtorch textbook':>18} {'PyTorch eager':>14} {'tailrec/PyTorch':>16}")
for key in sorted(rows):
    r = rows[key]
    fast, ref, eager = r.get("fast"), r.get("reference"), py.get(key)
    ratio = f"{fast / eager:.2f}x" if fast and eager else "n/a"
    fmt = lambda v: f"{v / 1e3:.1f} k/s" if v else "n/a"
    print(f"{key[0]:>6} {key[1]:>7} {fmt(fast):>12} {fmt(ref):>18} {fmt(eager):>14} {ratio:>16}")
EOF

echo "== full-ranking evaluation, NeuMF, 6,040 users x 3,706 items (framework evaluator, top-10)"
"$BENCH" --benchmark_filter='NeuMFFullRanking' --benchmark_min_time=2 2>/dev/null | grep -E "^BM_"
