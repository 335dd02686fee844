#!/usr/bin/env python3
"""Independent check of a protocol=replay run on ml-latest-small (tests/integration/replay.sh).

Recomputes from ratings.csv alone, with its own code: the temporal_global cut, the rounds by equal
counts, who is active / cold / evaluated in each round, which shown items are hits, the tail hits
(pareto head of the popularity known before the round), coverage and gini so far, the most_popular
lists themselves, and adaptive_hybrid's exponentiated-gradient weights. Exits non-zero on the first
difference, naming it.

usage: replay_check.py RATINGS_CSV RUN_DIR RATIO ROUNDS ETA
"""
import csv
import json
import math
import sys
from collections import defaultdict


def fail(message):
    print(f"replay_check: {message}")
    sys.exit(1)


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def main():
    ratings_csv, run_dir, ratio, rounds_wanted, eta = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    rows = []
    with open(ratings_csv) as f:
        for r in csv.DictReader(f):
            rows.append((int(r["timestamp"]), int(r["userId"]), int(r["movieId"])))
    items_all = sorted({m for _, _, m in rows})
    num_items = len(items_all)

    # temporal_global: cut = t[N - m], m = round half away from zero (ratio * N); t >= cut is later.
    times = sorted(t for t, _, _ in rows)
    n = len(times)
    m = min(max(int(math.floor(ratio * n + 0.5)), 1), n)
    cut = times[n - m]
    train = [r for r in rows if r[0] < cut]
    later = sorted(r for r in rows if r[0] >= cut)  # (time, user, item)

    # Rounds by equal counts; a boundary moves past rows sharing its timestamp.
    bounds, begin = [], 0
    for r in range(rounds_wanted):
        if begin >= len(later):
            break
        end = len(later) if r + 1 == rounds_wanted else -(-(r + 1) * len(later) // rounds_wanted)
        end = max(end, begin + 1)
        while end < len(later) and later[end][0] == later[end - 1][0]:
            end += 1
        bounds.append((begin, end))
        begin = end
    rounds = [later[b:e] for b, e in bounds]

    metrics = json.load(open(f"{run_dir}/metrics.json"))
    if metrics["dataset"]["items"] != num_items:
        fail(f"catalog {metrics['dataset']['items']} items, expected {num_items}")
    windows = metrics["replay"]["rounds"]
    if len(windows) != len(rounds):
        fail(f"{len(windows)} rounds, expected {len(rounds)}")
    for w, rnd in zip(windows, rounds):
        if (w["start"], w["end"], w["interactions"]) != (rnd[0][0], rnd[-1][0], len(rnd)):
            fail(f"round {w['round']}: window {w}, expected {(rnd[0][0], rnd[-1][0], len(rnd))}")

    table = defaultdict(dict)  # algorithm -> round -> row
    with open(f"{run_dir}/replay_rounds.tsv") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            table[r["algorithm"]][int(r["round"])] = r
    lists = defaultdict(list)  # (algorithm, round, user) -> [(rank, item, score, hit)]
    with open(f"{run_dir}/recommendations.tsv") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            lists[(r["algorithm"], int(r["round"]), int(r["user"]))].append(
                (int(r["rank"]), int(r["item"]), float(r["score"]), int(r["hit"])))
    k = int(metrics["metric_settings"]["k"])

    for algorithm, by_round in table.items():
        known = defaultdict(set)
        for _, u, i in train:
            known[u].add(i)
        exposure = defaultdict(int)
        cumulative_hits = 0
        for index, rnd in enumerate(rounds, start=1):
            row = by_round.get(index)
            if row is None:
                fail(f"{algorithm}: no row for round {index}")
            now = defaultdict(set)
            for _, u, i in rnd:
                now[u].add(i)
            cold = [u for u in now if not known[u]]
            evaluated = sorted(u for u in now if known[u])
            # Pareto head (share 0.8) of the popularity known before the round; phi = 0 is tail.
            phi = defaultdict(int)
            for u, its in known.items():
                for i in its:
                    phi[i] += 1
            ranked = sorted(items_all, key=lambda i: (-phi[i], i))
            total, head, running = sum(phi.values()), set(), 0
            for i in ranked:
                if running >= 0.8 * total - 1e-9 * total or phi[i] == 0:
                    break
                head.add(i)
                running += phi[i]
            hits = tail_hits = users_with_hit = 0
            for u in evaluated:
                shown = lists.get((algorithm, index, u))
                if not shown:
                    fail(f"{algorithm} round {index}: no list for user {u}")
                if [s[0] for s in shown] != list(range(1, len(shown) + 1)) or len(shown) != min(k, num_items - len(known[u])):
                    fail(f"{algorithm} round {index} user {u}: ranks {[s[0] for s in shown]}")
                user_hits = 0
                for _, item, score, hit in shown:
                    if item in known[u]:
                        fail(f"{algorithm} round {index} user {u}: item {item} was already known")
                    if hit != (item in now[u]):
                        fail(f"{algorithm} round {index} user {u}: item {item} hit={hit}")
                    exposure[item] += 1
                    if hit:
                        user_hits += 1
                        tail_hits += item not in head
                hits += user_hits
                users_with_hit += user_hits > 0
                if algorithm == "most_popular":
                    # Top-k by phi among unknown items, ties by lower item id; the score is phi.
                    expected = sorted((i for i in items_all if i not in known[u]), key=lambda i: (-phi[i], i))[:k]
                    if [s[1] for s in shown] != expected or any(s[2] != phi[s[1]] for s in shown):
                        fail(f"most_popular round {index} user {u}: list {[s[1] for s in shown]}, expected {expected}")
            if len(lists) and any(key[0] == algorithm and key[1] == index and key[2] not in evaluated for key in lists):
                fail(f"{algorithm} round {index}: a list for a user who is not evaluated")
            cumulative_hits += hits
            shown_items = sum(1 for c in exposure.values() if c > 0)
            counts = sorted(list(exposure.values()) + [0] * (num_items - len(exposure)))
            total_exposure = sum(counts)
            gini = sum((2 * j - num_items - 1) * c for j, c in enumerate(counts, start=1)) / (num_items * total_exposure) if total_exposure else 0.0
            checks = {
                "interactions": (int(row["interactions"]), len(rnd)),
                "active_users": (int(row["active_users"]), len(now)),
                "cold_users": (int(row["cold_users"]), len(cold)),
                "evaluated_users": (int(row["evaluated_users"]), len(evaluated)),
                "hits": (int(row["hits"]), hits),
                "users_with_hit": (int(row["users_with_hit"]), users_with_hit),
                "tail_hits": (int(row["tail_hits"]), tail_hits),
                "cumulative_hits": (int(row["cumulative_hits"]), cumulative_hits),
            }
            for name, (got, want) in checks.items():
                if got != want:
                    fail(f"{algorithm} round {index}: {name} = {got}, expected {want}")
            if evaluated:
                if not close(float(row[f"hit_rate@{k}"]), users_with_hit / len(evaluated)):
                    fail(f"{algorithm} round {index}: hit rate {row[f'hit_rate@{k}']}")
                if not close(float(row[f"precision@{k}"]), hits / (len(evaluated) * k)):
                    fail(f"{algorithm} round {index}: precision {row[f'precision@{k}']}")
            if not close(float(row["coverage_so_far"]), shown_items / num_items):
                fail(f"{algorithm} round {index}: coverage so far {row['coverage_so_far']}, expected {shown_items / num_items}")
            if not close(float(row["gini_so_far"]), gini):
                fail(f"{algorithm} round {index}: gini so far {row['gini_so_far']}, expected {gini}")
            for u, its in now.items():
                known[u] |= its

    # adaptive_hybrid: uniform start; w_{t+1} = w_t exp(eta r / max r) / Z with r the rewards shown
    # in round t+1 (measured on round t), unchanged when no component hit anything.
    state = defaultdict(dict)
    with open(f"{run_dir}/replay_state.tsv") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            state[(r["algorithm"], int(r["round"]))][r["name"]] = float(r["value"])
    adaptive = sorted({a for a, _ in state})
    if not adaptive:
        fail("replay_state.tsv has no adaptive algorithm")
    for a in adaptive:
        first = state[(a, 1)]
        weights = {name[7:]: v for name, v in first.items() if name.startswith("weight:")}
        if len(weights) < 2 or any(not close(w, 1 / len(weights)) for w in weights.values()):
            fail(f"{a}: round-1 weights {weights} are not uniform")
        moved = False
        for index in range(2, len(rounds) + 1):
            s = state[(a, index)]
            rewards = {c: s["reward:" + c] for c in weights}
            best = max(rewards.values())
            if best > 0:
                raw = {c: weights[c] * math.exp(eta * rewards[c] / best) for c in weights}
                z = sum(raw.values())
                weights = {c: v / z for c, v in raw.items()}
                moved = True
            for c in weights:
                if not close(s["weight:" + c], weights[c], 1e-12):
                    fail(f"{a} round {index}: weight of {c} = {s['weight:' + c]}, expected {weights[c]}")
        if not moved:
            fail(f"{a}: the weights never moved")
    print(f"replay_check: {len(table)} algorithms x {len(rounds)} rounds agree with the independent recomputation")


main()
