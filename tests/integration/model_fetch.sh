#!/usr/bin/env bash
# `tailrec model fetch | info | embed` against a local stand-in for the Hugging Face hub
# (hf_hub_server.py, serving the shared tiny-random-bert fixture on 127.0.0.1): byte-identical
# downloads, a resumed partial download (the server must see the Range request), checksum
# mismatches (sha256 and git sha1) that leave no complete-looking file, optional-file 404s,
# pytorch_model.bin-only and gated repositories, vocab.txt from tokenizer.json, the
# sentence-transformers files; then `model info` and `model embed` on the fetched folders, the
# embeddings compared with the Hugging Face reference outputs within 1e-4.
source "$(dirname "$0")/lib.bash"
HERE="$(cd "$(dirname "$0")" && pwd)"
FIXTURE="$TAILREC_SHARED/fixtures/bert/tiny-random-bert"
REFERENCE="$TAILREC_SHARED/fixtures/bert/tiny-random-bert-reference.json"
[ -f "$FIXTURE/model.safetensors" ] || { echo "not ok - fixture $FIXTURE missing"; exit 1; }
command -v python3 >/dev/null || { echo "not ok - python3 is needed (scripts/setup.sh installs it)"; exit 1; }

LOG="$WORK/server.log"
CUT=1000000
python3 "$HERE/hf_hub_server.py" --root "$FIXTURE" --log "$LOG" --cut-bytes "$CUT" >"$WORK/port" 2>"$WORK/server.err" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
  [ -s "$WORK/port" ] && break
  sleep 0.1
done
PORT="$(head -n1 "$WORK/port")"
[ -n "$PORT" ] || { echo "not ok - the hub stand-in did not start: $(cat "$WORK/server.err")"; exit 1; }
export TAILREC_HF_ENDPOINT="http://127.0.0.1:$PORT"
export TAILREC_MODEL_DIR="$WORK/models"
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN

# fetch ARGS... : runs `tailrec model fetch`, output in $OUT, status in $STATUS.
fetch() {
  STATUS=0
  OUT="$("$TAILREC" model fetch "$@" 2>&1)" || STATUS=$?
}
same_files() {  # same_files DIR FILE... : each FILE in DIR is byte-identical to the fixture's
  local dir="$1" f
  shift
  for f in "$@"; do cmp -s "$dir/$f" "$FIXTURE/$f" || return 1; done
}
no_part_files() { [ -z "$(find "$1" -name '*.part' -print -quit)" ]; }
FILES=(config.json model.safetensors vocab.txt tokenizer_config.json tokenizer.json)

# --- a plain fetch into the default folder, then a re-run that downloads nothing -------------------
fetch test/tiny-random-bert
DIR="$WORK/models/test--tiny-random-bert"
if [ "$STATUS" -eq 0 ] && [ "$(tail -n1 <<<"$OUT")" = "$DIR" ] && same_files "$DIR" "${FILES[@]}" && no_part_files "$DIR"; then
  ok "fetch into \$TAILREC_MODEL_DIR/<owner>--<name>: every file byte-identical, no .part left"
else
  not_ok "plain fetch (status $STATUS): $OUT"
fi
if grep -q "^GET /test/tiny-random-bert/resolve/main/config.json " "$LOG" &&
  grep -q "^GET /cdn/test/tiny-random-bert/model.safetensors " "$LOG"; then
  ok "requests went to TAILREC_HF_ENDPOINT in the hub's layout; the LFS redirect was followed"
else
  not_ok "server log lacks the expected requests: $(cat "$LOG")"
fi
if grep -q "special_tokens_map.json .*not in the repository (optional, skipped)" <<<"$OUT" &&
  grep -q "HEAD /test/tiny-random-bert/resolve/main/special_tokens_map.json .* -> 404" "$LOG" &&
  [ ! -e "$DIR/special_tokens_map.json" ]; then
  ok "an optional file answered with 404 is skipped"
else
  not_ok "optional 404: $OUT"
fi
if grep -q "model.safetensors .*sha256 verified" <<<"$OUT" && grep -q "config.json .*git sha1 verified" <<<"$OUT"; then
  ok "LFS files are checked by sha256, git files by blob sha1"
else
  not_ok "checksum notes missing: $OUT"
fi
gets_before="$(grep -c '^GET ' "$LOG")"
fetch test/tiny-random-bert
if [ "$STATUS" -eq 0 ] && [ "$(grep -c '^GET ' "$LOG")" = "$gets_before" ] && grep -q "model.safetensors .*present.*sha256 matches" <<<"$OUT"; then
  ok "a re-run verifies the present files and downloads nothing"
