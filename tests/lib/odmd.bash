# odmd.bash: bats helpers for tests that run odmd on the test host
# (load after common). Call odmd_setup in setup() and odmd_teardown in
# teardown(); they use $BATS_TEST_TMPDIR unless a test needs unprivileged
# clients, in which case odmd_public moves the socket and the policy files
# to a folder every user may reach.
#   CONF, SOCK, W    the config, odmd's socket, the test's folder
#   ODMD_BIN         another odmd build (tests/run: the ASan+UBSan one)

odmd_setup() {
	W=$BATS_TEST_TMPDIR
	SOCK=$W/odmd.sock
	CONF=$W/odm.conf
	export W SOCK CONF
}

# odmd_public: a folder nobody may enter too (for unprivileged clients).
odmd_public() {
	PUB=$(mktemp -d /tmp/odm-pub.XXXXXX)
	chmod 0755 "$PUB"
	SOCK=$PUB/odmd.sock
	export PUB SOCK
}

# odmd stops on TERM; a sanitizer build then reports what it found, which
# fails the test.
odmd_teardown() {
	local rc=0
	odmd_stop
	if grep -q 'Sanitizer' "$W/odmd.log" 2>/dev/null; then
		cat "$W/odmd.log" >&2
		rc=1
	fi
	[ -n "${PUB:-}" ] && rm -rf "$PUB"
	return $rc
}

# write_conf NETWORK_LINES [AUTHORIZE_LINES] [AGENT_LINES]: the sim network
# on $HOST_IF with a pool of each type.
write_conf() {
	cat >"$CONF" <<-EOF
	agent { socket = "$SOCK" timeout = 1500 state = "$W/state" ${3:-} }
	network {
		backend = sim
		interface = "$HOST_IF"
		$1
		pool "2001:db8:50::/56" { type = session-lasting }
		pool "2001:db8:30::/56" { type = nonpersistent }
		pool "2001:db8:40::/56" { type = graceful-replacement }
		pool "2001:db8:10::/56" { type = fixed }
		grace = 4
	}
	authorize { ${2:-} }
	EOF
	chmod 0644 "$CONF"
}

# odmd_start: odmd in the foreground (-d), its log in $W/odmd.log; waits
# until it serves. ODMD_PID is its parent (ip netns exec execs it).
odmd_start() {
	local enter=(ip netns exec "$HOST_NS")
	# ODMD_NSENTER: in the host's mount namespace, where /sys and /run are
	# everybody's (the BPF path pins there and finds cgroup2).
	[ -n "${ODMD_NSENTER:-}" ] && enter=(nsenter --net="/run/netns/$HOST_NS")
	: >>"$W/odmd.log"
	"${enter[@]}" "${ODMD_BIN:-$TOP/tools/odmd/odmd}" -d -c "$CONF" \
		2>>"$W/odmd.log" 3>&- &
	ODMD_PID=$!
	for _ in $(seq 100); do
		[ "$(grep -c "ready on" "$W/odmd.log")" -gt "${ODMD_STARTS:-0}" ] && {
			ODMD_STARTS=$((${ODMD_STARTS:-0} + 1))
			return 0
		}
		kill -0 "$ODMD_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$W/odmd.log" >&2
	return 1
}

# odmd_stop: TERM, and waits (2 s at most) until it has gone.
odmd_stop() {
	[ -n "${ODMD_PID:-}" ] || return 0
	kill -TERM "$ODMD_PID" 2>/dev/null
	for _ in $(seq 40); do kill -0 "$ODMD_PID" 2>/dev/null || break; sleep 0.05; done
	ODMD_PID=
}

# odmd_kill: kill -9 of odmd's parent; waits until the worker has gone too.
odmd_kill() {
	kill -KILL "$ODMD_PID"
	for _ in $(seq 60); do
		pgrep -f "odmd -d -c $CONF" >/dev/null || break
		sleep 0.05
	done
	ODMD_PID=
}

odm() { host_exec env ODM_CONF="$CONF" "$TOP/tools/odm" "$@"; }
# sc [-o] TYPE ...: the draft's example program (linked with -lodm). With
# -o (IPV6_REQUIRE_SRC_ON_NET, which takes the shim's setsockopt hook) it
# runs under the shim, as with odm run.
sc() {
	local pre=()
	[ "$1" = -o ] && pre=(LD_PRELOAD="$LIB")
	host_exec env ODM_CONF="$CONF" "${pre[@]}" "$BUILD/examples/sc_connect" "$@"
}
# as_user USER CMD...: CMD on the test host as USER
as_user() {
	local u=$1
	shift
	host_exec setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
		env ODM_CONF="$CONF" "$@"
}
# typed TYPE: the addresses of TYPE odmd reports
typed() { odm status | awk -v t="$1" '$2 == t { print $1 }'; }
# lease ADDR FIELD: a field of odmd's lease of ADDR (odm status --json)
lease() {
	odm status --json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["address"] == sys.argv[1]:
        v = e[sys.argv[2]]
        print("null" if v is None else str(v).lower() if isinstance(v, bool) else v)' "$1" "$2"
}
# in_prefix PREFIX[/LEN]: the host's addresses in the prefix (a /64 when no
# length), one a line in the kernel's order: odmd's interface identifiers
# are unpredictable (stable-privacy or random), so tests look them up.
in_prefix() {
	host_exec ip -j -6 addr show | python3 -c '
import ipaddress, json, sys
p = sys.argv[1] if "/" in sys.argv[1] else sys.argv[1] + "/64"
net = ipaddress.ip_network(p, strict=False)
for i in json.load(sys.stdin):
    for a in i.get("addr_info", []):
        if a.get("family") == "inet6" and ipaddress.ip_address(a["local"]) in net:
            print(a["local"])' "$1"
}
# A PREFIX: the one address odmd holds in PREFIX (the first when several).
A() { in_prefix "$1" | head -1; }
has_addr() { host_exec ip -6 addr show dev "${2:-$HOST_IF}" | grep -q "inet6 $1/"; }
# wait_for SECONDS CMD...: until CMD succeeds (every 0.1 s); fails after
wait_for() {
	local n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
	"$@"
}
# lease_is ADDR FIELD VALUE
lease_is() { [ "$(lease "$1" "$2")" = "$3" ]; }
no_addr() { ! has_addr "$@"; }
