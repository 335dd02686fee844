#!/usr/bin/env python3
"""NeuMF training throughput in PyTorch eager: the same model, sizes, data and optimizer as the
BM_NeuMFTrain rows of tests/benchmarks/ncf_benchmark.cpp, written the way a PyTorch user would
(nn.Embedding with dense gradients, nn.Linear, BCEWithLogitsLoss, torch.optim.Adam), so that
scripts/bench_ncf_vs_pytorch.sh can compare both at the same thread count.

NeuMF with the NCF paper's sizes (factors 8, MLP [64,32,16,8]) on ML-1M-sized ids (6,040 users x
3,706 items); 2^17 pre-drawn instances (one in five positive) sliced into batches; Adam lr 0.001.
Prints one JSON object per (batch, threads): samples/s measured over whole passes of at least
--min-time seconds, after one warm-up pass of 4 batches.

With --device cuda the model, the instances and the optimizer live on the GPU (threads are then
irrelevant and reported as 0) and each timed pass ends with torch.cuda.synchronize(); the
BM_NeuMFTrainCuda rows of ncf_benchmark are its counterpart (scripts/gpu_check.sh runs both).

Usage: python3 ncf_pytorch.py [--batches 256 4096] [--threads 1 2] [--min-time 2] [--device cpu|cuda]
"""
import argparse
import json
import time

import torch
from torch import nn

USERS, ITEMS, INSTANCES = 6040, 3706, 1 << 17


class NeuMF(nn.Module):
    def __init__(self, users, items, factors=8, layers=(64, 32, 16, 8)):
        super().__init__()
        half = layers[0] // 2
        self.user_gmf = nn.Embedding(users, factors)
        self.item_gmf = nn.Embedding(items, factors)
        self.user_mlp = nn.Embedding(users, half)
        self.item_mlp = nn.Embedding(items, half)
        for table in (self.user_gmf, self.item_gmf, self.user_mlp, self.item_mlp):
            nn.init.normal_(table.weight, std=0.01)
        tower = []
        for size_in, size_out in zip(layers[:-1], layers[1:]):
            tower += [nn.Linear(size_in, size_out), nn.ReLU()]
        self.tower = nn.Sequential(*tower)
        self.prediction = nn.Linear(factors + layers[-1], 1)

    def forward(self, users, items):
        gmf = self.user_gmf(users) * self.item_gmf(items)
        mlp = self.tower(torch.cat([self.user_mlp(users), self.item_mlp(items)], 1))
        return self.prediction(torch.cat([gmf, mlp], 1)).view(-1)


def train_pass(model, optimizer, loss_fn, users, items, labels, batch):
    for begin in range(0, users.shape[0], batch):
        end = begin + batch
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(users[begin:end], items[begin:end]), labels[begin:end])
        loss.backward()
        optimizer.step()
    if users.is_cuda:
        torch.cuda.synchronize()


def measure(batch, threads, min_time, device="cpu"):
    if device == "cpu":
        torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(20240612)
    users = torch.randint(USERS, (INSTANCES,), generator=generator)
    items = torch.randint(ITEMS, (INSTANCES,), generator=generator)
    labels = (torch.arange(INSTANCES) % 5 == 0).float()
    torch.manual_seed(7)
    model = NeuMF(USERS, ITEMS).to(device)
    users, items, labels = users.to(device), items.to(device), labels.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.BCEWithLogitsLoss()
    warm = 4 * batch
    train_pass(model, optimizer, loss_fn, users[:warm], items[:warm], labels[:warm], batch)
    passes, start = 0, time.perf_counter()
    while True:
        train_pass(model, optimizer, loss_fn, users, items, labels, batch)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            break
    return {"batch": batch, "threads": threads if device == "cpu" else 0, "device": device,
            "samples_per_s": passes * INSTANCES / elapsed,
            "seconds": elapsed, "passes": passes, "torch": torch.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[256, 4096])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--min-time", type=float, default=2.0)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    args = parser.parse_args()
    for batch in args.batches:
        for threads in args.threads if args.device == "cpu" else [0]:
            print(json.dumps(measure(batch, threads, args.min_time, args.device)), flush=True)


if __name__ == "__main__":
    main()