else
  not_ok "re-run (status $STATUS, GETs $gets_before -> $(grep -c '^GET ' "$LOG")): $OUT"
fi
# A damaged local copy is noticed and replaced.
printf 'garbage' >"$DIR/vocab.txt"
fetch test/tiny-random-bert
if [ "$STATUS" -eq 0 ] && grep -q "vocab.txt .*differs from the hub's" <<<"$OUT" && same_files "$DIR" vocab.txt; then
  ok "a local file with the wrong checksum is downloaded again"
else
  not_ok "damaged local file (status $STATUS): $OUT"
fi

# --- a download cut short, then resumed with a Range request ----------------------------------------
fetch test/tiny-random-bert-cut --dir "$WORK/cut"
if [ "$STATUS" -eq 1 ] && grep -q "partial file .*model.safetensors.part is kept" <<<"$OUT" &&
  [ "$(stat -c %s "$WORK/cut/model.safetensors.part")" = "$CUT" ] && [ ! -e "$WORK/cut/model.safetensors" ]; then
  ok "a cut connection leaves a $CUT-byte model.safetensors.part and no model.safetensors"
else
  not_ok "cut download (status $STATUS): $OUT"
fi
fetch test/tiny-random-bert-cut --dir "$WORK/cut"
if [ "$STATUS" -eq 0 ] && grep -q "^GET /cdn/test/tiny-random-bert-cut/model.safetensors range=bytes=$CUT- .* -> 206" "$LOG" &&
  same_files "$WORK/cut" "${FILES[@]}" && no_part_files "$WORK/cut"; then
  ok "the second fetch resumes from byte $CUT (Range, 206) and ends byte-identical"
else
  not_ok "resume (status $STATUS): $OUT; log: $(grep cut "$LOG")"
fi

# --- checksum mismatches ---------------------------------------------------------------------------------
ACTUAL_SHA256="$(sha256sum "$FIXTURE/model.safetensors" | cut -d' ' -f1)"
WRONG_SHA256="$(printf 'other bytes' | sha256sum | cut -d' ' -f1)"
fetch test/tiny-random-bert-wrong-sha256 --dir "$WORK/bad256"
if [ "$STATUS" -eq 1 ] && grep -q "model.safetensors from .* has sha256 $ACTUAL_SHA256, but the hub's ETag says $WRONG_SHA256" <<<"$OUT" &&
  [ ! -e "$WORK/bad256/model.safetensors" ] && [ ! -e "$WORK/bad256/model.safetensors.part" ]; then
  ok "sha256 mismatch: error names file, actual and expected; neither the file nor its .part remains"
else
  not_ok "sha256 mismatch (status $STATUS): $OUT; $(ls "$WORK/bad256")"
fi
ACTUAL_SHA1="$(python3 -c 'import hashlib,sys; d=open(sys.argv[1],"rb").read(); print(hashlib.sha1(b"blob %d\0" % len(d) + d).hexdigest())' "$FIXTURE/config.json")"
fetch test/tiny-random-bert-wrong-sha1 --dir "$WORK/bad1"
if [ "$STATUS" -eq 1 ] && grep -q "config.json from .* has git sha1 $ACTUAL_SHA1, but the hub's ETag says" <<<"$OUT" &&
  [ ! -e "$WORK/bad1/config.json" ] && [ ! -e "$WORK/bad1/config.json.part" ]; then
  ok "git sha1 mismatch: error names the file and both digests; nothing left behind"
else
  not_ok "sha1 mismatch (status $STATUS): $OUT"
fi

# --- repositories the fetch must refuse or adapt to ----------------------------------------------------
fetch test/tiny-random-bert-pytorch-only --dir "$WORK/pt"
if [ "$STATUS" -eq 1 ] && grep -q "only pytorch_model.bin" <<<"$OUT" && grep -q "safetensors" <<<"$OUT"; then
  ok "a pytorch_model.bin-only repository is refused with the reason and a conversion hint"
else
  not_ok "pytorch-only (status $STATUS): $OUT"
fi
fetch test/tiny-random-bert --revision nope --dir "$WORK/rev"
if [ "$STATUS" -eq 1 ] && grep -q "revision 'nope' does not exist" <<<"$OUT"; then
  ok "an unknown revision is named"
