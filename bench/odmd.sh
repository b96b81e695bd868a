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
	exec 2>/dev/null # no "Killed" notes for what is stopped here
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
( ip netns exec "$NS" "$TOP/tools/odmd/odmd" -d -c "$WORK/odm.conf" 2>"$WORK/odmd.log" & )
for _ in $(seq 100); do grep -q "ready on" "$WORK/odmd.log" 2>/dev/null && break; sleep 0.05; done
B=$WORK/bench_odmd S=$WORK/odmd.sock
in_ns env ODM_CONF="$WORK/odm.conf" "$B" setsc "${ODM_BENCH_SETSC:-300}"
echo "fresh prefixes: the kernel's work for each new address grows with the"
echo "host's count of them (addrconf_verify walks them all): first 2048, then 4352 more"
in_ns "$B" grants "$S" 64 2048
in_ns "$B" grants "$S" 64 4352
in_ns "$B" held "$S" 64 "${ODM_BENCH_HELD:-64000}"
in_ns "$B" held "$S" 1 "${ODM_BENCH_HELD1:-20000}"
# A slowloris: another user holds 1000 idle connections meanwhile.
( ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup --clear-groups "$B" idle "$S" 1000 30 \
	>"$WORK/idle.out" & )
for _ in $(seq 100); do [ -s "$WORK/idle.out" ] && break; sleep 0.05; done
echo "with 1000 idle connections of another user ($(cat "$WORK/idle.out"); odmd keeps 64):"
in_ns "$B" held "$S" 64 "${ODM_BENCH_HELD:-64000}"
echo "odmd holds $(grep -c granted "$WORK/odmd.log") leases it granted"

# odmd's own table at scale, without the kernel (build/libodmd.a).
cc -O2 -std=gnu11 -D_GNU_SOURCE -I"$TOP/include" -I"$TOP/common" -I"$TOP/preload" \
	-I"$TOP/policy" -I"$TOP/tools/odmd" -I"$TOP/bench" -o "$WORK/bench_leases" \
	"$TOP/bench/bench_leases.c" "$TOP/build/libodmd.a" "$TOP/build/libodm-core.a" \
	-lconfuse -lmnl -lpthread -ldl
"$WORK/bench_leases"

# A host with 20,000 addresses (not odmd's): the engine reads them all
# once, odmd answers as before.
python3 -c '
for i in range(20000):
    print("addr add 2001:db8:f%03x:%x::1/64 dev odm1 nodad" % (i >> 16, i & 0xffff))' >"$WORK/many"
in_ns ip -batch "$WORK/many"
echo "a host with $(in_ns ip -6 addr show | grep -c inet6) addresses:"
in_ns env ODM_CONF="$WORK/odm.conf" "$B" setsc 100
in_ns "$B" held "$S" 64 "${ODM_BENCH_HELD:-64000}"
# ... and 20,000 sockets on odmd's address, while another user asks for
# STATUS (with sockets) back to back.
sl=$(in_ns env ODM_CONF="$WORK/odm.conf" "$TOP/tools/odm" status | awk '$2 == "session-lasting" && $7 == "host" && !n++ { print $1 }')
ip netns exec "$NS" python3 -c '
import resource, socket, sys, time
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
s = []
for i in range(min(20000, hard - 100)):
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind((sys.argv[1], 0)); s.append(u)
open(sys.argv[2], "w").write("ready")
time.sleep(60)' "$sl" "$WORK/socks.ready" & disown
for _ in $(seq 200); do [ -s "$WORK/socks.ready" ] && break; sleep 0.05; done
sleep 2 # a scan has counted them
( ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup --clear-groups "$B" status "$S" 5 \
	>"$WORK/flood.out" & )
sleep 0.5
echo "$(in_ns ss -6 -u -a -n | grep -c "$sl") sockets on $sl, another user asking for STATUS back to back:"
in_ns "$B" held "$S" 64 "${ODM_BENCH_HELD:-64000}"
for _ in $(seq 200); do [ -s "$WORK/flood.out" ] && break; sleep 0.05; done
echo "(that user got $(cat "$WORK/flood.out"))"
