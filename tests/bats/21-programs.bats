#!/usr/bin/env bats
# 21-programs.bats: unmodified programs (curl, socat, ncat, python3) under
# LD_PRELOAD=libodm.so and per-program policies. Every check is made on the
# server's side: which source address the connection or datagram came from.

load ../lib/common

FIX=2001:db8:f::10
SL=2001:db8:5::10
NP=2001:db8:3::10

setup() {
	netns_setup
	CONF=$BATS_TEST_TMPDIR/odm.conf
	POL=$BATS_TEST_TMPDIR/policy.d
	mkdir -m 0755 "$POL"
	cat >"$CONF" <<-EOF
	prefix "2001:db8:f::/64" { type = fixed }
	prefix "2001:db8:5::/64" { type = session-lasting }
	prefix "2001:db8:3::/64" { type = nonpersistent }
	prefix "2001:db8:9::/64" { type = graceful-replacement }
	EOF
	for a in $FIX $SL $NP; do host_addr_add "$a/64"; done
}

teardown() {
	netns_teardown
}

# policy NAME TEXT: a policy file for the folder
policy() {
	printf '%s\n' "$2" >"$POL/$1.conf"
	chmod 0644 "$POL/$1.conf"
}

# under CMD...: CMD on the host under libodm, decisions logged on stderr
under() {
	host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" ODM_LOG=debug \
		LD_PRELOAD="$LIB" "$@"
}

seen() {
	srv_wait
	run srv_peers
}

@test "curl: an HTTP request comes from the Session-Lasting address" {
	policy curl "program = \"$(readlink -f "$(command -v curl)")\"
type = session-lasting"
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 1
	run under curl -s "http://[$SRV_ADDR]:8080/"
	assert_success
	assert_output --partial "you are $SL"
	assert_output --partial "-> session-lasting $SL (rule default)"
	seen
	assert_output "$SL"
}

@test "socat TCP and UDP get their rule's type" {
	policy socat 'name = "socat"
type = fixed
rule chat { protocol = tcp port = 7000 type = nonpersistent }'
	srv_start tcp 7000 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7000" <<<"hi"
	assert_output --partial "echo hi"
	seen
	assert_output "$NP"
	srv_start udp 7000 1
	run under socat -T3 - "UDP6:[$SRV_ADDR]:7000" <<<"hi"
	assert_output --partial "echo hi"
	seen
	assert_output "$FIX"
}

@test "ncat TCP and UDP" {
	policy ncat 'name = "ncat"
type = session-lasting'
	srv_start tcp 7001 1
	run under ncat -w3 "$SRV_ADDR" 7001 <<<"hi"
	seen
	assert_output "$SL"
	srv_start udp 7001 1
	run under ncat -u -w3 "$SRV_ADDR" 7001 <<<"hi"
	seen
	assert_output "$SL"
}

@test "python3: TCP connect, and UDP sendto without connect" {
	cat >"$BATS_TEST_TMPDIR/client.py" <<-EOF
	import socket, sys
	host, port, proto = sys.argv[1], int(sys.argv[2]), sys.argv[3]
	if proto == "tcp":
	    s = socket.create_connection((host, port), timeout=3)
	    s.sendall(b"hi\n"); print(s.recv(100).decode().strip())
	else:
	    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	    s.settimeout(3)
	    s.sendto(b"hi", (host, port)); print(s.recvfrom(100)[0].decode())
	EOF
	policy python "script = \"$BATS_TEST_TMPDIR/client.py\"
type = nonpersistent
rule dns { protocol = udp port = 53 type = fixed }"
	srv_start tcp 7002 1
	run under python3 "$BATS_TEST_TMPDIR/client.py" "$SRV_ADDR" 7002 tcp
	assert_output --partial "echo hi"
	seen
	assert_output "$NP"
	srv_start udp 53 1
	run under python3 "$BATS_TEST_TMPDIR/client.py" "$SRV_ADDR" 53 udp
	assert_output --partial "echo hi"
	seen
	assert_output "$FIX"
}

