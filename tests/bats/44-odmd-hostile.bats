#!/usr/bin/env bats
# 44-odmd-hostile.bats: odmd against hostile and careless clients: a
# thousand idle connections and a half-sent message from an unprivileged
# user, authorization of addresses odmd already holds, a program grant
# that a client tries to win by exec or by handing its socket to another
# process, hostile process names in `odm status --json`, a second odmd on
# the same socket, a file where the socket should be.

load ../lib/common
load ../lib/odmd

PY=/usr/bin/python3
CLIENT=$BATS_TEST_DIRNAME/../helpers/odmd_client.py

setup() {
	netns_setup
	odmd_setup
	odmd_public
	CONF=$PUB/odm.conf
	export CONF
}

teardown() {
	local rc=0
	[ -n "${BG:-}" ] && kill $BG 2>/dev/null
	odmd_teardown || rc=1
	netns_teardown
	return $rc
}

@test "odmd: 1000 idle connections of one user lock nobody else out" {
	write_conf "offer = {session-lasting}
	attach = {session-lasting}" "" "read-timeout = 500"
	odmd_start
	as_user nobody "$PY" "$CLIENT" "$SOCK" hold 1000 30 >"$W/hold.out" 2>&1 &
	BG=$!
	wait_for 10 test -s "$W/hold.out"
	# 64 kept (agent.max-clients-per-user), less the half-sent message
	# (agent.read-timeout); the rest closed at once.
	run cat "$W/hold.out"
	assert_output 63
	grep -q "connection of uid 65534 pid [0-9]* refused: that user has as many" "$W/odmd.log"
	# Meanwhile root is served, and so is another user.
	srv_start tcp 7901 1
	run sc session-lasting "$SRV_ADDR" 7901
	assert_success
	assert_line "setsc: 2001:db8:50::1"
	srv_wait
	run as_user daemon "$PY" "$CLIENT" "$SOCK" request session-lasting
	assert_output "status 0 type 2 addr 2001:db8:50::1"
}

@test "odmd: an address odmd holds is authorized like a new one" {
	write_conf "offer = {fixed, session-lasting}
	attach = {fixed, session-lasting}" 'user "root" { types = {fixed} }'
	odmd_start
	has_addr 2001:db8:10::1
	run as_user nobody "$PY" "$CLIENT" "$SOCK" request fixed
	assert_output "status 3 type 0 addr ::"
	grep -q "refused fixed to uid 65534" "$W/odmd.log"
	run as_user nobody "$PY" "$CLIENT" "$SOCK" request fixed on-net
	assert_output "status 3 type 0 addr ::"
	run "$PY" "$CLIENT" "$SOCK" request fixed
	assert_output "status 0 type 1 addr 2001:db8:10::1"
	# The unprivileged user's own type, and a quota per user.
	run as_user nobody "$PY" "$CLIENT" "$SOCK" request session-lasting
	assert_output "status 0 type 2 addr 2001:db8:50::1"
	# Only an owner (or root) releases a lease.
	run as_user nobody env ODM_CONF="$CONF" "$TOP/tools/odm" release 2001:db8:10::1
	assert_failure
	assert_output --partial "only its owner or root"
	has_addr 2001:db8:10::1
}

@test "odmd: a program grant cannot be won by exec or by a borrowed socket" {
	write_conf "offer = {fixed}
	attach = {fixed}" 'program "/usr/bin/python3.11" { types = {fixed} }'
	odmd_start
	# The granted program, asking itself: granted.
	run as_user nobody /usr/bin/python3.11 "$CLIENT" "$SOCK" request fixed
	assert_output "status 0 type 1 addr 2001:db8:10::1"
	# perl connects, then execs the granted program, which asks over the
	# socket it inherited: the program changed since the connection.
	run as_user nobody perl -e '
		$^F = 1000; use IO::Socket::UNIX;
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
		select(undef, undef, undef, 0.5);
		exec("/usr/bin/python3.11", $ARGV[1], "--fd", fileno($s), "request", "fixed");
	' "$SOCK" "$CLIENT"
	assert_output "status 3 type 0 addr ::"
	grep -q "the program changed from /usr/bin/perl to /usr/bin/python3.11" "$W/odmd.log"
	# perl connects and execs the granted program, but hands the socket to
	# a child of its own, which asks: another process speaks.
	run as_user nobody perl -e '
		$^F = 1000; use IO::Socket::UNIX;
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "connect: $!";
		if (fork() == 0) {
			select(undef, undef, undef, 0.8);
			exec("/usr/bin/python3.11", $ARGV[1], "--fd", fileno($s), "request", "fixed");
		}
		select(undef, undef, undef, 0.3);
		exec("/usr/bin/python3.11", "-c", "import time; time.sleep(2)");
	' "$SOCK" "$CLIENT"
	assert_output "status 3 type 0 addr ::"
}

@test "odmd: hostile process names leave odm status --json valid" {
	write_conf "offer = {session-lasting}
	attach = {session-lasting}"
	odmd_start
	host_exec "$PY" "$CLIENT" "$SOCK" name $'ev"il\\\n{' 2001:db8:50::1 4242 30 >"$W/n1" &
	BG=$!
	host_exec "$PY" "$CLIENT" "$SOCK" name '"}],[{"x":1' 2001:db8:50::1 4243 30 >"$W/n2" &
	BG="$BG $!"
	wait_for 5 grep -q ready "$W/n1"
	wait_for 5 grep -q ready "$W/n2"
	wait_for 5 lease_is 2001:db8:50::1 sockets 2
	odm status --json >"$W/status.json"
	run "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = [x for x in d if x["address"] == "2001:db8:50::1"][0]
assert isinstance(e["users"], list), e
names = sorted(u["program"] for u in e["users"])
print(names)
assert all(isinstance(u["pid"], int) and u["uid"] == 0 for u in e["users"])
' "$W/status.json"
	assert_success
	assert_output "['\"}],[{\"x\":1', 'ev\"il\\\\?{']"
	# Every line of the table is one address.
	run odm status
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	# Another user sees the count, not root's sockets.
	run as_user nobody "$TOP/tools/odm" status --json
	assert_success
	run "$PY" -c '
import json, sys
e = json.loads(sys.argv[1])[0]
print(e["sockets"], len(e["users"]))' "$output"
	assert_output "2 0"
}

@test "odmd: one odmd per socket, and never a file that is not its socket" {
	write_conf "offer = {session-lasting}
	attach = {session-lasting}"
	odmd_start
	run ip netns exec "$HOST_NS" "${ODMD_BIN:-$TOP/tools/odmd/odmd}" -d -c "$CONF"
	assert_failure
	assert_output --partial "another odmd serves there"
	run odm status
	assert_success
	assert_line --partial "2001:db8:50::1"
	odmd_stop
	[ ! -e "$SOCK" ]
	echo "precious" >"$SOCK"
	run ip netns exec "$HOST_NS" "${ODMD_BIN:-$TOP/tools/odmd/odmd}" -d -c "$CONF"
	assert_failure
	assert_output --partial "exists and is not a socket"
	run cat "$SOCK"
	assert_output precious
}
