#!/usr/bin/env bash
# Abuse check of `aftercare serve`, over loopback only (127.0.0.1, a free port): an
# oversize body sent whole before reading (expects 413 and a write that succeeds), a
# Host naming another site (expects 421), a cross-site form post (expects 403), 1,100
# idle and trickling connections (more than the 1,024 places) while `/healthz` is
# probed (expects every answer within 2 s), and the server's memory before and after
# 200 requests of 1 MiB (expects every one answered, and reports the figures). Prints
# what it measured; exits 1 when an expectation fails. Bounded: well under 2 minutes
# once the binary is built.
#
# Usage: scripts/abuse.sh [BINARY]      (default: builds and uses target/release/aftercare)
#   CONNECTIONS=1100 BIG_REQUESTS=200 scripts/abuse.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ge 1 ]; then
  bin=$1
else
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/aftercare"
fi
connections=${CONNECTIONS:-1100}
big_requests=${BIG_REQUESTS:-200}

# Room for the client's sockets (and the server's, which inherits the limit).
ulimit -S -n 4096 2>/dev/null || ulimit -S -n "$(ulimit -H -n)" 2>/dev/null || true

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

"$bin" serve --bind 127.0.0.1 --port 0 >"$work/out" 2>"$work/err" &
server_pid=$!
for _ in $(seq 100); do
  grep -q 'http://' "$work/out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://[^ ]*' "$work/out" | head -1)
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/err" >&2; exit 1; }
echo "server: $url (pid $server_pid), open files allowed: $(ulimit -S -n)"

set +e
timeout 110 python3 - "$url" "$server_pid" "$connections" "$big_requests" <<'PY'
import socket, statistics, sys, threading, time, urllib.parse

url, pid, connections, big_requests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
parts = urllib.parse.urlsplit(url)
addr = (parts.hostname, parts.port)
assert parts.hostname == "127.0.0.1", "loopback only"
failures = []

def expect(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)

def rss_mib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")

def exchange(raw, timeout=30):
    """Sends raw bytes whole, then reads the answer to the end: (write error, status line)."""
    s = socket.create_connection(addr, timeout=timeout)
    write_error = None
    try:
        s.sendall(raw)
    except OSError as e:
        write_error = e
    head = b""
    try:
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            if len(head) < 256:
                head += chunk[:256]
    except OSError:
        pass
    s.close()
    return write_error, head.split(b"\r\n", 1)[0].decode("latin-1")

def post(path, body, headers=()):
    head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n"
    head += f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{h}\r\n" for h in headers) + "\r\n"
    return exchange(head.encode() + body)

def healthz(host=None, wait=2.0):
    """Seconds until GET /healthz was answered, and its status line ('' if none)."""
    start = time.monotonic()
    try:
        _, status = exchange(
            f"GET /healthz HTTP/1.1\r\nHost: {host or parts.netloc}\r\nConnection: close\r\n\r\n".encode(),
            timeout=wait)
    except OSError:
        status = ""
    return time.monotonic() - start, status

label = b"Water, Glycerin, Glycolic Acid 10%, Retinol, Phenoxyethanol"

# 1. An oversize body, written whole before the answer is read (as urllib and curl do).
error, status = post("/api/check", b"a" * (6 << 20))
expect(error is None and status.startswith("HTTP/1.1 413"),
       f"6 MiB body sent whole, then read: write {'ok' if error is None else error}, answer `{status}`")

# 2. DNS rebinding: a request naming another site.
_, status = healthz(host=f"attacker.example:{parts.port}")
expect(status.startswith("HTTP/1.1 421"), f"Host: attacker.example: `{status}`")
_, status = healthz(host=f"localhost:{parts.port}")
expect(status.startswith("HTTP/1.1 200"), f"Host: localhost: `{status}`")

# 3. A form post from a page of another origin.
_, status = post("/", b"label=Water", ["Origin: http://attacker.example",
                                       "Content-Type: application/x-www-form-urlencoded"])