@test "a program no policy names keeps the kernel's source, and logs nothing" {
	policy other 'program = "/usr/bin/wget"
type = fixed'
	srv_start tcp 7003 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7003" <<<"hi"
	refute_output --partial "libodm"
	seen
	assert_output "$HOST_LEGACY_ADDR"
}

@test "rules by destination prefix, port range and role each decide" {
	srv_exec ip -6 addr add 2001:db8:ff00::1/64 dev "$SRV_IF" nodad
	host_exec ip -6 route add 2001:db8:ff00::/64 via "$SRV_ADDR"
	policy socat 'name = "socat"
type = session-lasting
rule office { destination = "2001:db8:ff00::/48" type = fixed }
rule range { port = "7100-7199" type = nonpersistent }
rule serve { role = server type = fixed }'
	srv_start tcp 7010 1
	run under socat -T3 - "TCP6:[2001:db8:ff00::1]:7010" <<<"hi"
	assert_output --partial "(rule office)"
	seen
	assert_output "$FIX"
	srv_start tcp 7150 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7150" <<<"hi"
	assert_output --partial "(rule range)"
	seen
	assert_output "$NP"
	srv_start tcp 7200 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7200" <<<"hi"
	assert_output --partial "(rule default)"
	seen
	assert_output "$SL"
}

@test "first match wins, and a legacy rule leaves the socket alone" {
	policy socat 'name = "socat"
type = fixed
rule quiet { port = 7020 type = legacy }
rule later { port = 7020 type = nonpersistent }'
	srv_start tcp 7020 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7020" <<<"hi"
	assert_output --partial "-> legacy (rule quiet)"
	seen
	assert_output "$HOST_LEGACY_ADDR"
}

@test "on-failure = fail: connect fails with EADDRNOTAVAIL and one log line" {
	policy socat 'name = "socat"
type = graceful-replacement'
	srv_start tcp 7030 1 2
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7030" <<<"hi"
	assert_failure
	assert_output --partial "Cannot assign requested address"
	[ "$(grep -c 'no graceful-replacement address' <<<"$output")" -eq 1 ]
	run srv_wait
	assert_failure # nothing arrived
}

@test "on-failure = legacy: the connection goes on from the legacy address" {
	policy socat 'name = "socat"
type = graceful-replacement
on-failure = legacy'
	srv_start tcp 7031 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7031" <<<"hi"
	assert_success
	assert_output --partial "falls back to legacy"
	seen
	assert_output "$HOST_LEGACY_ADDR"
}

@test "a program that binds to a specific address is left alone" {
	policy socat 'name = "socat"
type = fixed'
	srv_start tcp 7040 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7040,bind=[$NP]" <<<"hi"
	seen
	assert_output "$NP"
}

@test "a server restricted to its Fixed address (server-bind = address)" {
	policy socat 'name = "socat"
rule serve { role = server type = fixed }
server-bind = address'
	under socat -T5 TCP6-LISTEN:7050,reuseaddr SYSTEM:"echo welcome" 3>&- &
	for _ in $(seq 100); do
		host_exec ss -Hltn 'sport = :7050' | grep -q 7050 && break
		sleep 0.05
	done
	run host_exec ss -Hltn 'sport = :7050'
	assert_output --partial "[$FIX]:7050"
	run srv_exec socat -T3 - "TCP6:[$FIX]:7050"
	assert_output "welcome"
	wait
}

