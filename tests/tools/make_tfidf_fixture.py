#!/usr/bin/python3
"""Writes tests/data/tfidf/sklearn_tfidf.json: scikit-learn TfidfVectorizer outputs on ~30 tricky
texts, the reference for tests/unit/algorithms/content/tfidf_test.cpp (which must not need Python).

Run with Debian's python3 and python3-sklearn (apt-get install -y --no-install-recommends python3-sklearn):
    /usr/bin/python3 tests/tools/make_tfidf_fixture.py
Each case gives the vectorizer parameters, the sorted vocabulary, the idf and the rows as sparse
[column, value] pairs (float64, full precision).
"""
import json
import os
import sys
import unicodedata

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "The dog, the DOG, the dog!!! Dogs are dogs; a dog is a dog.",
    "Naïve café owners serve crème brûlée in São Paulo.",
    "naive cafe owners serve creme brulee",  # the same words without accents: different terms
    "Toy Story (1995) Adventure|Animation|Children|Comedy|Fantasy",
    "Jumanji (1995) Adventure|Children|Fantasy",
    "2001: A Space Odyssey -- 1968, 142 min, rated 8.3/10",
    "R2-D2 and C-3PO in Star Wars: Episode IV - A New Hope",
    "東京物語 (Tokyo Story) 小津安二郎 1953",
    "千と千尋の神隠し Spirited Away 2001",
    "ΟΔΥΣΣΕΥΣ ΚΑΙ ΣΕΙΡΗΝΕΣ: Ὀδυσσεύς, σειρῆνες",  # Greek capitals: final sigma when lowercased
    "İstanbul'da İKİ GÜZEL ŞEHİR",  # dotted capital I lowercases to i + U+0307 (a mark, not \w)
    "STRASSE Straße straße ﬁlm ﬂight",  # ß and ligatures
    "snake_case_words and __dunder__ names, x_1 y_2",
    "e\u0301te\u0301 vs \u00e9t\u00e9 (decomposed vs composed)",  # combining acute is not \w
    "हिन्दी सिनेमा बॉलीवुड",  # Devanagari vowel signs (Mc/Mn) split tokens, as in Python
    "Ⅻ angry men, ½ price, x² + y² = z², ٣ apples",  # Nl, No and Arabic-Indic digits are \w
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ ２０２４",
    "I a b c d e f g",  # only one-letter tokens: an empty row
    "",  # empty document: an empty row
    "don't won't can't it's O'Brien's",
    "emoji 🎬🍿 popcorn 🎬 movie-night",
    "repeated repeated repeated repeated word word",
    "The the THE tHe ThE",
    "numbers 007 0.5 1,000,000 3.14159 42 42 42",
    "email user@example.com and url https://example.org/path?q=1",
    "tabs\tand\nnewlines\r\nand   spaces",
    "Amélie Poulain: Le Fabuleux Destin d'Amélie Poulain (2001) Comedy|Romance",
    "Кино и фильмы: Андрей Тарковский, Сталкер (1979)",
    "a story about love, war and a love story about war",
]

CASES = [
    ("default", {}),
    ("sublinear_bigrams_pruned", {"sublinear_tf": True, "ngram_range": (1, 2), "min_df": 2, "max_df": 0.5}),
    ("stop_words_proportions", {"stop_words": "english", "min_df": 0.05, "max_df": 3}),
    ("unsmoothed_unnormalised", {"smooth_idf": False, "norm": None, "ngram_range": (1, 3)}),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = os.path.join(here, "..", "data", "tfidf", "sklearn_tfidf.json")
    cases = []
    for name, params in CASES:
        vectorizer = TfidfVectorizer(**params)
        matrix = vectorizer.fit_transform(TEXTS).tocsr()
        matrix.sort_indices()
        vocabulary = vectorizer.get_feature_names_out().tolist()
        rows = []
        for r in range(matrix.shape[0]):
            start, end = matrix.indptr[r], matrix.indptr[r + 1]
            rows.append([[int(c), float(v)] for c, v in zip(matrix.indices[start:end], matrix.data[start:end])])
        json_params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
        cases.append({"name": name, "params": json_params, "vocabulary": vocabulary,
                      "idf": [float(x) for x in vectorizer.idf_], "rows": rows})
    fixture = {
        "generator": "tests/tools/make_tfidf_fixture.py",
        "sklearn_version": sklearn.__version__,
        "python_version": sys.version.split()[0],
        "unicode_version": unicodedata.unidata_version,
        "texts": TEXTS,
        "cases": cases,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {out_path}: {len(TEXTS)} texts, {len(cases)} cases")


if __name__ == "__main__":
    main()
