#!/usr/bin/env bash
# GPU check, run on the device machine (the `run` tool: `bash scripts/gpu_check.sh`, carrying .devdeps).
# Builds tailrec, the unit tests and two benchmarks against the machine's CUDA libtorch (PyTorch's
# wheel), then, each step time-limited so that a failure does not hide the rest:
#   1. the GPU unit tests (Cuda*, NcfCuda*, BertEncoder.RunsOnCuda; GPU vs CPU / Hugging Face
#      reference) and the other BERT suites, against libtorch 2.x;
#   2. NeuMF training throughput on the GPU: tailrec (BM_NeuMFTrainCuda*) against the same model in
#      PyTorch eager on the same GPU (tests/benchmarks/ncf_pytorch.py --device cuda);
#   3. bert-base encoding on the GPU in fp32/fp16/bf16: tailrec (BM_BertBaseCuda) against Hugging
#      Face transformers (tests/benchmarks/bert_hf.py bench, eager and sdpa attention);
#   4. a bert-base checkpoint with random weights written by transformers, embedded by
#      `tailrec model embed --device cuda` and by transformers: largest difference and cosine;
#   5. `tailrec run run.device=cuda` on the embedded dataset: item_knn + ease; neumf (5 + 5 epochs)
#      on the GPU and on the CPU; the replay protocol with user_knn on the GPU (refits every round)
#      and on the CPU (incremental updates): the hits must be equal.
# Everything goes to $OUT/gpu_check.log (plus metrics and JSON files under $OUT).
# `bash scripts/gpu_check.sh --unit` builds only tailrec and the unit tests and runs step 1, then
# every unit test (ctest -L unit) against the GPU machine's libtorch.
#
# The machine lacks some -dev packages (the 2026-11 image: utf8proc, Boost); the configure is then
# retried with Debian's copies carried in .devdeps/, which also holds the shared BERT fixture
# (../shared does not travel). Prepare it on the CPU machine with
# `bash scripts/gpu_check.sh --prepare-deps` (~31 MB, ignored through .git/info/exclude).
set -uo pipefail
if [ "${1:-}" = "--prepare-deps" ]; then
  set -e
  cd "$(dirname "$0")/.."
  D=.devdeps
  rm -rf $D && mkdir -p $D/include $D/lib $D/share/cmake $D/shared/fixtures
  grep -qx '/.devdeps/' .git/info/exclude || echo '/.devdeps/' >>.git/info/exclude
  cp -r /usr/include/CLI /usr/include/nlohmann /usr/include/utf8proc.h /usr/include/zlib.h /usr/include/zconf.h $D/include/
  cp -r /usr/include/x86_64-linux-gnu/curl $D/include/
  cp -r /usr/include/openssl $D/include/ && cp /usr/include/x86_64-linux-gnu/openssl/* $D/include/openssl/
  cp -r /usr/share/cmake/CLI11 /usr/share/cmake/nlohmann_json $D/share/cmake/
  for l in libutf8proc.so libcurl.so libcrypto.so libz.so libssl.so; do cp -P /usr/lib/x86_64-linux-gnu/$l* $D/lib/; done
  ldd /usr/lib/x86_64-linux-gnu/libcurl.so.4 | awk '/=>/{print $3}' |
    grep -v -E 'libc\.so|libm\.so|libpthread|libdl|ld-linux|libresolv' | xargs -I{} cp -L {} $D/lib/
  # Boost: only the headers framework/evaluation/statistics.cpp reaches (Boost.Math), not all 160 MB.
  { g++ -std=c++20 -M -I. framework/evaluation/statistics.cpp | tr ' \\' '\n\n' | grep '^/usr/include/boost/'
    echo /usr/include/boost/config.hpp; echo /usr/include/boost/version.hpp; } | sort -u |
    while read -r h; do mkdir -p "$D/include/$(dirname "${h#/usr/include/}")" && cp "$h" "$D/include/${h#/usr/include/}"; done
  cp -r ../shared/fixtures/bert $D/shared/fixtures/
  du -sh $D
  exit 0
fi
MODE="${1:-all}"
OUT="${OUT:-/tmp/gpu_check_out}"
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu_check.log") 2>&1
tee_pid=$!
# Every exit goes through here, so that tee has written the last lines before the script ends.
finish() {
  exec >&- 2>&-
  wait "$tee_pid" 2>/dev/null
  exit "$1"
}
# The reference scripts run in python3's own environment: the carried libraries and the preload
# below are for our programs.
PY=(env -u LD_LIBRARY_PATH -u LD_PRELOAD python3)
cd "$(dirname "$0")/.."
ROOT="$PWD"
B="$ROOT/build-gpu-check"
SHARED="$ROOT/.devdeps/shared"
[ -d "$SHARED" ] || SHARED="$ROOT/../shared"
step() { echo; echo "== $(date -u +%T) $*"; }
failures=()

step "gpu_check on $(hostname), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
nvidia-smi -L || echo "nvidia-smi failed"
g++ --version | head -1; cmake --version | head -1
TORCH_PREFIX="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
python3 -c 'import torch, transformers; print("python torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "transformers", transformers.__version__)'
[ -d /usr/local/cuda/bin ] && export PATH="$PATH:/usr/local/cuda/bin"
command -v nvcc && nvcc --version | tail -1

if command -v ninja >/dev/null; then GEN=(-G Ninja); else GEN=(-G "Unix Makefiles"); fi
COMMON=(-DCMAKE_BUILD_TYPE=Release -DTAILREC_BUILD_BENCHMARKS=ON "-DTAILREC_SHARED_DIR=$SHARED" "${GEN[@]}")
[ -d /usr/local/cuda ] && COMMON+=(-DCUDAToolkit_ROOT=/usr/local/cuda)

step "configure (system packages)"
if ! cmake -S "$ROOT" -B "$B" "${COMMON[@]}" -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" >"$OUT/configure.log" 2>&1; then
  grep -E "Error|Could not|not found" "$OUT/configure.log" | head -8
  step "configure failed; retrying with the carried .devdeps"
  [ -d "$ROOT/.devdeps/lib" ] || { echo "no .devdeps carried"; finish 1; }
  export LIBRARY_PATH="$ROOT/.devdeps/lib" LD_LIBRARY_PATH="$ROOT/.devdeps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  rm -rf "$B"
  cmake -S "$ROOT" -B "$B" "${COMMON[@]}" -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$ROOT/.devdeps" \
    -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$ROOT/.devdeps/lib" >"$OUT/configure.log" 2>&1 \
    || { tail -40 "$OUT/configure.log"; finish 1; }
fi
grep -E "Found Torch|CUDA detected|NVCC flags" "$OUT/configure.log" | head -5

step "build (-j$(nproc))"
start=$(date +%s)
targets=(tailrec tailrec_unit_tests ncf_benchmark bert_encoder_benchmark)
[ "$MODE" = --unit ] && targets=(tailrec tailrec_unit_tests)
cmake --build "$B" -j"$(nproc)" --target "${targets[@]}" \
  >"$OUT/build.log" 2>&1 || { grep -E "error" -A3 "$OUT/build.log" | head -60; tail -20 "$OUT/build.log"; finish 1; }
echo "build took $(( $(date +%s) - start )) s"
TAILREC="$B/experiments/tailrec"
export TAILREC_CACHE_DIR=/tmp/tailrec-cache TAILREC_SHARED="$SHARED"
# PyTorch's wheels export the copy of libstdc++ they link statically (pytorch/pytorch#133437); our
# programs then bind std:: functions to it, and its std::filesystem::remove_all crashed (109 unit
# tests on 2026-11-28, docs/device/README.md). Loading the system's libstdc++ first avoids it.
TORCH_LIB="$("${PY[@]}" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
if grep -q 'St10filesystem10remove_all' <(nm -D --defined-only "$TORCH_LIB/libtorch.so" 2>/dev/null); then
  export LD_PRELOAD="$(g++ -print-file-name=libstdc++.so.6)"
  echo "libtorch.so exports std::filesystem: LD_PRELOAD=$LD_PRELOAD"
fi

step "1. unit tests on the GPU and the BERT suites"
timeout 180 "$B/tests/tailrec_unit_tests" --gtest_filter='*Cuda*:Bert*:TextEmbedder*:ItemTextEmbedding*' \
  --gtest_brief=1 || failures+=("unit tests")
if [ "$MODE" = --unit ]; then
  step "every unit test (ctest -L unit)"
  (cd "$B" && timeout 200 ctest -L unit -j"$(nproc)" --timeout 120 --output-on-failure >"$OUT/ctest_unit.log" 2>&1) \
    || failures+=("ctest unit")
  tail -25 "$OUT/ctest_unit.log"
  step "done; failures: ${failures[*]:-none}"
  finish $(( ${#failures[@]} > 0 ))
fi

step "2. NeuMF training on the GPU: tailrec against PyTorch eager (2^17 instances per pass, Adam)"
timeout 120 "$B/tests/benchmarks/ncf_benchmark" --benchmark_filter='NeuMFTrainCuda' --benchmark_min_time=3s \
  --benchmark_format=json >"$OUT/ncf_cuda.json" || failures+=("ncf benchmark")
timeout 120 "${PY[@]}" tests/benchmarks/ncf_pytorch.py --device cuda --batches 256 1024 4096 --min-time 1 \
  >"$OUT/ncf_pytorch_cuda.jsonl" || failures+=("ncf pytorch")
"${PY[@]}" - "$OUT/ncf_cuda.json" "$OUT/ncf_pytorch_cuda.jsonl" <<'EOF' || failures+=("ncf table")
import json, sys
rows = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if "samples_per_s" in b:
        kind = "reference" if "Reference" in b["name"] else "fast"
        rows.setdefault(int(b["name"].split("/")[1]), {})[kind] = b["samples_per_s"]
for line in open(sys.argv[2]):
    r = json.loads(line)
    rows.setdefault(r["batch"], {})["pytorch"] = r["samples_per_s"]
print(f"{'batch':>6} {'tailrec':>14} {'libtorch textbook':>18} {'PyTorch eager':>14} {'tailrec/PyTorch':>16}")
if not rows or any(len(r) < 3 for r in rows.values()):
    print("missing rows:", rows)
    sys.exit(1)
for batch in sorted(rows):
    r = rows[batch]
    fmt = lambda v: f"{v / 1e6:.3f} M/s" if v else "n/a"
    ratio = f"{r['fast'] / r['pytorch']:.2f}x" if r.get("fast") and r.get("pytorch") else "n/a"
    print(f"{batch:>6} {fmt(r.get('fast')):>14} {fmt(r.get('reference')):>18} {fmt(r.get('pytorch')):>14} {ratio:>16}")
EOF

step "3. bert-base, 32 x 128 tokens, on the GPU: tailrec against Hugging Face transformers"
timeout 120 "$B/tests/benchmarks/bert_encoder_benchmark" --benchmark_filter='BertBaseCuda' \
  --benchmark_format=json >"$OUT/bert_cuda.json" || failures+=("bert benchmark")
timeout 150 "${PY[@]}" tests/benchmarks/bert_hf.py bench --iterations 20 >"$OUT/bert_hf.jsonl" || failures+=("bert hf bench")
"${PY[@]}" - "$OUT/bert_cuda.json" "$OUT/bert_hf.jsonl" <<'EOF' || failures+=("bert table")
import json, re, sys
names = {"0": "fp32", "1": "fp16", "2": "bf16"}
ours = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if "sequences_per_s" in b:
        ours[names[re.search(r"precision:(\d)", b["name"]).group(1)]] = b
hf = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    hf[(r["precision"], r["attention"])] = r["sequences_per_s"]
if len(ours) < 3 or not hf:
    print("missing rows: tailrec", sorted(ours), "transformers", sorted(hf))
    sys.exit(1)
attentions = sorted({a for _, a in hf})
print(f"{'precision':>9} {'tailrec seq/s':>14} " + " ".join(f"{'HF ' + a + ' seq/s':>16} {'ratio':>6}" for a in attentions)
      + f" {'max |diff| vs fp32':>19}")
for p in ("fp32", "fp16", "bf16"):
    b = ours.get(p, {})
    ours_rate = b.get("sequences_per_s")
    cells = []
    for a in attentions:
        rate = hf.get((p, a))
        cells.append(f"{rate or 0:>16.0f} {(ours_rate / rate if ours_rate and rate else 0):>5.2f}x")
    diff = b.get("max_abs_diff_vs_fp32")
    print(f"{p:>9} {ours_rate or 0:>14.0f} " + " ".join(cells) + f" {diff if diff is not None else '-':>19}")
EOF

step "4. a bert-base checkpoint written by transformers: tailrec model embed --device cuda vs transformers"
"${PY[@]}" - "$ROOT/datasets/ml-latest-small/movies.csv" /tmp/texts.txt <<'EOF'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for k, row in enumerate(csv.DictReader(f)):
        if k == 2000:
            break
        out.write(f"{row['title']}. {row['genres'].replace('|', ', ')}\n")
EOF
if timeout 120 "${PY[@]}" tests/benchmarks/bert_hf.py checkpoint /tmp/bert-base-random --fixture "$SHARED/fixtures/bert/tiny-random-bert"; then
  rm -f /tmp/emb.tsv
  start=$EPOCHREALTIME
  timeout 120 "$TAILREC" model embed --model /tmp/bert-base-random --input /tmp/texts.txt --output /tmp/emb.tsv \
    --pooling mean --no-normalize --max-length 128 --batch-size 32 --device cuda || failures+=("model embed")
  end=$EPOCHREALTIME
  echo "tailrec model embed (2,000 texts, load included): $("${PY[@]}" -c "print(round($end - $start, 2))") s"
  timeout 120 "${PY[@]}" tests/benchmarks/bert_hf.py compare /tmp/bert-base-random /tmp/texts.txt /tmp/emb.tsv \
    --max-length 128 --tolerance 1e-3 | tee "$OUT/bert_compare.json" || failures+=("bert compare")
else
  failures+=("bert checkpoint")
fi

step "5a. tailrec run run.device=cuda: item_knn + ease (embedded dataset)"
timeout 120 "$TAILREC" run run.device=cuda "algorithms=[item_knn,ease]" run.dir=/tmp/gpu-knn run.overwrite=true \
  run.progress=false || failures+=("knn run")
[ -f /tmp/gpu-knn/metrics.json ] && cp /tmp/gpu-knn/metrics.json "$OUT/metrics_knn_cuda.json"

NEUMF='algorithms=[{name: neumf, epochs: 5, pretrain_epochs: 5}]'
for device in cuda cpu; do
  step "5b. neumf (5 pretraining + 5 epochs) with run.device=$device, run.threads=$(nproc)"
  timeout 150 "$TAILREC" run run.device=$device "$NEUMF" run.threads="$(nproc)" run.dir=/tmp/neumf-$device \
    run.overwrite=true run.progress=false 2>&1 | grep -E "fit|neumf |error|complete" || failures+=("neumf $device")
done

for device in cuda cpu; do
  step "5c. replay protocol, user_knn, run.device=$device"
  timeout 120 "$TAILREC" run experiment=replay run.device=$device "algorithms=[user_knn]" \
    run.dir=/tmp/replay-$device run.overwrite=true run.progress=false >/tmp/replay-$device.log 2>&1 \
    || { tail -5 /tmp/replay-$device.log; failures+=("replay $device"); }
  grep -E "update|refit|complete" /tmp/replay-$device.log | head -4
done
# Every column but update (incremental / refit) and update_seconds, found by name.
rounds() {
  awk -F'\t' 'NR == 1 { for (c = 1; c <= NF; ++c) keep[c] = $c != "update" && $c != "update_seconds" }
    { line = ""; for (c = 1; c <= NF; ++c) if (keep[c]) line = line $c "\t"; print line }' "/tmp/replay-$1/replay_rounds.tsv"
}
if [ -f /tmp/replay-cuda/replay_rounds.tsv ] && cmp -s <(rounds cuda) <(rounds cpu); then
  echo "replay_rounds.tsv: the GPU refits and the CPU updates give the same rounds, hits and metrics"
  head -4 /tmp/replay-cuda/replay_rounds.tsv | cut -f1-3,9
else
  echo "replay_rounds.tsv differs between cuda and cpu:"; diff <(rounds cuda) <(rounds cpu) | head -10
  failures+=("replay equality")
fi

step "done; failures: ${failures[*]:-none}"
finish $(( ${#failures[@]} > 0 ))
