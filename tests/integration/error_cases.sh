#!/usr/bin/env bash
# Bad input gets one clear message, a non-zero exit, and never a run folder that looks complete.
source "$(dirname "$0")/lib.bash"

printf 'user,item,rating\n1,10,4\n1,11,5\n2,10,3\n2,12,4\n3,11,2\n3,12,5\n' >"$WORK/good.csv"
printf 'user,item,rating\n1,10,4\n1,11,five\n' >"$WORK/nonnumeric.csv"
printf 'user,item,rating\n1,10,4\n1,11\n' >"$WORK/short.csv"
printf 'user,item,rating\n1,10,4\n1,10,5\n2,11,3\n' >"$WORK/dup.csv"
D=(dataset=delimited "dataset.columns.user=user" "dataset.columns.item=item" "dataset.columns.rating=rating")
R="run.dir=$WORK/run"

expect_error "missing data file" "missing.csv" -- run "${D[@]}" dataset.path="$WORK/missing.csv" "$R"
expect_error "non-numeric rating names file and line" "nonnumeric.csv:3" -- run "${D[@]}" dataset.path="$WORK/nonnumeric.csv" "$R"
expect_error "short row names file and line" "short.csv:3" -- run "${D[@]}" dataset.path="$WORK/short.csv" "$R"
expect_error "duplicates are an error by default" "preprocess.duplicates" -- run "${D[@]}" dataset.path="$WORK/dup.csv" "$R"
expect_error "empty dataset after filtering" "removed every interaction" -- run "${D[@]}" dataset.path="$WORK/good.csv" preprocess.user_core=50 "$R"
expect_error "unknown config key" "+run.sead" -- run run.sead=1 "$R"
# Run-level keys have a schema (tailrec list settings): the same error as an algorithm parameter.
expect_error "unknown run-level key" "unknown parameter 'sead' (did you mean 'seed'?)" -- run +run.sead=1 "$R"
expect_error "run-level key out of range" "config key 'run.threads' (command line override 'run.threads=-1'): -1 is below the minimum 0" -- run run.threads=-1 "$R"
expect_error "run-level choice" "'gpu' is not one of cpu, cuda, auto" -- run run.device=gpu "$R"
expect_error "unknown launcher key" "unknown parameter 'jbos'" -- run --multirun +launcher.jbos=2 'algorithms=[random],[most_popular]' sweep.dir="$WORK/sweep"
expect_error "unknown key in a group names the closest key" "did you mean 'ratio'" -- run +split.ratoi=0.3 "$R"
expect_error "bad override syntax" "has no '='" -- run run.seed "$R"
expect_error "unbalanced brackets" "algorithms=[most_popular" -- run "algorithms=[most_popular" "$R"
expect_error "empty key" "empty key" -- run =5 "$R"
expect_error "unknown group option" "unknown option 'ml100" -- run dataset=ml100 "$R"
expect_error "unknown algorithm" "did you mean 'most_popular'" -- run algorithms=[most_popluar] "$R"
expect_error "unknown metric" "unknown metric 'ndgc'" -- run metrics.names=[ndgc] "$R"
expect_error "k <= 0" "0 is below the minimum 1" -- run metrics.k=0 "$R"
expect_error "k@0 in a metric name" "ndcg@0" -- run "metrics.names=[ndcg@0]" "$R"
expect_error "wrong type" "is not an integer" -- run run.seed=abc "$R"
expect_error "unknown algorithm parameter" "unknown parameter" -- run "algorithms=[{name: most_popular, k: 3}]" "$R"
expect_error "duplicate labels" "used twice" -- run "algorithms=[random,random]" "$R"
expect_error "unknown list kind" "did you mean 'metrics'" -- list metrix
# Only where no GPU can be seen (CI); on a GPU machine with a CUDA libtorch run.device=cuda runs.
if ! command -v nvidia-smi >/dev/null 2>&1; then
  expect_error "run.device=cuda without a GPU" "no CUDA device is available" -- run run.device=cuda "$R"
fi
finish
