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
	assert_line "setsc: $(A 2001:db8:50::)"
	srv_wait
	run as_user daemon "$PY" "$CLIENT" "$SOCK" request session-lasting
	assert_output "status 0 type 2 addr $(A 2001:db8:50::)"
}

@test "odmd: an address odmd holds is authorized like a new one" {
	write_conf "offer = {fixed, session-lasting}
	attach = {fixed, session-lasting}" 'user "root" { types = {fixed} }'
	odmd_start
	has_addr $(A 2001:db8:10::)
	run as_user nobody "$PY" "$CLIENT" "$SOCK" request fixed
	assert_output "status 3 type 0 addr ::"
	grep -q "refused fixed to uid 65534" "$W/odmd.log"
	run as_user nobody "$PY" "$CLIENT" "$SOCK" request fixed on-net
	assert_output "status 3 type 0 addr ::"
	run "$PY" "$CLIENT" "$SOCK" request fixed
	assert_output "status 0 type 1 addr $(A 2001:db8:10::)"
	# The unprivileged user's own type, and a quota per user.
	run as_user nobody "$PY" "$CLIENT" "$SOCK" request session-lasting
	assert_output "status 0 type 2 addr $(A 2001:db8:50::)"
	# Only an owner (or root) releases a lease.
	run as_user nobody env ODM_CONF="$CONF" "$TOP/tools/odm" release $(A 2001:db8:10::)
	assert_failure
	assert_output --partial "only its owner or root"
	has_addr $(A 2001:db8:10::)
}

@test "odmd: a program grant cannot be won by exec or by a borrowed socket" {
	write_conf "offer = {fixed}
	attach = {fixed}" 'program "/usr/bin/python3.11" { types = {fixed} }'
	odmd_start
	# The granted program, asking itself: granted.
	run as_user nobody /usr/bin/python3.11 "$CLIENT" "$SOCK" request fixed
	[ "$output" = "status 0 type 1 addr $(A 2001:db8:10::)" ] || cat "$W/odmd.log"
	assert_output "status 0 type 1 addr $(A 2001:db8:10::)"
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
	sl=$(A 2001:db8:50::)
	host_exec "$PY" "$CLIENT" "$SOCK" name $'ev"il\\\n{' "$sl" 4242 30 >"$W/n1" &
	BG=$!
	host_exec "$PY" "$CLIENT" "$SOCK" name '"}],[{"x":1' "$sl" 4243 30 >"$W/n2" &
	BG="$BG $!"
	wait_for 5 grep -q ready "$W/n1"
	wait_for 5 grep -q ready "$W/n2"
	wait_for 5 lease_is "$sl" sockets 2
	odm status --json >"$W/status.json"
	run "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = [x for x in d if x["address"] == sys.argv[2]][0]
assert isinstance(e["users"], list), e
names = sorted(u["program"] for u in e["users"])
print(names)
assert all(isinstance(u["pid"], int) and u["uid"] == 0 for u in e["users"])
' "$W/status.json" "$sl"
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
	assert_line --partial "$(A 2001:db8:50::)"
	odmd_stop
	[ ! -e "$SOCK" ]
	echo "precious" >"$SOCK"
	run ip netns exec "$HOST_NS" "${ODMD_BIN:-$TOP/tools/odmd/odmd}" -d -c "$CONF"
	assert_failure
	assert_output --partial "exists and is not a socket"
	run cat "$SOCK"
	assert_output precious
}

@test "odmd: a storm of random, valid and abandoned requests leaves nothing behind" {
	write_conf "offer = {session-lasting, nonpersistent}
	attach = {nonpersistent}
	hold = 1
	idle = 1
	drain = 1" "max-addresses = 100000"
	odmd_start
	as_user nobody "$PY" - "$SOCK" <<-'EOF'
	import os, random, socket, struct, sys, threading
	path = sys.argv[1]
	def req(t, flags):
	    return b"ODM\x02\x01\x00\x00\x08" + struct.pack(">IBBH", random.getrandbits(32), t, flags, 0)
	def storm(seed):
	    r = random.Random(seed)
	    for _ in range(300):
	        s = socket.socket(socket.AF_UNIX)
	        s.settimeout(2)
	        try:
	            s.connect(path)
	            k = r.randrange(4)
	            if k == 0:   # garbage
	                s.sendall(bytes(r.getrandbits(8) for _ in range(r.randrange(1, 600))))
	            elif k == 1: # a valid fresh-prefix request, abandoned at once
	                s.sendall(req(r.choice((2, 3)), 1))
	            elif k == 2: # a valid one, answered
	                s.sendall(req(r.choice((1, 2, 3, 4)), r.choice((0, 1))))
	                s.recv(600)
	            else:        # a plausible header with a random body
	                s.sendall(b"ODM" + bytes([r.choice((1, 2)), r.randrange(1, 9), 0]) +
	                          struct.pack(">H", r.randrange(0, 520)) +
	                          bytes(r.getrandbits(8) for _ in range(r.randrange(0, 520))))
	                s.recv(600)
	        except OSError:
	            pass
	        s.close()
	ts = [threading.Thread(target=storm, args=(i,)) for i in range(8)]
	[t.start() for t in ts]; [t.join() for t in ts]
	EOF
	kill -0 "$ODMD_PID"
	# Every fresh prefix goes back: the host's Nonpersistent and
	# Session-Lasting addresses are left (and the test network's own).
	wait_for 10 bash -c "[ \$(ip -n $HOST_NS -6 addr show dev $HOST_IF | grep -c 'inet6 2001:db8:') = 3 ]"
	run typed nonpersistent
	assert_output "$(A 2001:db8:30::)"
	sl=$(typed session-lasting)
	run lease "$sl" current
	assert_output true
	run odm status
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	# The pools are whole again: a fresh prefix of each comes.
	run sc -o session-lasting "$SRV_ADDR" 1
	assert_line --regexp '^setsc: 2001:db8:50:'
}
