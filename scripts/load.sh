#!/usr/bin/env bash
# Load benchmark of `aftercare serve`: wrk over loopback against `POST /api/check` with a
# real label (JSON body), reporting requests per second and latency percentiles.
# Bounded: at most DURATION seconds (capped at 60) and MAX_REQUESTS requests.
#
# Usage: scripts/load.sh            (defaults below; override with the environment)
#   DURATION=10 CONNECTIONS=32 WRK_THREADS=1 MAX_REQUESTS=300000 scripts/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
threads=${WRK_THREADS:-1}
max_requests=${MAX_REQUESTS:-300000}
if [ "$duration" -gt 60 ]; then duration=60; fi

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/aftercare"

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -INT "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --port 0 >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 100); do
  grep -q 'http://' "$work/out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://[^ ]*' "$work/out" | head -1)
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/err" >&2; exit 1; }

# The Ordinary Glycolic Acid 7% Toning Solution, as its label prints it: 17
# ingredients, one AHA.
label='Aqua (Water), Glycolic Acid, Rosa Damascena Flower Water, Hamamelis Virginiana Leaf Water, Glycerin, Aloe Barbadensis Leaf Water, Sodium Hydroxide, Aminomethyl Propanol, Panax Ginseng Root Extract, Tasmannia Lanceolata Fruit/Leaf Extract, Aloe Barbadensis Leaf Extract, Tocopherol, Polysorbate 20, Hexylene Glycol, Ethylhexylglycerin, Phenoxyethanol, Caprylyl Glycol'
body=$(printf '{"label": "%s", "profile": "standard"}' "$label")

# One request first: the answer must be right before it is timed.
answer=$(python3 - "$url" "$body" <<'EOF'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "api/check", data=sys.argv[2].encode(),
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as r:
    v = json.load(r)
print(v["verdict"], v["wait_hours"], len(v["ingredients"]))
EOF
)
echo "check: $answer (verdict, wait hours, ingredients)"

per_thread=$(( (max_requests + threads - 1) / threads ))
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$body]==]
local n = 0
function response(status, headers, body)
  n = n + 1
  if n >= $per_thread then wrk.thread:stop() end
end
EOF

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "server: $bin serve (release), wrk and the server on the same machine"
echo "command: wrk -t$threads -c$connections -d${duration}s --latency -s post.lua ${url}api/check"
# The server's CPU time per request, from /proc: a figure that does not depend on what
# else the machine is doing, unlike requests per second.
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
before=$(cpu)
wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "${url}api/check" | tee "$work/wrk"
after=$(cpu)
requests=$(awk '/requests in/ {print $1}' "$work/wrk")
if [ "${requests:-0}" -gt 0 ]; then
  awk -v t="$((after - before))" -v hz="$ticks" -v n="$requests" -v cores="$(nproc)" 'BEGIN {
    us = t / hz * 1e6 / n
    printf "server CPU: %.0f us per request (%d requests); %d cores would serve about %.0f per second\n", us, n, cores, cores * 1e6 / us
  }'
fi
