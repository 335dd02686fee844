#!/usr/bin/env bash
# GPU check for run.device=cuda, run on the device machine (the `run` tool: `bash scripts/gpu_check.sh`):
# builds tailrec against the machine's CUDA libtorch (PyTorch's wheel), runs the Cuda* and NcfCuda* unit tests
# (GPU vs CPU scores within 1e-5) and a run.device=cuda experiment of item_knn + ease on the embedded
# dataset. Everything goes to $OUT/gpu_check.log. If the machine lacks a -dev package (CLI11,
# nlohmann-json, utf8proc, curl, ...; the 2026-11 image lacked utf8proc), the configure is retried
# with the Debian copies carried in .devdeps/: prepare them on the CPU machine with
# `bash scripts/gpu_check.sh --prepare-deps` (~21 MB, ignored through .git/info/exclude) and name
# .devdeps in the run tool's `carry`.
set -uo pipefail
if [ "${1:-}" = "--prepare-deps" ]; then
  set -e
  cd "$(dirname "$0")/.."
  D=.devdeps
  rm -rf $D && mkdir -p $D/include $D/lib $D/share/cmake
  grep -qx '/.devdeps/' .git/info/exclude || echo '/.devdeps/' >>.git/info/exclude
  cp -r /usr/include/CLI /usr/include/nlohmann /usr/include/utf8proc.h /usr/include/zlib.h /usr/include/zconf.h $D/include/
  cp -r /usr/include/x86_64-linux-gnu/curl $D/include/
  cp -r /usr/include/openssl $D/include/ && cp /usr/include/x86_64-linux-gnu/openssl/* $D/include/openssl/
  cp -r /usr/share/cmake/CLI11 /usr/share/cmake/nlohmann_json $D/share/cmake/
  for l in libutf8proc.so libcurl.so libcrypto.so libz.so libssl.so; do cp -P /usr/lib/x86_64-linux-gnu/$l* $D/lib/; done
  ldd /usr/lib/x86_64-linux-gnu/libcurl.so.4 | awk '/=>/{print $3}' |
    grep -v -E 'libc\.so|libm\.so|libpthread|libdl|ld-linux|libresolv' | xargs -I{} cp -L {} $D/lib/
  du -sh $D
  exit 0
fi
OUT="${OUT:-/tmp/gpu_check_out}"
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_check.log") 2>&1
cd "$(dirname "$0")/.."
ROOT="$PWD"
B="$ROOT/build-gpu-check"

echo "== $(date -u +%FT%TZ) gpu_check on $(hostname)"
nvidia-smi -L || echo "nvidia-smi failed"
g++ --version | head -1; cmake --version | head -1
TORCH_PREFIX="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
python3 -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
[ -d /usr/local/cuda/bin ] && export PATH="$PATH:/usr/local/cuda/bin"
command -v nvcc && nvcc --version | tail -1

if command -v ninja >/dev/null; then GEN=(-G Ninja); else GEN=(-G "Unix Makefiles"); fi
COMMON=(-DCMAKE_BUILD_TYPE=Release -DTAILREC_BUILD_BENCHMARKS=OFF "${GEN[@]}")
[ -d /usr/local/cuda ] && COMMON+=(-DCUDAToolkit_ROOT=/usr/local/cuda)

echo "== configure (system packages)"
if ! cmake -S "$ROOT" -B "$B" "${COMMON[@]}" -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" >"$OUT/configure.log" 2>&1; then
  tail -25 "$OUT/configure.log"
  echo "== configure failed; retrying with the carried .devdeps"
  [ -d "$ROOT/.devdeps" ] || { echo "no .devdeps carried"; exit 1; }
  export LIBRARY_PATH="$ROOT/.devdeps/lib" LD_LIBRARY_PATH="$ROOT/.devdeps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  rm -rf "$B"
  cmake -S "$ROOT" -B "$B" "${COMMON[@]}" -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$ROOT/.devdeps" \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$ROOT/.devdeps/lib" >"$OUT/configure.log" 2>&1 \
    || { tail -40 "$OUT/configure.log"; exit 1; }
fi
grep -iE "torch|cuda" "$OUT/configure.log" | head -10

echo "== build tailrec_unit_tests tailrec (-j16)"
start=$(date +%s)
cmake --build "$B" -j16 --target tailrec_unit_tests tailrec >"$OUT/build.log" 2>&1 \
  || { grep -E "error|Error" -A3 "$OUT/build.log" | head -60; tail -20 "$OUT/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"

echo "== unit tests Cuda*"
"$B/tests/tailrec_unit_tests" --gtest_filter='Cuda*:NcfCuda*'
tests_rc=$?

echo "== tailrec run run.device=cuda (item_knn, ease; embedded dataset)"
export TAILREC_CACHE_DIR=/tmp/tailrec-cache
timeout 150 "$B/experiments/tailrec" run run.device=cuda "algorithms=[item_knn,ease]" run.dir=/tmp/gpu-run \
  run.overwrite=true run.progress=false
run_rc=$?
[ -f /tmp/gpu-run/metrics.json ] && python3 -c "import json; d=json.load(open('/tmp/gpu-run/metrics.json')); print('metrics.json device:', d.get('device'))"
[ -f /tmp/gpu-run/metrics.json ] && cp /tmp/gpu-run/metrics.json "$OUT/metrics_cuda.json"

echo "== same run on the cpu (for comparison; time-limited)"
timeout 60 "$B/experiments/tailrec" run run.device=cpu "algorithms=[item_knn]" run.dir=/tmp/cpu-run \
  run.overwrite=true run.progress=false
echo "== done: Cuda* tests rc=$tests_rc, cuda run rc=$run_rc"
exit $(( tests_rc != 0 || run_rc != 0 ))
