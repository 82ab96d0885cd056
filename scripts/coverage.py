#!/usr/bin/env python3
"""How much of real labels the database reads.

Usage: coverage.py BINARY PRODUCTS_DIR [--min-known 0.99] [--max-review 0.05] [--top 50]

Runs `BINARY batch --format jsonl` over the product files in PRODUCTS_DIR (the scraped
sets described in ../shared/datasets/README.md) and reports, per file and
per file: the share of ingredient occurrences that are known, flagged, recognised by a
pattern, and unrecognised; the share of checked products whose verdict is `review`;
and the most frequent unrecognised names. Exits 1 when the share read (known +
flagged + pattern) of any gated file is below --min-known, when its share of `review`
products is above --max-review, or when any product with an unrecognised name is `ok`
or `wait` (unknown is never safe).
"""
import argparse
import collections
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("products")
    ap.add_argument("--min-known", type=float, default=0.0)
    ap.add_argument("--max-review", type=float, default=1.0)
    ap.add_argument("--top", type=int, default=50)
    args = ap.parse_args()

    below = []
    unknown_other = collections.Counter()
    total = collections.Counter()
    gated = collections.Counter()
    unknown = collections.Counter()
    for name, (column, encoding, gate) in FILES.items():
        path = os.path.join(args.products, name)
        if not os.path.exists(path):
            print(f"{name}: missing, skipped")
            continue
        proc = subprocess.run(
            [args.binary, "batch", "--format", "jsonl", "--column", column, path],
            capture_output=True,
        )
        if proc.returncode not in (0, 1):
            print(f"{name}: batch failed with {proc.returncode}: {proc.stderr[:300]!r}")
            sys.exit(2)
        counts = collections.Counter()
        records = refused = review = 0
        for line in proc.stdout.splitlines():
            records += 1
            result = json.loads(line)
            if "error" in result:
                refused += 1
                continue
            if result["verdict"] == "review":
                review += 1
            has_unknown = any(i["status"] == "unrecognized" for i in result["ingredients"])
            if has_unknown and result["verdict"] in ("ok", "wait"):
                below.append(f"{name} record {result['record']}: an unrecognised name, yet {result['verdict']}")
            for ing in result["ingredients"]:
                status = ing["status"]
                if status == "known" and ing["matched_by"] == "pattern":
                    status = "pattern"
                counts[status] += 1
                if status == "unrecognized":
                    (unknown if gate else unknown_other)[ing["text"].lower()] += 1
        n = sum(counts.values()) or 1
        read = 1 - counts["unrecognized"] / n
        checked = (records - refused) or 1
        print(f"{name}: {records} records, {refused} refused (no list), {n} occurrences: "
              + ", ".join(f"{k} {counts[k] / n:.1%}" for k in ("known", "flagged", "pattern", "unrecognized"))
              + f"; read {read:.2%}; review {review / checked:.1%} of {checked} checked"
              + ("" if gate else " (not gated)"))
        total.update(counts)
        if gate:
            gated.update(counts)
            if read < args.min_known:
                below.append(f"{name} ({read:.2%} read)")
            if review / checked > args.max_review:
                below.append(f"{name} ({review / checked:.1%} review)")
    n = sum(gated.values()) or 1
    read = 1 - gated["unrecognized"] / n
    print(f"gated files: {n} occurrences, read {read:.2%}")
    print("most frequent unrecognised names (gated files):")
    for text, count in unknown.most_common(args.top):
        print(f"  {count:5}  {text}")
    print("most frequent unrecognised names (files not gated):")
    for text, count in unknown_other.most_common(args.top // 5):
        print(f"  {count:5}  {text}")
    if below:
        print(f"gate failed (at least {args.min_known:.0%} read, at most {args.max_review:.0%} review): "
              + "; ".join(below))
    sys.exit(1 if below else 0)


if __name__ == "__main__":
    main()
