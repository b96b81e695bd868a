#!/usr/bin/env bats
# 27-safety.bats: the shim inside programs that stress it, and failures it
# must make heard or keep contained: a signal handler connecting while the
# host's addresses change, threads forking while they change, a refusal at
# the default log level, a FIFO or a device given as a config file, a
# broken policy file beside the program's own, a policy that names a
# program by a symlink, and the odm check that goes with them.

load ../lib/common
bats_require_minimum_version 1.5.0

SL=2001:db8:5::10

setup() {
	netns_setup
	CONF=$BATS_TEST_TMPDIR/odm.conf
	POL=$BATS_TEST_TMPDIR/policy.d
	mkdir -m 0755 "$POL"
	echo 'prefix "2001:db8:5::/64" { type = session-lasting }' >"$CONF"
	host_addr_add "$SL/64"
	CHURN_PID=
}

teardown() {
	[ -n "$CHURN_PID" ] && kill "$CHURN_PID" 2>/dev/null
	netns_teardown
}

policy() {
	printf '%s\n' "$2" >"$POL/$1.conf"
	chmod 0644 "$POL/$1.conf"
}

under() {
	host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" LD_PRELOAD="$LIB" "$@"
}

# churn: typed addresses come and go on the host, in the background, so
# every engine keeps rebuilding its view.
churn() {
	(
		exec >/dev/null 2>&1 3>&-
		i=0
		while :; do
			i=$(((i + 1) % 200 + 1))
			ip -n "$HOST_NS" addr add "2001:db8:5::1:$i/64" dev "$HOST_IF" nodad
			ip -n "$HOST_NS" addr del "2001:db8:5::1:$i/64" dev "$HOST_IF"
		done
	) &
	CHURN_PID=$!
}

accept_server() {
	( srv_exec python3 "$TOP/tests/helpers/accept_close.py" 7600 \
		"$BATS_TEST_TMPDIR/ready" 0 60 >/dev/null 2>&1 3>&- & )
	for _ in $(seq 100); do [ -e "$BATS_TEST_TMPDIR/ready" ] && return; sleep 0.05; done
	return 1
}

@test "a signal handler that connects while addresses change never hangs" {
	policy sig 'name = "sig_connect"
type = session-lasting'
	churn
	for run in 1 2 3; do
		run timeout 20 env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" \
			LD_PRELOAD="$LIB" ip netns exec "$HOST_NS" \
			"$BUILD/helpers/sig_connect" "$SRV_ADDR" 7600 2
		assert_success # 124: it hung
		assert_line --regexp '^main [1-9][0-9]* handler [1-9][0-9]* failed 0$'
	done
}

@test "threads forking while addresses change: no child ever hangs" {
	policy fork 'name = "fork_race"
type = session-lasting'
	accept_server
	churn
	run timeout 120 env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" \
		LD_PRELOAD="$LIB" ip netns exec "$HOST_NS" \
		"$BUILD/helpers/fork_race" "$SRV_ADDR" 7600 600
	assert_success
	assert_output --regexp '^forks 600 hung 0 failed 0$'
}

@test "a refusal is one warning at the default log level, and a storm of them is rate-limited" {
	policy py 'name = "python3*"
type = fixed
on-failure = fail'
	run under python3 -c "
import socket
for i in range(50):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    try: s.sendto(b'x', ('$SRV_ADDR', 9))
    except OSError as e: err = e.errno
    s.close()
print('errno', err)"
	assert_output --partial "errno 99" # EADDRNOTAVAIL
	assert_output --partial "no fixed address"
	assert_output --partial "fails the call with EADDRNOTAVAIL"
	n=$(grep -c "no fixed address" <<<"$output")
	[ "$n" -ge 1 ] && [ "$n" -le 6 ]
}

@test "a FIFO or a device as ODM_POLICY_FILE or ODM_CONF: refused at once, the program runs" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run timeout 10 env ODM_POLICY_FILE="$BATS_TEST_TMPDIR/fifo" \
		LD_PRELOAD="$LIB" /bin/echo still here
	assert_success
	assert_output --partial "still here"
	assert_output --partial "not a regular file"
	run timeout 10 env ODM_POLICY_FILE=/dev/zero LD_PRELOAD="$LIB" /bin/echo still here
	assert_success
	assert_output --partial "still here"
	policy py 'name = "python3*"
type = session-lasting
on-failure = legacy'
	run timeout 10 ip netns exec "$HOST_NS" env ODM_CONF="$BATS_TEST_TMPDIR/fifo" \
		ODM_POLICY_DIR="$POL" LD_PRELOAD="$LIB" python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.sendto(b'x', ('$SRV_ADDR', 9)); print('sent')"
	assert_success
	assert_output --partial "sent"
	assert_output --partial "not a regular file"
}

@test "a group-writable ODM_POLICY_FILE is refused for root as a file in the folder is" {
	policy socat 'name = "socat"
type = session-lasting'
	chmod 0664 "$POL/socat.conf"
	run timeout 10 ip netns exec "$HOST_NS" env ODM_CONF="$CONF" ODM_POLICY_FILE="$POL/socat.conf" \
		LD_PRELOAD="$LIB" socat -T1 - "UDP6:[$SRV_ADDR]:9" </dev/null
	assert_output --partial "writable by group or others"
}

@test "a broken policy file leaves the other programs' policies alone, and only its programs hear of it" {
	policy aa-broken 'name = "socat"
type = fixed
rule bad { port = 99999 type = fixed }'
	policy ncat 'name = "ncat"
type = session-lasting'
	srv_start tcp 7601 1
	run under ncat -w2 "$SRV_ADDR" 7601 <<<"hi"
	refute_output --partial "aa-broken"
	srv_wait
	run srv_peers
	assert_output "$SL"
	srv_start tcp 7602 1
	run under socat -T2 - "TCP6:[$SRV_ADDR]:7602" <<<"hi"
	assert_output --partial "aa-broken.conf:3:"
	srv_wait
	run srv_peers
	assert_output "$HOST_LEGACY_ADDR"
}

@test "a policy naming a program by a symlink governs it" {
	ln -s /usr/bin/python3 "$BATS_TEST_TMPDIR/py-link" # itself a link
	policy py "program = \"$BATS_TEST_TMPDIR/py-link\"
type = session-lasting"
	srv_start udp 7603 1
	run under /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b'hi', ('$SRV_ADDR', 7603)); print(s.recvfrom(100)[0].decode())"
	assert_output --partial "echo hi"
	srv_wait
	run srv_peers
	assert_output "$SL"
}

@test "odm check: missing programs warned about, errors on stderr, the index written, VERB --help" {
	policy gone 'program = "/usr/bin/no-such-program"
type = session-lasting'
	policy bad 'name = "x"
rule a { port = 0 type = fixed }'
	run --separate-stderr env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" "$TOP/tools/odm" check
	assert_failure 1
	[[ "$stderr" == *"bad.conf:2:"* ]]
	[[ "$stderr" == *"no-such-program"* ]]
	[[ "$output" != *"bad.conf:2:"* ]]
	[ -s "$POL/.odm-index" ]
	run "$TOP/tools/odm" check --help
	assert_success
	assert_output --partial "usage: odm check"
}
