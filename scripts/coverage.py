#!/usr/bin/env python3
"""How much of real labels the database reads.

Usage: coverage.py BINARY PRODUCTS_DIR [--min-known 0.98] [--top 50]

Feeds every label of the product files in PRODUCTS_DIR (the scraped sets described in
../shared/datasets/README.md) to `BINARY check --format json` and reports, per file and
in all: the share of ingredient occurrences that are known, flagged, recognised by a
pattern, and unrecognised, and the most frequent unrecognised names. Exits 1 when the
share read (known + flagged + pattern) on the checked files is below --min-known.
"""
import argparse
import ast
import collections
import csv
import json
import os
import subprocess
import sys

# file name -> (ingredient column, encoding); lookfantastic is reported but not gated,
# since its cleaner split and truncated names before we see them.
FILES = {
    "sephora_cosmetics.csv": ("Ingredients", "cp1252", True),
    "sephora_product_info_sample1000.csv": ("ingredients", "utf-8", True),
    "ulta_products_sample_sreeshman1.csv": ("ingredients", "utf-8", True),
    "lookfantastic_skincare_products_clean.csv": ("clean_ingreds", "utf-8", False),
}


def label_of(cell):
    """A cell written as a Python list becomes one line per element."""
    text = cell.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            items = ast.literal_eval(text)
            if isinstance(items, list):
                return ", ".join(str(i) for i in items) if all(
                    "," not in str(i) for i in items) and len(items) > 3 else "\n".join(str(i) for i in items)
        except (ValueError, SyntaxError):
            pass
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("products")
    ap.add_argument("--min-known", type=float, default=0.0)
    ap.add_argument("--top", type=int, default=50)
    args = ap.parse_args()

    total = collections.Counter()
    gated = collections.Counter()
    unknown = collections.Counter()
    for name, (column, encoding, gate) in FILES.items():
        path = os.path.join(args.products, name)
        if not os.path.exists(path):
            print(f"{name}: missing, skipped")
            continue
        with open(path, newline="", encoding=encoding, errors="replace") as f:
            rows = list(csv.DictReader(f))
        counts = collections.Counter()
        refused = 0
        for row in rows:
            proc = subprocess.run(
                [args.binary, "check", "--format", "json"],
                input=label_of(row.get(column) or "").encode("utf-8"),
                capture_output=True,
            )
            if proc.returncode == 2:
                refused += 1
                continue
            if proc.returncode not in (0, 1):
                print(f"{name}: crashed with {proc.returncode}: {proc.stderr[:200]!r}")
                sys.exit(2)
            for ing in json.loads(proc.stdout)["ingredients"]:
                status = ing["status"]
                if status == "known" and ing["matched_by"] == "pattern":
                    status = "pattern"
                counts[status] += 1
                if status == "unrecognized":
                    unknown[ing["text"].lower()] += 1
        n = sum(counts.values()) or 1
        read = 1 - counts["unrecognized"] / n
        print(f"{name}: {len(rows)} records, {refused} refused (no list), {n} occurrences: "
              + ", ".join(f"{k} {counts[k] / n:.1%}" for k in ("known", "flagged", "pattern", "unrecognized"))
              + f"; read {read:.2%}" + ("" if gate else " (not gated)"))
        total.update(counts)
        if gate:
            gated.update(counts)
    n = sum(gated.values()) or 1
    read = 1 - gated["unrecognized"] / n
    print(f"gated files: {n} occurrences, read {read:.2%}")
    print(f"most frequent unrecognised names (all files):")
    for text, count in unknown.most_common(args.top):
        print(f"  {count:5}  {text}")
    sys.exit(0 if read >= args.min_known else 1)


if __name__ == "__main__":
    main()