@test "a wildcard server needs its type to exist: listen fails without it" {
	policy socat 'name = "socat"
rule serve { role = server type = graceful-replacement }'
	run under socat -T1 TCP6-LISTEN:7060,reuseaddr SYSTEM:"echo x"
	assert_failure
	assert_output --partial "Cannot assign requested address"
	host_addr_add 2001:db8:9::1/64
	under socat -T5 TCP6-LISTEN:7060,reuseaddr SYSTEM:"echo welcome" 3>&- &
	for _ in $(seq 100); do
		host_exec ss -Hltn 'sport = :7060' | grep -q 7060 && break
		sleep 0.05
	done
	run host_exec ss -Hltn 'sport = :7060'
	assert_output --partial "*:7060"
	run srv_exec socat -T3 - "TCP6:[$HOST_LEGACY_ADDR]:7060"
	assert_output "welcome"
	wait
}

@test "IPv4, v4-mapped, loopback and AF_UNIX pass through untouched" {
	policy socat 'name = "socat"
type = graceful-replacement'
	host_exec ip addr add 192.0.2.1/32 dev lo
	host_exec socat -T3 TCP4-LISTEN:7070,reuseaddr,fork SYSTEM:"echo v4" 3>&- &
	host_exec socat -T3 UNIX-LISTEN:"$BATS_TEST_TMPDIR/u.sock",fork SYSTEM:"echo unix" 3>&- &
	host_exec socat -T3 TCP6-LISTEN:7071,reuseaddr,fork SYSTEM:"echo lo" 3>&- &
	sleep 0.3
	run under socat -T2 - TCP4:192.0.2.1:7070 </dev/null
	assert_line "v4"
	run under socat -T2 - "TCP6:[::ffff:192.0.2.1]:7070" </dev/null
	assert_line "v4"
	run under socat -T2 - UNIX-CONNECT:"$BATS_TEST_TMPDIR/u.sock" </dev/null
	assert_line "unix"
	run under socat -T2 - "TCP6:[::1]:7071" </dev/null
	assert_line "lo"
	refute_output --partial " -> "
	refute_output --partial "EADDRNOTAVAIL"
}

@test "a broken policy file: one clear message, and the program runs legacy" {
	policy socat 'name = "socat"
type = fixed
rule bad { port = 99999 type = fixed }'
	srv_start tcp 7080 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7080" <<<"hi"
	assert_output --partial "$POL/socat.conf:3:"
	assert_output --partial "99999"
	[ "$(grep -c 'socat.conf:3' <<<"$output")" -eq 1 ]
	seen
	assert_output "$HOST_LEGACY_ADDR"
}

@test "a group-writable policy file is refused for a root program" {
	policy socat 'name = "socat"
type = fixed'
	chmod 0664 "$POL/socat.conf"
	srv_start tcp 7090 1
	run under socat -T3 - "TCP6:[$SRV_ADDR]:7090" <<<"hi"
	assert_output --partial "writable by group or others"
	seen
	assert_output "$HOST_LEGACY_ADDR"
}

@test "odm run appends to LD_PRELOAD, and a shell pipeline is typed end to end" {
	run env LD_PRELOAD=/nonexistent.so "$TOP/tools/odm" run -- env
	assert_line --regexp "^LD_PRELOAD=/nonexistent.so $LIB\$"
	policy socat 'name = "socat"
type = nonpersistent'
	srv_start tcp 7095 1
	run host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" \
		"$TOP/tools/odm" run -- sh -c \
		"echo hi | socat -T3 - 'TCP6:[$SRV_ADDR]:7095' | cat"
	assert_output "echo hi"
	seen
	assert_output "$NP"
}

@test "a hook that runs before libodm's constructor initializes it and types the socket" {
	cc -shared -fPIC -o "$BATS_TEST_TMPDIR/early.so" "$TOP/tests/preload/early_socket.c"
	policy true 'name = "true"
type = session-lasting'
	srv_start udp 7099 1
	run host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" ODM_LOG=debug \
		EARLY_DST="$SRV_ADDR" EARLY_PORT=7099 \
		LD_PRELOAD="$LIB $BATS_TEST_TMPDIR/early.so" /bin/true
	assert_success
	assert_output --partial "-> session-lasting $SL"
	seen
	assert_output "$SL"
}
