#!/usr/bin/env bash
# Batch throughput and memory on synthetic catalogs of real labels.
# Usage: scripts/bench-batch.sh [RECORDS...]   (default: 100000 1000000)
# Needs ../shared/datasets/products (or SHARED=path). Installs ripgrep if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
dir=${BENCH_DIR:-target/bench}
mkdir -p "$dir"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
command -v rg >/dev/null || { apt-get update -qq && apt-get install -y -qq ripgrep; }
cargo build --release --quiet
cargo build --release --quiet --example csv_floor --example scan_floor
bin=target/release/aftercare
# The flagged names of the database, for the ripgrep comparison.
"$bin" db export --format csv | python3 -c '
import csv, sys
skip = {"benign", "beneficial", "contested", "note"}
for r in csv.DictReader(sys.stdin):
    if r["category"] not in skip:
        print(r["name"])
        for a in filter(None, r["aliases"].split("|")):
            print(a)' > "$dir/flagged-names.txt"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ {print $2}') GiB"
# Each command runs RUNS times (default 3; a shared machine's speed drifts from run
# to run): the fastest run and the median are reported, and the largest peak memory.
runs=${RUNS:-3}
# Runs a command once, its output to /dev/null and its errors to stderr.txt, and prints
# its wall time in seconds (to the microsecond: /usr/bin/time's hundredths are a tenth
# of a 0.1 s run) and its peak memory in KiB (from /usr/bin/time, a small process whose
# fork adds little to the figure, where a fork of Python would add its own 14 MiB).
timed() {
  python3 - "$dir/stderr.txt" "$dir/time.txt" "$@" <<'PY'
import subprocess, sys, time
err_path, mem_path, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(err_path, "wb") as err:
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", mem_path, *cmd], stdout=subprocess.DEVNULL, stderr=err)
    elapsed = time.perf_counter() - start
print(f"{elapsed:.6f} {open(mem_path).read().split()[-1]}")
PY
}
measure() { # label file command...
  local label=$1 file=$2; shift 2
  : > "$dir/times.txt"
  for _ in $(seq "$runs"); do
    timed "$@" >> "$dir/times.txt"
  done
  local records bytes
  records=$(cat "$file.records")
  bytes=$(stat -c %s "$file")
  sort -n "$dir/times.txt" | awk -v l="$label" -v r="$records" -v b="$bytes" '
    { s[NR] = ($1 < 0.001 ? 0.001 : $1); if ($2 > k) k = $2 }
    END {
      best = s[1]; median = s[int((NR + 1) / 2)]
      printf "%-34s %7.3f s %9.0f records/s %7.1f MB/s (median %6.1f MB/s)  peak %6.1f MiB\n", l, best, r / best, b / best / 1e6, b / median / 1e6, k / 1024 }'
}
for n in "${sizes[@]}"; do
  file="$dir/catalog-$n.csv"
  [ -f "$file" ] || python3 scripts/gen-catalog.py --records "$n" --seed 42 --products "$shared/datasets/products" --out "$file"
  python3 -c "
import csv, sys
csv.field_size_limit(1 << 30)
n = sum(1 for _ in csv.reader(open('$file', newline='', encoding='utf-8'))) - 1
open('$file.records', 'w').write(str(n))"
  echo "== $n records, $(($(stat -c %s "$file") / 1000000)) MB"
  measure "batch --format csv > /dev/null" "$file" "$bin" batch "$file" --format csv
  measure "parse-only floor (csv crate)" "$file" target/release/examples/csv_floor "$file"
  measure "rg -c -i -F -f flagged names" "$file" rg -c -i -F -f "$dir/flagged-names.txt" "$file"
  # Batch checks a label repeated in a catalog once; the same catalog with each
  # distinct (label, type) kept once shows what checking every label costs.
  distinct="$dir/catalog-$n-distinct.csv"
  [ -f "$distinct" ] || python3 -c "
import csv
csv.field_size_limit(1 << 30)
seen = set()
n = 0
with open('$file', newline='', encoding='utf-8') as f, open('$distinct', 'w', newline='', encoding='utf-8') as o:
    r = csv.reader(f)
    w = csv.writer(o)
    w.writerow(next(r))
    for row in r:
        if (row[3], row[2]) not in seen:
            seen.add((row[3], row[2]))
            w.writerow(row)
            n += 1
open('$distinct.records', 'w').write(str(n))"
  echo "   distinct labels of the same catalog: $(cat "$distinct.records") records, $(($(stat -c %s "$distinct") / 1000000)) MB"
  measure "batch, every label distinct" "$distinct" "$bin" batch "$distinct" --format csv
  # The bound for distinct labels: a csv-parse plus one aho-corasick pass over every
  # database name; batch should cost no more than 2.6 times it.
  measure "csv parse + aho-corasick, every name" "$distinct" target/release/examples/scan_floor "$distinct"
done
