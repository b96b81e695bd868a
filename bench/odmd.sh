#!/usr/bin/env bash
# bench/odmd.sh: odmd's figures (part of `make bench`): a setsc() that must
# go through odmd to a newly configured address (median, p99), and the
# requests per second odmd answers. Builds its own namespace; root.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
NS=odmbench-$$ WORK=$(mktemp -d /tmp/odm-bench.XXXXXX)
cleanup() {
	for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
cc -O2 -std=gnu11 -I"$TOP/include" -I"$TOP/tools/odmd" -o "$WORK/bench_odmd" \
	"$TOP/bench/bench_odmd.c" "$TOP/build/libodm-core.a" -L"$TOP/preload" -lodm \
	-Wl,-rpath,"$TOP/preload" -lconfuse -lpthread -ldl
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add odm0 type veth peer name odm1
ip -n "$NS" link set odm0 up
ip -n "$NS" link set odm1 up
cat >"$WORK/odm.conf" <<EOF2
agent { socket = "$WORK/odmd.sock" timeout = 2000 }
network {
	interface = "odm0"
	offer = {session-lasting}
	attach = {session-lasting}
	pool "2001:db8:5000::/40" { type = session-lasting }
}
authorize { max-addresses = 100000 }
EOF2
( ip netns exec "$NS" "$TOP/tools/odmd/odmd" -c "$WORK/odm.conf" 2>/dev/null & )
for _ in $(seq 100); do [ -S "$WORK/odmd.sock" ] && break; sleep 0.05; done
ip netns exec "$NS" env ODM_CONF="$WORK/odm.conf" "$WORK/bench_odmd" setsc "${ODM_BENCH_SETSC:-300}"
ip netns exec "$NS" "$WORK/bench_odmd" rps "${ODM_BENCH_RPS:-20000}" "$WORK/odmd.sock"
