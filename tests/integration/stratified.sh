#!/usr/bin/env bash
# Stratified accuracy and the catalog on the embedded dataset (docs/metrics.md, "Stratified
# accuracy", "The catalog"):
# 1. Every single-split run writes its item and user groups and each model's values per group to
#    metrics.json and metrics.csv. The user-group values are recomputed here from the per-user
#    metrics and the users' activity (an independent computation of the documented grouping); the
#    item groups' sizes from item_exposure.tsv.gz.
# 2. protocol.catalog=train draws lists from the items with a training interaction only.
source "$(dirname "$0")/lib.bash"

expect_error "catalog=train with a cold-item split" "use catalog=all" -- \
  run split=cold_items protocol.catalog=train 'algorithms=[most_popular]' run.dir="$WORK/refused"
expect_error "catalog=train with a sampled protocol" "use protocol=full" -- \
  run protocol=sampled protocol.catalog=train 'algorithms=[most_popular]' run.dir="$WORK/refused_sampled"
expect_error "an unknown item grouping" "'deciles' is not one of" -- \
  run metrics.strata.items=deciles 'algorithms=[most_popular]' run.dir="$WORK/refused_grouping"
expect_error "one user group" "is below the minimum 2" -- \
  run metrics.strata.user_groups=1 'algorithms=[most_popular]' run.dir="$WORK/refused_groups"

if "$TAILREC" run 'algorithms=[most_popular,item_knn,tfidf]' 'metrics.names=[recall,ndcg,aplt]' metrics.k=10 \
  metrics.strata.items=quantiles metrics.strata.item_groups=4 run.threads=2 run.progress=false run.dir="$WORK/all" \
  >"$WORK/all.out" 2>&1; then
  python3 - "$WORK/all" <<'PY' && ok "strata: groups and values match an independent recomputation" || not_ok "strata: see above"
import csv, gzip, json, math, sys
run = sys.argv[1]
m = json.load(open(f"{run}/metrics.json"))
strata = m["strata"]
assert strata["metrics"] == ["recall@10", "ndcg@10"], strata["metrics"]  # aplt does not judge relevance
items = [g["name"] for g in strata["items"]["groups"]]
assert items == ["q1", "q2", "q3", "q4", "cold"], items
users = [g["name"] for g in strata["users"]["groups"]]
assert users == ["q1", "q2", "q3", "cold"], users
# Item groups: sizes from item_exposure.tsv.gz (every item's training users).
phi = [int(r["train_users"]) for r in csv.DictReader(gzip.open(f"{run}/item_exposure.tsv.gz", "rt"), delimiter="\t")]
cold = sum(1 for p in phi if p == 0)
sizes = {g["name"]: g["items"] for g in strata["items"]["groups"]}
assert sizes["cold"] == cold and cold > 0, (sizes, cold)
assert sum(sizes.values()) == len(phi), (sizes, len(phi))
assert m["catalog"]["policy"] == "all" and m["catalog"]["items"] == len(phi), m["catalog"]
warm = sorted((p for p in phi if p > 0), reverse=True)
# quantiles: each cut shares what is left evenly among the groups left (half up), then moves past
# equal popularity.
def cut(keys, groups):
    cuts, n = [0], len(keys)
    for g in range(1, groups):
        left, groups_left = n - cuts[-1], groups - g + 1
        c = cuts[-1] + (2 * left + groups_left) // (2 * groups_left)
        while 0 < c < n and keys[c] == keys[c - 1]:
            c += 1
        cuts.append(c)
    return cuts + [n]
cuts = cut(warm, 4)
for g in range(4):
    assert sizes[f"q{g + 1}"] == cuts[g + 1] - cuts[g], (g, sizes, cuts)
# User groups: activity = known items (training, no validation carve-out here); q1..q3 over the
# evaluated users.
activity = {r["user"]: int(r["known_items"]) for r in
            csv.DictReader(gzip.open(f"{run}/user_activity.tsv.gz", "rt"), delimiter="\t")}
