#!/usr/bin/env python3
"""Writes data/cosing.csv: every INCI name of the EU CosIng inventory with its
functions, title-cased as labels print them.

The names and functions are European Commission CosIng data, reused with
acknowledgement (README, data/README.md). Run from the repository root:

    python3 scripts/cosing.py ../shared/datasets/reference/cosing_inventory_derived_sohab117.csv

The output is committed; running the script again on the same inventory gives the
same bytes. Which names are benign by their functions is decided in Rust from
data/cosing-functions.csv and data/stems.csv (`tests/codegen.rs` writes the table
the binary embeds, src/cosing_names.rs).
"""

import csv
import re
import sys

# Word forms written in capitals in INCI names (abbreviations, Roman numerals).
UPPER = {
    "PEG", "PPG", "CI", "DNA", "RNA", "EDTA", "MEA", "DEA", "TEA", "MIPA", "AMP", "HCL",
    "PCA", "SD", "BHT", "BHA", "PVP", "VA", "PVM", "MA", "HDI", "IPDI", "TDI", "PET",
    "PBT", "PTFE", "PVC", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII",
    "UV", "HC", "DC", "FDC", "TIPA", "DMDM", "DMAPA", "DMHF", "SMDI", "MDI", "EO",
    "PO", "HEDP", "EDDS", "GLDA", "MGDA", "NTA", "DTPA", "PABA", "ATP", "ADP", "NAD",
    "NADH", "NADP", "CMC", "PHB", "PLA", "PGA", "HDL", "LDL", "PVA", "PE", "PP",
}


def title(name):
    """`PEG-40 HYDROGENATED CASTOR OIL` -> `PEG-40 Hydrogenated Castor Oil`."""
    def word(m):
        w = m.group(0)
        if w.upper() in UPPER:
            return w.upper()
        if re.fullmatch(r"[A-Z]?\d.*", w):
            return w.upper() if re.search(r"\d[A-Z]$", w) else w.lower()
        return w[0].upper() + w[1:].lower()
    return re.sub(r"[A-Za-z0-9]+", word, name)


def main():
    src = sys.argv[1]
    functions = {}
    with open("data/cosing-functions.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            functions[row["function"]] = row["bearing"] == "yes"
    rows = {}
    with open(src, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = " ".join(row["inci_name"].split())
            if not name:
                continue
            fs = [x.strip() for x in row["function"].split(",") if x.strip()]
            # CosIng writes `Skin Conditioning - Emollient`; keep each function once.
            fs = sorted(set(fs), key=fs.index)
            for x in fs:
                if x not in functions:
                    sys.exit(f"function `{x}` of `{name}` is not in data/cosing-functions.csv")
            key = name.upper()
            if key in rows:
                fs = rows[key][1] + [x for x in fs if x not in rows[key][1]]
            rows[key] = (name, fs)
    with open("data/cosing.csv", "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["name", "functions"])
        for key in sorted(rows):
            name, fs = rows[key]
            w.writerow([title(name), "|".join(fs)])


if __name__ == "__main__":
    main()