expect(status.startswith("HTTP/1.1 403"), f"cross-site form post: `{status}`")
_, status = post("/api/check", label, [f"Origin: http://{parts.netloc}"])
expect(status.startswith("HTTP/1.1 200"), f"same-origin API post: `{status}`")

# 4. Idle and trickling connections, more than the server's places, while /healthz is probed.
stalling, refused = [], 0
opened = time.monotonic()
for i in range(connections):
    try:
        s = socket.create_connection(addr, timeout=10)
    except OSError:
        refused += 1
        continue
    s.setblocking(False)
    start = [b"", b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
             b"POST /api/check HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\nWater"][i % 3]
    try:
        s.send(start)
    except OSError:
        pass
    stalling.append(s)
print(f"     opened {len(stalling)} idle and trickling connections in {time.monotonic() - opened:.2f} s"
      + (f" ({refused} could not connect)" if refused else ""))
stop = threading.Event()
def trickle():
    while not stop.is_set():
        for s in stalling[1::3] + stalling[2::3]:
            try:
                s.send(b"a")
            except OSError:
                pass
        stop.wait(0.5)
trickler = threading.Thread(target=trickle)
trickler.start()
probes = []
for _ in range(20):
    probes.append(healthz(wait=5.0))
    time.sleep(0.25)
stop.set()
trickler.join()
closed = 0
for s in stalling:
    try:
        if s.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
    s.close()
times = sorted(t for t, _ in probes)
answered = sum(1 for t, st in probes if st.startswith("HTTP/1.1 200") and t <= 2.0)
print(f"     /healthz with them open: median {statistics.median(times) * 1000:.0f} ms, "
      f"max {times[-1] * 1000:.0f} ms; the server closed {closed} of them to make room")
expect(answered == len(probes), f"{answered} of {len(probes)} /healthz probes answered within 2 s")

# 5. Memory: 200 requests of 1 MiB (a label of ingredient names), four at a time.
unit = b"Water, Glycerin, Glycolic Acid 10%, Retinol, Moonstone Dust, "
big = (unit * ((1 << 20) // len(unit) + 1))[: 1 << 20]
before = rss_mib()
statuses, lock, sent = {}, threading.Lock(), [0]
def hammer():
    while True:
        with lock:
            if sent[0] >= big_requests:
                return
            sent[0] += 1
        try:
            _, status = post("/api/check", big)
        except OSError as e:
            status = str(e)
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
latencies, done = [], threading.Event()
def probe():
    while not done.is_set():
        latencies.append(healthz(wait=10.0)[0])
        done.wait(0.2)
started = time.monotonic()
workers = [threading.Thread(target=hammer) for _ in range(4)]
prober = threading.Thread(target=probe)
for w in workers + [prober]:
    w.start()
peak = before
while any(w.is_alive() for w in workers):
    peak = max(peak, rss_mib())
    time.sleep(0.1)
done.set()
prober.join()
elapsed = time.monotonic() - started
after = rss_mib()
time.sleep(15)
settled = rss_mib()
ok = statuses.get("HTTP/1.1 200 OK", 0)
print(f"     {big_requests} x 1 MiB in {elapsed:.1f} s; /healthz meanwhile: median "
      f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
print(f"     RSS: {before:.0f} MiB before, peak {peak:.0f} MiB, {after:.0f} MiB just after, "
      f"{settled:.0f} MiB 15 s later")
expect(ok == big_requests, f"{ok} of {big_requests} requests of 1 MiB answered 200 ({statuses})")
expect(peak < 1024, f"peak RSS {peak:.0f} MiB under 1 GiB")
expect(settled < before + 48, f"RSS settled to {settled:.0f} MiB, within 48 MiB of {before:.0f} MiB")
_, status = healthz()
expect(status.startswith("HTTP/1.1 200"), f"/healthz afterwards: `{status}`")

if failures:
    print(f"{len(failures)} expectation(s) failed")
    sys.exit(1)
print("abuse: every expectation met")
PY
status=$?
set -e
if [ "$status" -eq 124 ]; then
  echo "FAIL the checks did not finish within 110 s"
  exit 1
fi
exit "$status"
