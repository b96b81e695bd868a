# netns.bash: bats helpers that build a two-host IPv6 test network.
#
#   HOST_NS (iface $HOST_IF)  <-- veth -->  SRV_NS (iface $SRV_IF)
#   2001:db8:ffff::2/64 "legacy"            2001:db8:ffff::1/64
#   default via 2001:db8:ffff::1            2001:db8::/32 on-link (dev $SRV_IF)
#
# Typed prefixes 2001:db8:X::/64 added on the host with host_addr_add are
# reachable from the server. The server side runs build/helpers/peer_server,
# which records the source address the kernel saw (srv_start/srv_wait/srv_peers).
# Call netns_setup in setup() and netns_teardown in teardown(); teardown kills
# whatever still runs in the namespaces and never fails. Only veth is used:
# this kernel has no dummy or netem driver.
# Call srv_start directly, not under `run`, so that SRV_PID reaches the test;
# srv_wait and srv_peers work either way. One server per test (files in
# $BATS_TEST_TMPDIR); any port is free, the server namespace is private.

SRV_ADDR=2001:db8:ffff::1
HOST_LEGACY_ADDR=2001:db8:ffff::2
HOST_IF=odm0
SRV_IF=srv0
export SRV_ADDR HOST_LEGACY_ADDR HOST_IF SRV_IF

# Kills every process in namespace $1, then deletes it; never fails.
_netns_kill_del() {
	local ns=$1 pids i
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$ns" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null
		for ((i = 0; i < 20; i++)); do
			pids=$(ip netns pids "$ns" 2>/dev/null)
			[ -z "$pids" ] && break
			sleep 0.05
		done
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		for ((i = 0; i < 20; i++)); do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.05
		done
	fi
	ip netns del "$ns" 2>/dev/null
	return 0
}

# Removes odmH-/odmS- namespaces whose creating process is gone.
netns_reap_stale() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns =~ ^odm[HS]-([0-9]+)-[0-9]+$ ]] || continue
		pid=${BASH_REMATCH[1]}
		[ -d "/proc/$pid" ] && continue
		_netns_kill_del "$ns"
	done
	return 0
}

# Sets IPv6 sysctls for namespace $1: IPv6 on, no RA, no DAD.
_netns_sysctls() {
	local ns=$1 c k
	for c in all default; do
		for k in disable_ipv6=0 accept_ra=0 accept_dad=0; do
			ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$c.$k" || return 1
		done
	done
}

netns_setup() {
	local n=${BATS_TEST_NUMBER:-0}
	netns_reap_stale
	HOST_NS=odmH-$$-$n
	SRV_NS=odmS-$$-$n
	export HOST_NS SRV_NS
	# A leftover from an earlier setup in this same process: start clean.
	_netns_kill_del "$HOST_NS"
	_netns_kill_del "$SRV_NS"
	ip netns add "$HOST_NS" &&
	ip netns add "$SRV_NS" &&
	_netns_sysctls "$HOST_NS" &&
	_netns_sysctls "$SRV_NS" &&
	ip link add "$HOST_IF" netns "$HOST_NS" type veth \
		peer name "$SRV_IF" netns "$SRV_NS" &&
	ip -n "$HOST_NS" link set lo up &&
	ip -n "$SRV_NS" link set lo up &&
	ip -n "$SRV_NS" addr add "$SRV_ADDR/64" dev "$SRV_IF" nodad &&
	ip -n "$HOST_NS" addr add "$HOST_LEGACY_ADDR/64" dev "$HOST_IF" nodad &&
	ip -n "$SRV_NS" link set "$SRV_IF" up &&
	ip -n "$HOST_NS" link set "$HOST_IF" up &&
	ip -n "$SRV_NS" -6 route add 2001:db8::/32 dev "$SRV_IF" &&
	ip -n "$HOST_NS" -6 route add default via "$SRV_ADDR" dev "$HOST_IF" || {
		echo "netns_setup: failed to build the test network" >&2
		netns_teardown
		return 1
	}
}

netns_teardown() {
	[ -n "${HOST_NS:-}" ] && _netns_kill_del "$HOST_NS"
	[ -n "${SRV_NS:-}" ] && _netns_kill_del "$SRV_NS"
	return 0
}

# host_addr_add ADDR/LEN [ip addr args...], e.g. preferred_lft 0 valid_lft 60
host_addr_add() {
	local a=$1
	shift
	ip -n "$HOST_NS" addr add "$a" dev "$HOST_IF" nodad "$@"
}

host_addr_del() {
	ip -n "$HOST_NS" addr del "$1" dev "$HOST_IF"
}

host_exec() { ip netns exec "$HOST_NS" "$@"; }
srv_exec() { ip netns exec "$SRV_NS" "$@"; }

# srv_start tcp|udp PORT COUNT [TIMEOUT_S]: starts peer_server in the server
# namespace (stdout in $BATS_TEST_TMPDIR/peer.out, stderr in peer.err, exit
# status in peer.rc once it ends) and waits up to 5 s until it listens.
# Sets SRV_PID (peer_server's pid).
srv_start() {
	local bin=${PEER_SERVER:-${BUILD:-$TOP/build}/helpers/peer_server}
	local dir=${BATS_TEST_TMPDIR:?} i rc
	[ -x "$bin" ] || { echo "srv_start: $bin not built" >&2; return 1; }
	rm -f "$dir"/peer.{ready,out,err,rc,pid}
	# fd 3 closed: bats waits for it, a server holding it would hang bats.
	(
		PEER_READY=$dir/peer.ready ip netns exec "$SRV_NS" "$bin" "$@" \
			>"$dir/peer.out" 2>"$dir/peer.err" </dev/null &
		echo $! >"$dir/peer.pid"
		rc=0
		wait $! || rc=$? # the test's shell runs with set -e
		echo $rc >"$dir/peer.rc.tmp" && mv "$dir/peer.rc.tmp" "$dir/peer.rc"
	) 3>&- &
	SRV_TIMEOUT=${4:-10}
	for ((i = 0; i < 100; i++)); do
		[ -s "$dir/peer.pid" ] && SRV_PID=$(<"$dir/peer.pid")
		[ -e "$dir/peer.ready" ] && return 0
		[ -e "$dir/peer.rc" ] && break
		sleep 0.05
	done
	echo "srv_start: peer_server did not start:" >&2
	cat "$dir/peer.err" >&2
	return 1
}

# srv_wait: waits (at most the server's timeout + 3 s) for peer_server to exit
# and returns its status (124 if it had to be killed). Works under `run` too.
srv_wait() {
	local dir=${BATS_TEST_TMPDIR:?} i limit=$(((${SRV_TIMEOUT:-10} + 3) * 20))
	[ -e "$dir/peer.pid" ] || { echo "srv_wait: no server" >&2; return 1; }
	for ((i = 0; i < limit; i++)); do
		[ -e "$dir/peer.rc" ] && return "$(<"$dir/peer.rc")"
		sleep 0.05
	done
	kill -KILL "$(<"$dir/peer.pid")" 2>/dev/null
	echo "srv_wait: peer_server still running, killed" >&2
	return 124
}

# srv_peers: the source addresses peer_server saw, one a line.
srv_peers() {
	awk '$1 == "peer" { print $2 }' "${BATS_TEST_TMPDIR:?}/peer.out"
}
