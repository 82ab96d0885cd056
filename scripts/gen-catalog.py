#!/usr/bin/env python3
"""Writes a synthetic catalog for benchmarks by recombining real labels.

Usage: gen-catalog.py --records N --seed S --products DIR --out FILE

Reads the ingredient lists of the scraped product files in DIR (see
../shared/datasets/README.md) at run time and writes N records (id, name, type,
ingredients). Each record is a real label, or two real labels spliced at a random
ingredient, so the mix of names, quirks and errors stays that of real data. Seeded:
the same arguments give the same file. Nothing generated belongs in the repository.
"""
import argparse
import csv
import os
import random

SOURCES = [
    ("sephora_cosmetics.csv", "Ingredients", "cp1252", "Label"),
    ("sephora_product_info_sample1000.csv", "ingredients", "utf-8", "primary_category"),
    ("ulta_products_sample_sreeshman1.csv", "ingredients", "utf-8", None),
    ("lookfantastic_skincare_products_clean.csv", "clean_ingreds", "utf-8", "product_type"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--products", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    csv.field_size_limit(1 << 30)
    labels = []
    for name, column, encoding, type_column in SOURCES:
        path = os.path.join(args.products, name)
        with open(path, newline="", encoding=encoding, errors="replace") as f:
            for row in csv.DictReader(f):
                labels.append((row.get(column) or "", row.get(type_column, "") if type_column else ""))
    rng = random.Random(args.seed)
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "type", "ingredients"])
        for i in range(args.records):
            label, kind = rng.choice(labels)
            if rng.random() < 0.5 and not label.startswith("["):
                other, _ = rng.choice(labels)
                if not other.startswith("["):
                    a = label.split(", ")
                    b = other.split(", ")
                    label = ", ".join(a[: rng.randint(1, max(1, len(a)))] + b[rng.randint(0, max(0, len(b) - 1)):])
            w.writerow([f"P{i:07d}", f"Product {i}", kind, label])


if __name__ == "__main__":
    main()
