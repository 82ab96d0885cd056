#!/usr/bin/env bash
# Whole-process timings of `aftercare check` with hyperfine, plus the criterion
# benchmarks of database load and matching. Usage: scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --quiet
bin=target/release/aftercare
label='Water, Glycerin, Glycolic Acid 10%, Cetearyl Alcohol, Retinyl Palmitate, Cocos Nucifera (Coconut) Oil, Phenoxyethanol, Parfum, Citric Acid, Linalool'
typo='Water, Glycerin, Glyco1ic Acid, Frobnicated Moonstone Extractium'
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
hyperfine --warmup 5 --runs 50 -N \
  --command-name 'check, all names known' "$bin check --format json '$label'" \
  --command-name 'check, with a typo and an unknown name' "$bin check --format json '$typo'" \
  -i
cargo bench --bench check -- --warm-up-time 1 --measurement-time 3
