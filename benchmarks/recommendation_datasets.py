"""Convert public interaction logs to the ``user,item,timestamp,weight`` CSV that
``ecom_ai evaluate recommendations --csv`` and ``ecom_ai train recommender --csv`` read.

The data itself is not in the repository (its licences do not all allow redistribution); get it,
then convert:

* ``groceries``: the "Groceries dataset" (Kaggle, Heeral Dedhia; ``Member_number,Date,itemDescription``,
  38,765 purchases by 3,898 members of 167 product groups, 2014-2015). Copies are in several public
  GitHub repositories (e.g. alephnull14177/GroceryRecommender, whose copy repeats the file three
  times; exact duplicate rows are dropped here).
* ``amazon-ratings``: an Amazon Review Data (2018, McAuley lab, research use) ratings-only category file, e.g.
  ``Magazine_Subscriptions.csv`` (89,689 ratings; a copy is in the public GitHub repository
  horaceyoung/Tri-Training-with-Deep-Document-Representations-Evaluation-FYP, ``data/``).
* ``ml-100k``: MovieLens 100k (GroupLens, research use; ``u.data``: user, item, rating, unix time).
  Ratings are treated as implicit interactions (weight = the rating).

    .venv/bin/python benchmarks/recommendation_datasets.py groceries Groceries_dataset.csv /tmp/groceries.csv.gz
    .venv/bin/python benchmarks/recommendation_datasets.py ml-100k ml-100k/u.data /tmp/ml100k.csv.gz
    .venv/bin/python benchmarks/recommendation_datasets.py amazon-ratings Magazine_Subscriptions.csv /tmp/magazines.csv.gz
    .venv/bin/python manage.py ecom_ai evaluate recommendations --csv /tmp/groceries.csv.gz
"""
from __future__ import annotations

import argparse
import csv
import gzip
from datetime import datetime, timezone


def groceries(src: str):
    seen = set()
    with open(src, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["Member_number"], row["Date"], row["itemDescription"])
            if key in seen or not row["Member_number"].isdigit():  # a repeated header in a concatenated copy
                continue
            seen.add(key)
            day = datetime.strptime(row["Date"], "%d-%m-%Y").replace(tzinfo=timezone.utc)
            yield row["Member_number"], row["itemDescription"], int(day.timestamp()), 1


def movielens_100k(src: str):
    with open(src, encoding="latin-1") as fh:
        for line in fh:
            if not line.strip():
                continue
            user, item, rating, ts = line.split()[:4]
            if user == "0":  # not a GroupLens user id (some copies append test rows for a user 0)
                continue
            yield user, item, int(ts), int(rating)


def amazon_ratings(src: str):
    """An Amazon Review Data (2018) ratings-only file (``item,user,rating,unix time``, no header): each review
    counts as a purchase (weight 1); exact (user, item, time) repeats are dropped."""
    seen = set()
    with open(src, newline="", encoding="utf-8") as fh:
        for item, user, _rating, ts in csv.reader(fh):
            key = (user, item, int(ts))
            if key not in seen:
                seen.add(key)
                yield user, item, int(ts), 1


CONVERTERS = {"groceries": groceries, "ml-100k": movielens_100k, "amazon-ratings": amazon_ratings}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=sorted(CONVERTERS))
    ap.add_argument("src")
    ap.add_argument("dest", help="a .csv or .csv.gz file to write")
    args = ap.parse_args()
    opener = gzip.open if args.dest.endswith(".gz") else open
    n = 0
    with opener(args.dest, "wt", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["user", "item", "timestamp", "weight"])
        for row in CONVERTERS[args.kind](args.src):
            w.writerow(row)
            n += 1
    print(f"{n} interactions written to {args.dest}")


if __name__ == "__main__":
    main()
