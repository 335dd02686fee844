#!/usr/bin/env python3
"""Hugging Face transformers references for tailrec's BERT encoder on a GPU (scripts/gpu_check.sh).

bench       bert-base with random weights (BertConfig() defaults: 12 layers, hidden 768), one batch of
            32 sequences x 128 tokens ([CLS] random word pieces [SEP], no padding), mean pooling, the
            pooled output copied to the host after every pass; fp32, fp16 and bf16, with the
            "eager" attention (softmax(QK^T)V in separate ops, like tailrec's encoder) and "sdpa"
            (torch's fused attention, transformers' default). One warm-up pass, then --iterations
            timed passes. The counterpart of BM_BertBaseCuda in bert_encoder_benchmark.cpp.
checkpoint  writes a bert-base checkpoint with seeded random weights in Hugging Face layout
            (config.json, model.safetensors) plus the tokenizer files of a fixture folder.
compare     embeds a text file (one text per line) with that checkpoint in Hugging Face (fp32,
            mean pooling over the attention mask, truncation to --max-length) and compares the
            result with the TSV that `tailrec model embed` wrote: prints the largest absolute
            difference and the smallest cosine; exit status 1 beyond --tolerance.

Prints one JSON object per line.
"""
import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import torch
import transformers
from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def mean_pool(hidden, mask):
    mask = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)


def bench(args):
    generator = torch.Generator().manual_seed(20240701)
    ids = torch.randint(1000, 30000, (32, 128), generator=generator)
    ids[:, 0], ids[:, -1] = 101, 102
    ids = ids.cuda()
    mask = torch.ones_like(ids)
    for attention in ("eager", "sdpa"):
        for name, dtype in DTYPES.items():
            torch.manual_seed(42)
            model = AutoModel.from_config(BertConfig(), attn_implementation=attention)
            model = model.to("cuda", dtype).eval()
            used = getattr(model.config, "_attn_implementation", "?")  # what transformers really chose
            with torch.inference_mode():
                mean_pool(model(input_ids=ids, attention_mask=mask).last_hidden_state, mask).float().cpu()
                start = time.perf_counter()
                for _ in range(args.iterations):
                    mean_pool(model(input_ids=ids, attention_mask=mask).last_hidden_state, mask).float().cpu()
                seconds = (time.perf_counter() - start) / args.iterations
            print(json.dumps({"precision": name, "attention": used, "ms_per_batch": seconds * 1e3,
                              "sequences_per_s": 32 / seconds, "torch": torch.__version__,
                              "transformers": transformers.__version__}), flush=True)
            del model
            torch.cuda.empty_cache()


def checkpoint(args):
    out = Path(args.folder)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(args.seed)
    BertModel(BertConfig()).save_pretrained(out)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(Path(args.fixture) / name, out / name)
    print(json.dumps({"checkpoint": str(out), "files": sorted(p.name for p in out.iterdir())}))


def compare(args):
    texts = Path(args.texts).read_text(encoding="utf-8").split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    tokenizer = AutoTokenizer.from_pretrained(args.folder)
    model = BertModel.from_pretrained(args.folder).cuda().eval()
    reference = []
    with torch.inference_mode():
        for begin in range(0, len(texts), 32):
            encoded = tokenizer(texts[begin:begin + 32], padding=True, truncation=True,
                                max_length=args.max_length, return_tensors="pt").to("cuda")
            hidden = model(**encoded).last_hidden_state
            reference.append(mean_pool(hidden, encoded["attention_mask"]).double().cpu())
    reference = torch.cat(reference)
    rows = [line.split("\t") for line in Path(args.tsv).read_text().splitlines()]
    ours = torch.tensor([[float(v) for v in row[1:]] for row in rows], dtype=torch.float64)
    if ours.shape != reference.shape:
        print(json.dumps({"error": f"shape {tuple(ours.shape)} != {tuple(reference.shape)}"}))
        return 1
    worst = (ours - reference).abs().max().item()
    cosine = torch.nn.functional.cosine_similarity(ours, reference, dim=1).min().item()
    print(json.dumps({"texts": len(texts), "dim": ours.shape[1], "max_abs_diff": worst, "min_cosine": cosine,
                      "tolerance": args.tolerance, "transformers_model": "BertModel fp32, mean pooling"}))
    return 0 if worst <= args.tolerance else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("bench")
    p.add_argument("--iterations", type=int, default=20)
    p = commands.add_parser("checkpoint")
    p.add_argument("folder")
    p.add_argument("--fixture", required=True, help="folder with vocab.txt, tokenizer.json, tokenizer_config.json")
    p.add_argument("--seed", type=int, default=0)
    p = commands.add_parser("compare")
    p.add_argument("folder")
    p.add_argument("texts")
    p.add_argument("tsv")
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    return {"bench": bench, "checkpoint": checkpoint, "compare": compare}[args.command](args) or 0


if __name__ == "__main__":
    sys.exit(main())
