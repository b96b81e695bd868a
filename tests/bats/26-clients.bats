#!/usr/bin/env bats
# 26-clients.bats: client sockets off the common path are typed too, checked
# on the server's side: clients that bind a port first (curl --local-port,
# nc -p over UDP and TCP, a UDP socket on [::]:PORT sending unconnected),
# a UDP client that asks getsockname() before its first send, and the
# servers that must stay as they are (a UDP server on [::]:PORT answers
# from the address it was asked on).

load ../lib/common

SL=2001:db8:5::10
FIX=2001:db8:f::10

setup() {
	netns_setup
	CONF=$BATS_TEST_TMPDIR/odm.conf
	POL=$BATS_TEST_TMPDIR/policy.d
	mkdir -m 0755 "$POL"
	cat >"$CONF" <<-EOF
	prefix "2001:db8:5::/64" { type = session-lasting }
	prefix "2001:db8:f::/64" { type = fixed }
	EOF
	host_addr_add "$SL/64"
	host_addr_add "$FIX/64"
}

teardown() {
	netns_teardown
}

policy() {
	printf '%s\n' "$2" >"$POL/$1.conf"
	chmod 0644 "$POL/$1.conf"
}

under() {
	host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" ODM_LOG=debug \
		LD_PRELOAD="$LIB" "$@"
}

# peer_is ADDR PORT: the one peer the server saw
peer_is() {
	srv_wait
	run awk '$1 == "peer" { print $2, $3 }' "$BATS_TEST_TMPDIR/peer.out"
	assert_output "$1 $2"
}

@test "curl --local-port: typed source, and the port it asked for" {
	policy curl "name = \"curl\"
type = session-lasting"
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 1
	run under curl -s --local-port 41000 "http://[$SRV_ADDR]:8080/"
	assert_success
	assert_output --partial "you are $SL"
	assert_output --partial "socket replaced to keep its port"
	peer_is "$SL" 41000
}

@test "nc -p over UDP: typed source, the port kept" {
	policy nc 'name = "ncat"
type = session-lasting'
	srv_start udp 7400 1
	run under ncat -u -w2 -p 41001 "$SRV_ADDR" 7400 <<<"hi"
	peer_is "$SL" 41001
}

@test "nc -p over TCP: typed source, the port kept" {
	policy nc 'name = "ncat"
type = fixed'
	srv_start tcp 7401 1
	run under ncat -w2 -p 41002 "$SRV_ADDR" 7401 <<<"hi"
	assert_output --partial "echo hi"
	peer_is "$FIX" 41002
}

@test "a UDP socket on [::]:PORT sending unconnected: each datagram carries its typed source" {
	policy py "script = \"$TOP/tests/helpers/udp_clients.py\"
type = session-lasting"
	srv_start udp 7402 1
	run under python3 "$TOP/tests/helpers/udp_clients.py" port-first "$SRV_ADDR" 7402 41003
	assert_success
	assert_output --partial "echo hi"
	assert_output --partial "IPV6_PKTINFO"
	peer_is "$SL" 41003
	srv_start udp 7402 1
	run under python3 "$TOP/tests/helpers/udp_clients.py" sendmsg-port-first "$SRV_ADDR" 7402 41004
	assert_success
	peer_is "$SL" 41004
}

@test "getsockname() before the first send: the typed address, not the wildcard" {
	policy py "script = \"$TOP/tests/helpers/udp_clients.py\"
type = fixed"
	srv_start udp 7403 1
	run under python3 "$TOP/tests/helpers/udp_clients.py" getsockname-first "$SRV_ADDR" 7403
	assert_success
	assert_output --partial "local $FIX"
	assert_output --partial "echo hi"
	srv_wait
	run srv_peers
	assert_output "$FIX"
}

@test "a UDP server on [::]:PORT answers from the address it was asked on" {
	policy srv 'name = "peer_server"
type = session-lasting'
	# The server runs on the host, under the policy; the client in the
	# other namespace asks the host's legacy address.
	host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" LD_PRELOAD="$LIB" \
		"$BUILD/helpers/peer_server" udp 7404 1 5 >"$BATS_TEST_TMPDIR/h.out" 2>&1 &
	sleep 0.3
	run srv_exec python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(b'hi', ('$HOST_LEGACY_ADDR', 7404))
d, a = s.recvfrom(100); print(d.decode().strip(), a[0])"
	assert_success
	assert_output "echo hi $HOST_LEGACY_ADDR"
	wait
}

@test "a TCP server on [::]:PORT still gets its type at listen()" {
	policy srv 'name = "peer_server"
type = fixed
server-bind = address'
	host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" LD_PRELOAD="$LIB" \
		ODM_LOG=debug "$BUILD/helpers/peer_server" tcp 7405 1 5 \
		>"$BATS_TEST_TMPDIR/h.out" 2>"$BATS_TEST_TMPDIR/h.err" &
	sleep 0.3
	run host_exec ss -Htln sport = :7405
	assert_output --partial "[$FIX]:7405"
	srv_exec python3 -c "
import socket
s = socket.create_connection(('$FIX', 7405), timeout=3); s.sendall(b'hi\n'); print(s.recv(100))" 
	wait
}
