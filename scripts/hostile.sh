#!/usr/bin/env bash
# Replays hostile inputs as whole processes with generous limits (5 s each, peak memory
# under 256 MiB), so that a quadratic path or an unbounded read cannot come back.
# Usage: scripts/hostile.sh [BINARY]   (default: target/release/aftercare)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/aftercare}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
mib = 1 << 20
def fill(name, unit):
    text = (unit * (mib // len(unit) + 1))[: mib - 64]
    open(f"{d}/{name}", "w").write(text)
fill("free-of.txt", "free of parabens, ")
fill("may-contain.txt", "May contain: Retinol, ")
fill("part.txt", "Part 1: Water, ")
fill("active.txt", "Active: Retinol 1%, ")
fill("inactive.txt", "Inactive Ingredients: Water, ")
fill("peut.txt", "Peut contenir: CI 77491, ")
fill("names.txt", "Water, Glycerin, Retinol, Phenoxyethanol, Zorblax Complex, ")
fill("brackets.txt", "((((((((((Water))))))))), ")
fill("key.txt", "Key ingredients: Retinol\n")
policy = "".join(f'[[exceptions]]\nproduct = "P{i}"\nreason = "ok"\n' for i in range(20000))
open(f"{d}/policy.toml", "w").write(policy)
PY
fail=0
run() { # name, then the command
  local name=$1; shift
  local start end code peak
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f "%M" -o "$dir/mem" timeout 5 "$@" > /dev/null 2> "$dir/err"
  code=$?
  set -e
  end=$(date +%s.%N)
  peak=$(tail -1 "$dir/mem" 2>/dev/null || echo 0)
  local secs
  secs=$(python3 -c "print(f'{$end - $start:.2f}')")
  if [ "$code" -eq 124 ] || [ "${peak:-0}" -gt 262144 ] || [ "$code" -gt 2 ]; then
    echo "FAIL $name: exit $code, ${secs} s, peak $((peak / 1024)) MiB"
    fail=1
  else
    echo "ok   $name: exit $code, ${secs} s, peak $((peak / 1024)) MiB"
  fi
}
for f in "$dir"/*.txt; do
  run "check -f $(basename "$f")" "$bin" check -f "$f"
  run "check --format json -f $(basename "$f")" "$bin" check --format json -f "$f"
done
run "check < /dev/zero" sh -c "'$bin' check < /dev/zero"
run "check -f /dev/zero" "$bin" check -f /dev/zero
run "check --db /dev/zero" "$bin" check --db /dev/zero Water
run "db validate /dev/zero" "$bin" db validate /dev/zero
run "ci --config /dev/zero" "$bin" ci examples/catalog.csv --config /dev/zero
run "ci with a 20,000-exception policy" sh -c "'$bin' ci examples/catalog.csv --config '$dir/policy.toml'; [ \$? -eq 1 ] || exit 3"
[ "$fail" -eq 0 ] && echo "hostile inputs: all within 5 s and 256 MiB"
exit "$fail"