else
  not_ok "unknown revision (status $STATUS): $OUT"
fi
fetch test/gated-bert --dir "$WORK/gated"
if [ "$STATUS" -eq 1 ] && grep -q "HTTP 401" <<<"$OUT" && grep -q "HF_TOKEN is not set" <<<"$OUT"; then
  ok "a gated repository without a token: HTTP 401 and how to set HF_TOKEN"
else
  not_ok "gated without token (status $STATUS): $OUT"
fi
STATUS=0
OUT="$(HF_TOKEN=test-token "$TAILREC" model fetch test/gated-bert --dir "$WORK/gated" 2>&1)" || STATUS=$?
if [ "$STATUS" -eq 0 ] && same_files "$WORK/gated" "${FILES[@]}" &&
  grep -q "^HEAD /test/gated-bert/resolve/main/config.json .*auth=yes" "$LOG" &&
  grep -q "^GET /cdn/test/gated-bert/model.safetensors .*auth=no" "$LOG"; then
  ok "HF_TOKEN is sent to the hub as a Bearer token, and not on to the storage host"
else
  not_ok "gated with token (status $STATUS): $OUT"
fi
fetch test/tiny-random-bert-no-vocab --dir "$WORK/novocab"
if [ "$STATUS" -eq 0 ] && grep -q "vocab.txt .*written from tokenizer.json" <<<"$OUT" && same_files "$WORK/novocab" vocab.txt; then
  ok "without vocab.txt, vocab.txt is written from tokenizer.json (identical to the original)"
else
  not_ok "no vocab.txt (status $STATUS): $OUT"
fi
fetch test/tiny-random-bert-sentence --dir "$WORK/st"
if [ "$STATUS" -eq 0 ] && [ -f "$WORK/st/modules.json" ] && [ -f "$WORK/st/1_Pooling/config.json" ] &&
  [ -f "$WORK/st/sentence_bert_config.json" ] &&
  grep -q "^HEAD /test/tiny-random-bert-sentence/resolve/main/2_Normalize/config.json .* -> 404" "$LOG"; then
  ok "sentence-transformers files and the config of every module in modules.json are fetched"
else
  not_ok "sentence-transformers repository (status $STATUS): $OUT"
fi

# --- model info ------------------------------------------------------------------------------------------
PARAMS="$(python3 - "$FIXTURE/model.safetensors" <<'EOF'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
total = 0
for name, t in header.items():
    if name != "__metadata__":
        n = 1
        for d in t["shape"]:
            n *= d
        total += n
print(f"{total:,}")
EOF
)"
STATUS=0
OUT="$("$TAILREC" model info "$DIR" 2>&1)" || STATUS=$?
if [ "$STATUS" -eq 0 ] && grep -q "^architecture  *BertModel (model_type bert)" <<<"$OUT" && grep -q "^layers  *2$" <<<"$OUT" &&
  grep -q "^hidden size  *32$" <<<"$OUT" && grep -q "^attention heads  *4$" <<<"$OUT" &&
  grep -q "^parameters  *$PARAMS in " <<<"$OUT" && grep -q "^dtype  *F32 " <<<"$OUT" && grep -q "^vocab size  *30522 " <<<"$OUT"; then
  ok "model info: architecture, layers, hidden, heads, $PARAMS parameters (summed independently), dtype, vocab"
else
  not_ok "model info (status $STATUS): $OUT"
fi
OUT="$("$TAILREC" model info "$WORK/st" 2>&1)" || true
if grep -q "^pooling  *mean (1_Pooling/config.json)" <<<"$OUT" && grep -q "^normalize  *yes" <<<"$OUT"; then
  ok "model info shows the sentence-transformers pooling and normalisation"
else
  not_ok "model info, sentence-transformers folder: $OUT"
fi

# --- model embed -----------------------------------------------------------------------------------------
# The reference texts without line breaks of their own, one per line, remembering their indices.
python3 - "$REFERENCE" "$WORK/texts.txt" "$WORK/indices.txt" <<'EOF'
import json, sys
texts = json.load(open(sys.argv[1], encoding="utf-8"))["texts"]
keep = [i for i, t in enumerate(texts) if "\n" not in t and "\r" not in t]
with open(sys.argv[2], "w", encoding="utf-8", newline="\n") as f:
    f.writelines(texts[i] + "\n" for i in keep)
with open(sys.argv[3], "w") as f:
    f.write(" ".join(map(str, keep)))
