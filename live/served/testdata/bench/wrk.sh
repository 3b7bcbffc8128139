#!/bin/sh
# wrk.sh runs wrk against served GET /v1.0/users/{alice}/presence and against
# a bare Go handler writing the same bytes with the same headers, side by
# side: 2 threads, 64 keep-alive connections, DURATION each (10s), over HTTP
# and then HTTPS, ROUNDS times (1). It prints requests/s and served/bare, and
# the servers' CPU time per request, which a busy machine disturbs less.
# WARMUP (0) runs wrk that long against each server first and discards it:
# the Graph journal's ring grows to its 100,000 requests during a cold
# server's first run, which costs it throughput meanwhile.
#
#   live/served/testdata/bench/wrk.sh
#   WARMUP=10s DURATION=30s ROUNDS=3 live/served/testdata/bench/wrk.sh
set -eu
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-1}
WARMUP=${WARMUP:-0}
root=$(cd "$(dirname "$0")/../../../.." && pwd)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/bench" ./live/served/testdata/bench)
"$tmp/bench" -env "$tmp/env" 2>"$tmp/log" &
pid=$!
n=0
while [ ! -s "$tmp/env" ]; do
	n=$((n + 1))
	if [ "$n" -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "the bench servers did not start:" >&2
		cat "$tmp/log" >&2
		exit 1
	fi
	sleep 0.1
done
. "$tmp/env"

hz=$(getconf CLK_TCK)

# ticks is the CPU time the bench servers used so far, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

# run runs wrk once and prints its requests/s and the servers' CPU
# microseconds per request; any answer but 2xx fails.
run() {
	t0=$(ticks)
	wrk -t2 -c64 -d"$DURATION" -H "Authorization: Bearer $2" "$1" >"$tmp/wrk" 2>&1 || { cat "$tmp/wrk" >&2; exit 1; }
	t1=$(ticks)
	if grep -q "Non-2xx" "$tmp/wrk"; then
		cat "$tmp/wrk" >&2
		exit 1
	fi
	awk -v t0="$t0" -v t1="$t1" -v hz="$hz" '/ requests in / {n = $1} /^Requests\/sec:/ {r = $2} END {printf "%s %.2f\n", r, (t1 - t0) / hz * 1e6 / n}' "$tmp/wrk"
}

# side compares served with bare ROUNDS times, alternating, and prints the
# ratio of the totals against the target: of requests/s, and of CPU per
# request (bare/served, so that higher is better in both).
side() {
	name=$1 served=$2 bare=$3 tok=$4 target=$5
	if [ "$WARMUP" != 0 ]; then
		wrk -t2 -c64 -d"$WARMUP" -H "Authorization: Bearer $tok" "$served" >/dev/null
		wrk -t2 -c64 -d"$WARMUP" -H "Authorization: Bearer $tok" "$bare" >/dev/null
	fi
	: >"$tmp/$name"
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		s=$(run "$served" "$tok")
		b=$(run "$bare" "$tok")
		echo "$s $b" >>"$tmp/$name"
		echo "$name $r $s $b" | awk '{printf "%-5s round %d: served %8.0f req/s %6.1f us CPU/req   bare %8.0f req/s %6.1f us CPU/req   served/bare %.3f\n", $1, $2, $3, $4, $5, $6, $3/$5}'
		r=$((r + 1))
	done
	awk -v name="$name" -v target="$target" '{s += $1; b += $3; cs += $2; cb += $4} END {
		ratio = s / b
		printf "%-5s served/bare %.3f (target %.2f): %s; CPU per request bare/served %.3f (served %.1f us, bare %.1f us)\n",
			name, ratio, target, (ratio >= target) ? "met" : "below target", cb / cs, cs / NR, cb / NR}' "$tmp/$name"
}

echo "wrk -t2 -c64 -d$DURATION (warm-up $WARMUP), GET presence of alice with an app token; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
side HTTP "$HTTP_SERVED" "$HTTP_BARE" "$HTTP_TOKEN" 0.85
side HTTPS "$HTTPS_SERVED" "$HTTPS_BARE" "$HTTPS_TOKEN" 0.70
