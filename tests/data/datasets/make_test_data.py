#!/usr/bin/env python3
"""Writes the small dataset fixtures used by tests/unit/datasets (run once; the outputs are committed,
so the tests never need Python). Exact bytes matter: Latin-1 item files, a UTF-8 BOM, CRLF line ends,
quoted CSV fields with commas/newlines/doubled quotes, and small ZIP archives."""
import hashlib
import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, data):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


# The MovieLens 100K and 1M format fixtures are not files here: the tests write them at run time
# (tests/unit/datasets/movielens_fixtures.hpp), so nothing in those formats is committed.


# --- MovieLens CSV layout --------------------------------------------------------------------
write("mlcsv/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n"
                           "2,3,0.5,1445714835\n3,10,3.0,1306463578\n")
write("mlcsv/movies.csv", "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
                          "3,\"Grumpier Old Men, The (1995)\",Comedy|Romance\n"
                          "10,\"Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)\",(no genres listed)\n"
                          "11,Never Rated (2000),Drama\n")
write("mlcsv/tags.csv", "userId,movieId,tag,timestamp\n2,3,funny,1445714994\n2,3,\"old, grumpy\",1445714996\n"
                        "3,3,Funny,1445714997\n3,1,pixar,1445714998\n")
write("mlcsv/abstracts.json", '{"1": "A cowboy doll is threatened by a new spaceman toy.", "3": "Abstract not found.",'
                              ' "11": "Never rated, so dropped."}\n')

# --- Generic delimited -----------------------------------------------------------------------
quoted = ("\ufeffuser,item,score,when,comment\r\n"
          "u1,\"i,1\",4.5,100,\"plain\"\r\n"
          "u2,i2,3,200,\"multi\r\nline \"\"quoted\"\" comment\"\r\n"
          "u1,i2,2,300,\r\n")
write("delimited/quoted.csv", quoted)
write("delimited/quoted_bad.csv", quoted.replace("u1,i2,2,300", "u1,i2,NaN,300"))
write("delimited/items.csv", "id,title,genres\n\"i,1\",\"Crème brûlée, the movie\",Drama\ni2,Plain,Comedy\n"
                             "i9,Unused,Drama\n")
write("delimited/train.rating", "0\t0\t5\t978300001\n0\t1\t3\t978300003\n1\t0\t4\t978300002\n")
write("delimited/test.rating", "0\t2\t4\t978824291\n1\t1\t1\t978300000\n")
write("delimited/mixed_ids.csv", "user,item\n10,9\n9,a\n100,10\n")
write("delimited/numeric_ids.csv", "user,item\n10,9\n9,100\n100,10\n")
write("delimited/bad_rating.csv", "user,item,rating\n1,1,4\n1,2,abc\n")
write("delimited/inf_rating.csv", "user,item,rating\n1,1,inf\n")
write("delimited/short_row.csv", "user,item,rating\n1,1,4\n2,2,3\n3,3\n")
write("delimited/unclosed.csv", "user,item,rating\n1,\"oops,4\n2,2,3\n")
write("delimited/empty.csv", "")
write("delimited/header_only.csv", "user,item,rating\n")

# --- RecBole atomic files --------------------------------------------------------------------
write("recbole/toy/toy.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
                               "u7\ti3\t4\t881250949\nu7\ti1\t3.5\t881250950.0\nu2\ti3\t1\t881250951\n")
write("recbole/toy/toy.item", "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\tscore:float\n"
                              "i1\tToy Story\t1995\tAnimation Comedy\t0.5\ni3\tHeat\t1995\tAction\t0.1\n")
write("recbole/toy/toy.test.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
                                    "u2\ti1\t5\t881250999\n")
write("recbole/bad/bad.inter", "user_id:token\titem_id:tokn\n1\t2\n")

# --- Checksums and archives ------------------------------------------------------------------
write("hello.txt", "hello\n")
buffer = io.BytesIO()
def entry(name, method=zipfile.ZIP_STORED):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))  # fixed: the archive's bytes are reproducible
    info.compress_type = method
    return info


with zipfile.ZipFile(buffer, "w") as z:
    z.writestr(entry("tiny/"), b"")
    z.writestr(entry("tiny/hello.txt", zipfile.ZIP_DEFLATED), "hello world\n" * 100)
    z.writestr(entry("tiny/stored.txt"), "abc\n")
tiny = buffer.getvalue()
write("archive/tiny.zip", tiny)
# Same archive with one byte of stored.txt changed: its CRC-32 no longer matches.
at = tiny.index(b"abc\n")
write("archive/corrupt.zip", tiny[:at] + b"abd\n" + tiny[at + 4:])
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as z:
    z.writestr(entry("../evil.txt"), "escaped\n")
write("archive/evil.zip", buffer.getvalue())
print("tiny.zip md5", hashlib.md5(tiny).hexdigest(), "sha256", hashlib.sha256(tiny).hexdigest())
print("hello.txt in zip sha256", hashlib.sha256(b"hello world\n" * 100).hexdigest())
