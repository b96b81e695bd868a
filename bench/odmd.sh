#!/usr/bin/env bash
# bench/odmd.sh: odmd's figures (part of `make bench`), as its clients meet
# them, a connection per request like the engine's: a setsc() through odmd
# to a newly configured address; 64 concurrent clients each needing a
# fresh prefix (grants/s, median, p99); answers from the address odmd
# holds; the same while another user holds 1000 idle connections. Builds
# its own namespace; root.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
NS=odmbench-$$ WORK=$(mktemp -d /tmp/odm-bench.XXXXXX)
chmod 0755 "$WORK"
cleanup() {
	for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
cc -O2 -std=gnu11 -I"$TOP/include" -I"$TOP/common" -o "$WORK/bench_odmd" \
	"$TOP/bench/bench_odmd.c" "$TOP/build/libodm-core.a" -L"$TOP/preload" -lodm \
	-Wl,-rpath,"$TOP/preload" -lconfuse -lmnl -lpthread -ldl
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add odm0 type veth peer name odm1
ip -n "$NS" link set odm0 up
ip -n "$NS" link set odm1 up
cat >"$WORK/odm.conf" <<EOF2
agent { socket = "$WORK/odmd.sock" timeout = 2000 state = "$WORK/state" }
network {
	interface = "odm0"
	offer = {session-lasting}
	attach = {session-lasting}
	pool "2001:db8:5000::/40" { type = session-lasting }
}
authorize { max-addresses = 1000000 }
EOF2
chmod 0644 "$WORK/odm.conf"
in_ns() { ip netns exec "$NS" "$@"; }
( in_ns "$TOP/tools/odmd/odmd" -d -c "$WORK/odm.conf" 2>"$WORK/odmd.log" & )
for _ in $(seq 100); do grep -q "ready on" "$WORK/odmd.log" 2>/dev/null && break; sleep 0.05; done
B=$WORK/bench_odmd S=$WORK/odmd.sock
in_ns env ODM_CONF="$WORK/odm.conf" "$B" setsc "${ODM_BENCH_SETSC:-300}"
in_ns "$B" grants "$S" 64 "${ODM_BENCH_GRANTS:-6400}"
in_ns "$B" held "$S" 64 "${ODM_BENCH_HELD:-64000}"
in_ns "$B" held "$S" 1 "${ODM_BENCH_HELD1:-20000}"
# A slowloris: another user holds 1000 idle connections meanwhile.
in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups "$B" idle "$S" 1000 30 \
	>"$WORK/idle.out" &
for _ in $(seq 100); do [ -s "$WORK/idle.out" ] && break; sleep 0.05; done
echo "with 1000 idle connections of another user ($(cat "$WORK/idle.out"); odmd keeps 64):"
in_ns "$B" held "$S" 64 "${ODM_BENCH_HELD:-64000}"
echo "odmd holds $(grep -c granted "$WORK/odmd.log") leases it granted"
