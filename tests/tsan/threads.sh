#!/usr/bin/env bash
# tests/tsan/threads.sh: the threaded tests under ThreadSanitizer: the
# library built with -fsanitize=thread preloaded into fd_churn (8 threads
# connecting, duplicating and closing sockets) and setsc_threads (8 threads
# calling setsc() while the address set changes). tests/run builds the TSan
# helpers first; this builds the TSan library if it is missing. Prints TAP.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/build-tsan
[ -e "$B/libodm.so" ] || make -s -C "$TOP" SAN=thread lib >/dev/null
NS=odmtsan-$$ WORK=$(mktemp -d /tmp/odm-tsan.XXXXXX)
cleanup() {
	for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add t0 type veth peer name t1
ip -n "$NS" link set t0 up
ip -n "$NS" link set t1 up
ip -n "$NS" -6 addr add 2001:db8:5::10/64 dev t0 nodad
ip -n "$NS" -6 addr add 2001:db8:ffff::1/64 dev t1 nodad
echo 'prefix "2001:db8:5::/64" { type = session-lasting }' >"$WORK/odm.conf"
printf 'name = "*"\ntype = session-lasting\n' >"$WORK/p.conf"
TSAN_LIB=$(gcc -print-file-name=libtsan.so)
export TSAN_OPTIONS="halt_on_error=0 exitcode=66"

n=0 failed=0
report() { # report NAME STATUS LOG
	n=$((n + 1))
	if [ "$2" -eq 0 ] && ! grep -q 'WARNING: ThreadSanitizer' "$3"; then
		echo "ok $n - $1"
	else
		failed=1
		echo "not ok $n - $1"
		sed 's/^/#   /' "$3" | head -40
	fi
}

ip netns exec "$NS" python3 "$TOP/tests/helpers/accept_close.py" 7400 \
	"$WORK/ready" 400 &
for _ in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.05; done
ip netns exec "$NS" env ODM_CONF="$WORK/odm.conf" ODM_POLICY_FILE="$WORK/p.conf" \
	LD_PRELOAD="$TSAN_LIB $B/libodm.so" \
	"$B/helpers/fd_churn" 8 50 2001:db8:ffff::1 7400 2001:db8:5::10 >"$WORK/churn.log" 2>&1
rc=$?; cat "$WORK/churn.log" >&2
report "fd_churn: 8 threads under the TSan library" $rc "$WORK/churn.log"
wait

ip netns exec "$NS" env ODM_CONF="$WORK/odm.conf" \
	LD_PRELOAD="$TSAN_LIB $B/libodm.so" \
	"$B/aware/setsc_threads" 8 200 2001:db8:5::10 2001:db8:5::20 >"$WORK/setsc.log" 2>&1 &
pid=$!
for _ in 1 2 3 4 5; do
	ip -n "$NS" -6 addr add 2001:db8:5::20/64 dev t0 nodad
	ip -n "$NS" -6 addr del 2001:db8:5::20/64 dev t0
done
wait "$pid"
report "setsc_threads: 8 threads under the TSan library" $? "$WORK/setsc.log"
echo "1..$n"
exit $failed