EOF
# compare OUTPUT KEY: rows, 0-based line numbers, dimension, values within 1e-4 of reference[KEY].
compare() {
  python3 - "$REFERENCE" "$1" "$2" "$WORK/indices.txt" <<'EOF'
import json, sys
reference = json.load(open(sys.argv[1], encoding="utf-8"))[sys.argv[3]]
indices = [int(i) for i in open(sys.argv[4]).read().split()]
lines = open(sys.argv[2]).read().splitlines()
assert len(lines) == len(indices), f"{len(lines)} lines for {len(indices)} texts"
worst = 0.0
for row, (line, index) in enumerate(zip(lines, indices)):
    fields = line.split("\t")
    assert fields[0] == str(row), f"line {row} starts with {fields[0]}"
    values = [float(v) for v in fields[1:]]
    assert len(values) == len(reference[index]), f"line {row}: {len(values)} values, expected {len(reference[index])}"
    worst = max(worst, max(abs(a - b) for a, b in zip(values, reference[index])))
assert worst <= 1e-4, f"max abs difference {worst}"
print(f"{len(lines)} rows, max abs difference {worst:.2e}")
EOF
}
STATUS=0
OUT="$("$TAILREC" model embed --model "$DIR" --input "$WORK/texts.txt" --output "$WORK/emb/mean.tsv" --max-length 64 2>&1)" || STATUS=$?
if [ "$STATUS" -eq 0 ] && CHECK="$(compare "$WORK/emb/mean.tsv" mean_pooled 2>&1)"; then
  ok "model embed (mean pooling, --max-length 64) matches the reference mean_pooled: $CHECK"
else
  not_ok "model embed mean (status $STATUS): $OUT ${CHECK:-}"
fi
STATUS=0
OUT="$("$TAILREC" model embed --model "$DIR" --input "$WORK/texts.txt" --output "$WORK/emb/cls.tsv" --max-length 64 --pooling cls --batch-size 3 2>&1)" || STATUS=$?
if [ "$STATUS" -eq 0 ] && CHECK="$(compare "$WORK/emb/cls.tsv" cls_last_hidden 2>&1)"; then
  ok "model embed --pooling cls --batch-size 3 matches the reference cls_last_hidden: $CHECK"
else
  not_ok "model embed cls (status $STATUS): $OUT ${CHECK:-}"
fi
STATUS=0
OUT="$("$TAILREC" model embed --model "$WORK/st" --input "$WORK/texts.txt" --output "$WORK/emb/st.tsv" 2>&1)" || STATUS=$?
if [ "$STATUS" -eq 0 ] && CHECK="$(compare "$WORK/emb/st.tsv" sentence_transformers_mean_normalized 2>&1)"; then
  ok "model embed with the checkpoint's defaults (sentence-transformers mean + normalize, max_seq_length 64): $CHECK"
else
  not_ok "model embed sentence-transformers defaults (status $STATUS): $OUT ${CHECK:-}"
fi
STATUS=0
OUT="$("$TAILREC" model embed --model "$DIR" --input "$WORK/texts.txt" --output "$WORK/emb/norm.tsv" --max-length 64 --normalize 2>&1)" || STATUS=$?
if [ "$STATUS" -eq 0 ] && CHECK="$(compare "$WORK/emb/norm.tsv" sentence_transformers_mean_normalized 2>&1)"; then
  ok "model embed --normalize on a plain folder matches the normalized reference: $CHECK"
else
  not_ok "model embed --normalize (status $STATUS): $OUT ${CHECK:-}"
fi
printf 'fine\n\xff\xfe broken\n' >"$WORK/bad-utf8.txt"
expect_error "model embed: invalid UTF-8 names the line" "bad-utf8.txt:2: invalid UTF-8" -- \
  model embed --model "$DIR" --input "$WORK/bad-utf8.txt" --output "$WORK/emb/bad.tsv"
expect_error "model embed: a missing input is named" "missing.txt does not exist" -- \
  model embed --model "$DIR" --input "$WORK/missing.txt" --output "$WORK/emb/missing.tsv"
if [ ! -e "$WORK/emb/bad.tsv" ] && [ ! -e "$WORK/emb/missing.tsv" ] && [ -z "$(find "$WORK/emb" -name '*.tmp' -print -quit)" ]; then
  ok "failed embeds leave no output file"
else
  not_ok "failed embeds left files: $(ls "$WORK/emb")"
fi
expect_error "model fetch: a bad repository id" "expected owner/name" -- model fetch "a/b/c"
finish
