#!/usr/bin/env python3
"""Builds datasets/ml-latest-small/abstracts.json: the plot abstracts of the movies in
ml-latest-small, taken from dbpedia_abstracts.json (keyed by MovieLens MovieID, which is the same id
space as ml-latest-small's movieId). Entries whose text is "Abstract not found." are dropped; every
other entry is kept as it is (including the source's "Movie: <title>, Genres: [...]" fallbacks).

Usage: make_abstracts_subset.py ABSTRACTS_JSON MOVIES_CSV OUTPUT_JSON
  e.g. ../shared/datasets/movie-abstracts/dbpedia_abstracts.json datasets/ml-latest-small/movies.csv
       datasets/ml-latest-small/abstracts.json
"""
import csv
import json
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, movies_csv, output = sys.argv[1:]
    with open(source, encoding="utf-8") as f:
        abstracts = json.load(f)
    with open(movies_csv, encoding="utf-8", newline="") as f:
        movie_ids = {row["movieId"] for row in csv.DictReader(f)}
    subset = {k: v for k, v in abstracts.items() if k in movie_ids and v.strip() != "Abstract not found."}
    ordered = dict(sorted(subset.items(), key=lambda kv: int(kv[0])))
    with open(output, "w", encoding="utf-8") as f:
        json.dump(ordered, f, ensure_ascii=False, indent=0)
        f.write("\n")
    fallbacks = sum(1 for v in ordered.values() if v.startswith("Movie: "))
    print(f"{len(ordered)} abstracts ({len(ordered) - fallbacks} from DBpedia, {fallbacks} title/genre fallbacks) "
          f"of {len(movie_ids)} movies")


if __name__ == "__main__":
    main()