per_user = list(csv.DictReader(gzip.open(f"{run}/per_user_metrics.tsv.gz", "rt"), delimiter="\t"))
for label in ["most_popular", "item_knn", "tfidf"]:
    rows = [r for r in per_user if r["algorithm"] == label]
    evaluated = sorted(rows, key=lambda r: (activity[r["user"]], int(r["user"])))
    keys = [activity[r["user"]] for r in evaluated]
    cuts = cut(keys, 3)
    got = m["algorithms"][label]["strata"]["users"]
    for g in range(3):
        group = evaluated[cuts[g]:cuts[g + 1]]
        for metric in ["recall@10", "ndcg@10"]:
            want = sum(float(r[metric]) for r in group) / len(group)
            assert math.isclose(got[f"q{g + 1}"][metric], want, rel_tol=1e-12), (label, g, metric, got, want)
    assert got["cold"]["ndcg@10"] is None  # cold users are excluded by default
    overall = m["algorithms"][label]["metrics"]["recall@10"]
    assert min(got[f"q{g}"]["recall@10"] for g in (1, 2, 3)) <= overall <= max(got[f"q{g}"]["recall@10"] for g in (1, 2, 3))
# metrics.csv carries the same numbers.
rows = {r["algorithm"]: r for r in csv.DictReader(open(f"{run}/metrics.csv"), delimiter="\t")}
assert math.isclose(float(rows["tfidf"]["ndcg@10[items=cold]"]), m["algorithms"]["tfidf"]["strata"]["items"]["cold"]["ndcg@10"], rel_tol=1e-15)
assert math.isclose(float(rows["item_knn"]["recall@10[users=q2]"]), m["algorithms"]["item_knn"]["strata"]["users"]["q2"]["recall@10"], rel_tol=1e-15)
# The content model reaches the cold items better than the collaborative ones.
cold_recall = {l: m["algorithms"][l]["strata"]["items"]["cold"]["recall@10"] for l in ["most_popular", "item_knn", "tfidf"]}
assert cold_recall["tfidf"] > cold_recall["item_knn"] and cold_recall["most_popular"] == 0, cold_recall
print("# cold items:", cold, "of", len(phi), "; recall@10 of cold test items:", cold_recall)
PY
  grep -q "item_knn: ndcg@10 by item popularity: q1 " "$WORK/all/run.log" && ok "strata: run.log shows ndcg by group" \
    || not_ok "strata: no log line"
else
  not_ok "default run failed: $(tail -3 "$WORK/all.out")"
fi

if "$TAILREC" run 'algorithms=[most_popular,item_knn]' 'metrics.names=[recall,coverage]' protocol.catalog=train \
  run.threads=2 run.progress=false run.dir="$WORK/train" >"$WORK/train.out" 2>&1; then
  python3 - "$WORK/train" "$WORK/all" <<'PY' && ok "catalog=train: only warm items, counted, coverage over them" || not_ok "catalog=train: see above"
import csv, gzip, json, sys
run, everything = sys.argv[1], sys.argv[2]
m = json.load(open(f"{run}/metrics.json"))
items = list(csv.DictReader(gzip.open(f"{run}/item_exposure.tsv.gz", "rt"), delimiter="\t"))
warm = {r["item"] for r in items if int(r["train_users"]) > 0}
catalog = m["catalog"]
assert catalog["policy"] == "train" and catalog["items"] == len(warm), (catalog, len(warm))
assert catalog["relevant_dropped"] > 0, catalog
assert m["protocol"]["catalog"] == "train"
recommended = {r["item"] for r in csv.DictReader(open(f"{run}/recommendations.tsv"), delimiter="\t")}
assert recommended <= warm, recommended - warm
for label in ["most_popular", "item_knn"]:
    distinct = {r["item"] for r in csv.DictReader(open(f"{run}/recommendations.tsv"), delimiter="\t") if r["algorithm"] == label}
    assert abs(m["algorithms"][label]["metrics"]["coverage@10"] - len(distinct) / len(warm)) < 1e-15, label
# The relevant items dropped are those the full catalog's run had in its cold group.
full = json.load(open(f"{everything}/metrics.json"))
cold = next(g for g in full["strata"]["items"]["groups"] if g["name"] == "cold")
assert catalog["relevant_dropped"] == cold["relevant"], (catalog, cold)
print("# catalog=train:", catalog)
PY
else
  not_ok "catalog=train run failed: $(tail -3 "$WORK/train.out")"
fi
finish
