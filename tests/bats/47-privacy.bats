#!/usr/bin/env bats
# 47-privacy.bats: RFC 8653 section 5 and the security review, checked at
# the far end or in the kernel: unpredictable interface identifiers, an
# address per socket, rotation by time and by bytes while open
# connections keep theirs, anchored addresses never picked by the kernel
# for a program that did not ask, IPV6_PREFER_SRC_TMP honoured, and odm
# status showing age, bytes and rotation.

load ../lib/common
load ../lib/odmd

setup() {
	netns_setup
	odmd_setup
	write_conf "offer = {session-lasting, nonpersistent, fixed}
	attach = {session-lasting, nonpersistent, fixed}" \
		'user "root" { types = {fixed} }'
	POL=$W/p.conf
}

teardown() {
	local rc=0
	odmd_teardown || rc=1
	netns_teardown
	return $rc
}

policy() {
	printf '%s\n' "$1" >"$POL"
	chmod 0644 "$POL"
}

under() {
	host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$POL" LD_PRELOAD="$LIB" "$@"
}

# iid ADDR: its interface identifier, as a 64-bit number
iid() { python3 -c 'import ipaddress, sys; print(int(ipaddress.ip_address(sys.argv[1])) & (2**64 - 1))' "$1"; }
# wide IID: more than 32 bits of it set (not a small number like ::1)
wide() { python3 -c 'import sys; sys.exit(0 if int(sys.argv[1]) >= 2**32 else 1)' "$(iid "$1")"; }

@test "privacy: odmd's interface identifiers are unpredictable, stable for a prefix, random per grant when asked" {
	odmd_start
	a=$(A 2001:db8:50::)
	[ -n "$a" ]
	[ "$a" != 2001:db8:50::1 ]
	wide "$a"
	b=$(A 2001:db8:30::)
	[ "$(iid "$a")" != "$(iid "$b")" ]
	# stable-privacy: the same prefix on the same link, the same address
	# again after a restart (the secret is kept in the state directory)...
	odmd_stop
	host_exec ip -6 addr flush dev "$HOST_IF" scope global
	host_addr_add "$HOST_LEGACY_ADDR/64"
	rm -f "$W/state/odmd.journal"
	odmd_start
	[ "$(A 2001:db8:50::)" = "$a" ]
	# ...and another host (another secret) gets another one.
	odmd_stop
	host_exec ip -6 addr flush dev "$HOST_IF" scope global
	host_addr_add "$HOST_LEGACY_ADDR/64"
	rm -rf "$W/state"
	odmd_start
	c=$(A 2001:db8:50::)
	[ -n "$c" ] && [ "$c" != "$a" ]
	# iid = random: a new one at each grant, the same secret or not.
	odmd_stop
	write_conf "offer = {session-lasting}
	attach = {session-lasting}
	iid = random"
	for i in 1 2; do
		host_exec ip -6 addr flush dev "$HOST_IF" scope global
		host_addr_add "$HOST_LEGACY_ADDR/64"
		rm -f "$W/state/odmd.journal"
		odmd_start
		r[$i]=$(A 2001:db8:50::)
		wide "${r[$i]}"
		odmd_stop
	done
	[ "${r[1]}" != "${r[2]}" ] && [ "${r[1]}" != "$c" ]
}

@test "privacy: three sockets under a per-socket rule leave from three addresses" {
	odmd_start
	policy 'name = "python3*"
type = session-lasting
address = per-socket'
	srv_start udp 7700 3
	run under /usr/bin/python3 -c "
import socket
for i in range(3):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b'hi', ('$SRV_ADDR', 7700)); print(s.recvfrom(100)[0].decode())"
	assert_success
	srv_wait
	run srv_peers
	[ "$(sort -u <<<"$output" | wc -l)" -eq 3 ]
	for p in $output; do
		python3 -c 'import ipaddress, sys; assert ipaddress.ip_address(sys.argv[1]) in ipaddress.ip_network("2001:db8:50::/64")' "$p"
	done
	# One process, per-process: one address, its own, not the shared one.
	policy 'name = "python3*"
type = session-lasting
address = per-process'
	srv_start udp 7701 3
	run under /usr/bin/python3 -c "
import socket
for i in range(3):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
    s.sendto(b'hi', ('$SRV_ADDR', 7701)); print(s.recvfrom(100)[0].decode())"
	srv_wait
	run srv_peers
	[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ]
	[ "$(head -1 <<<"$output")" != "$(typed session-lasting | head -1)" ]
}

# A client that keeps connection A open, sending a line each 0.5 s, and
# opens connection B after $1 seconds (or once it sent $2 bytes on A).
cat_client() {
	cat >"$W/client.py" <<-EOF
	import socket, sys, time
	wait, size = float(sys.argv[1]), int(sys.argv[2])
	a = socket.create_connection(("$SRV_ADDR", 7710), timeout=5)
	if size:
	    a.sendall(b"x" * size)
	end = time.time() + wait
	while time.time() < end:
	    a.sendall(b"a\\n"); time.sleep(0.5)
	b = socket.create_connection(("$SRV_ADDR", 7710), timeout=5)
	b.sendall(b"b\\n"); a.sendall(b"a after\\n")
	time.sleep(0.5)
	print(a.getsockname()[0], b.getsockname()[0])
	EOF
}

# A TCP server that prints, for each line, the peer it came from.
line_server() {
	srv_exec python3 -c "
import socket, threading
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', 7710)); s.listen(8)
def serve(c, peer):
    f = c.makefile('rb')
    for l in f:
        if l.strip() and not l.startswith(b'xx'):
            print(peer[0], l.decode().strip()[:20], flush=True)
while True:
    c, peer = s.accept(); threading.Thread(target=serve, args=(c, peer), daemon=True).start()
" >"$W/lines.log" 2>&1 3>&- &
	sleep 0.5
}

@test "privacy: past its rotation a new socket gets a new address; an open connection keeps its own" {
	odmd_start
	policy 'name = "python3*"
type = session-lasting
rotate = 2s'
	line_server
	cat_client
	run under /usr/bin/python3 "$W/client.py" 4 0
	assert_success
	read -r old new <<<"$output"
	[ -n "$old" ] && [ -n "$new" ] && [ "$old" != "$new" ]
	# A still sends from the old one
	grep -q "^$old a after$" "$W/lines.log" || {
		echo "old=$old new=$new"; cat "$W/lines.log" "$W/odmd.log"; false; }
	grep -q "^$new b$" "$W/lines.log"
	# The old address goes once its last socket has.
	wait_for 10 no_addr "$old"
}

@test "privacy: rotate-bytes rotates after that many bytes (the kernel's TCP_INFO)" {
	odmd_start
	policy 'name = "python3*"
type = session-lasting
rotate-bytes = 64k'
	line_server
	cat_client
	run under /usr/bin/python3 "$W/client.py" 2.5 200000
	assert_success
	read -r old new <<<"$output"
	[ "$old" != "$new" ]
	grep -q "^$old a after$" "$W/lines.log"
	grep -q "rotated session-lasting $old after .* and [0-9]* bytes" "$W/odmd.log"
}

@test "privacy: odm status shows each address's age, bytes and when it rotates" {
	odmd_start
	policy 'name = "python3*"
type = session-lasting
address = per-process
rotate = 1h'
	line_server
	cat_client
	under /usr/bin/python3 -c "
import socket, time
a = socket.create_connection(('$SRV_ADDR', 7710), timeout=5)
a.sendall(b'x' * 100000); time.sleep(3); print(a.getsockname()[0])" >"$W/own" &
	client=$!
	sleep 2.5
	own=$(A 2001:db8:50:: | head -1)
	run odm status
	assert_output --partial "TCP-BYTES"
	run lease "$(in_prefix 2001:db8:50:: | tail -1)" rotate_in
	[ "$output" -gt 3500 ] && [ "$output" -le 3600 ]
	wait "$client"
	addr=$(cat "$W/own")
	run lease "$addr" bytes
	[ "$output" -ge 100000 ]
	run lease "$addr" age
	[ "$output" -ge 2 ]
}

@test "privacy: a program with no policy never leaves from an anchored (Fixed) address" {
	odmd_start
	fix=$(typed fixed | head -1)
	[ -n "$fix" ]
	# The server in the Fixed prefix's neighbourhood: without the
	# anchoring, longest-prefix matching would pick the Fixed address.
	srv_exec ip -6 addr add 2001:db8:10:ff::1/64 dev "$SRV_IF" nodad
	host_exec ip -6 addr del "$HOST_LEGACY_ADDR/64" dev "$HOST_IF"
	run host_exec ip -6 addr show dev "$HOST_IF"
	assert_output --regexp "$fix/64 scope global [a-z ]*deprecated"
	srv_start tcp 7720 1
	run host_exec "$BUILD/helpers/fd_cases" plain 2001:db8:10:ff::1 7720
	srv_wait
	run srv_peers
	refute_output "$fix"
	[ "$output" = "$(typed nonpersistent | head -1)" ]
	# A program that asks for Fixed still gets it (the engine uses it).
	policy 'name = "fd_cases"
type = fixed'
	srv_start tcp 7721 1
	run under "$BUILD/helpers/fd_cases" plain 2001:db8:10:ff::1 7721
	srv_wait
	run srv_peers
	assert_output "$fix"
}

@test "privacy: IPV6_PREFER_SRC_TMP gets a temporary address of the socket's type" {
	host_exec sysctl -qw "net.ipv6.conf.$HOST_IF.use_tempaddr=2"
	host_addr_add 2001:db8:5::10/64 mngtmpaddr
	echo 'prefix "2001:db8:5::/64" { type = session-lasting }' >"$W/h.conf"
	for _ in $(seq 30); do
		host_exec ip -6 addr show dev "$HOST_IF" | grep -q "2001:db8:5:.* temporary" && break
		sleep 0.1
	done
	tmp=$(host_exec ip -6 addr show dev "$HOST_IF" | awk '/2001:db8:5:.*temporary/ { sub("/.*", "", $2); print $2; exit }')
	[ -n "$tmp" ]
	policy 'name = "python3*"
type = session-lasting'
	srv_start udp 7730 2
	run host_exec env ODM_CONF="$W/h.conf" ODM_POLICY_FILE="$POL" LD_PRELOAD="$LIB" /usr/bin/python3 -c "
import socket, struct
for tmp in (False, True):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(3)
    if tmp:
        s.setsockopt(socket.IPPROTO_IPV6, 72, struct.pack('I', 1))  # IPV6_PREFER_SRC_TMP
    s.sendto(b'hi', ('$SRV_ADDR', 7730)); s.recvfrom(100)"
	assert_success
	srv_wait
	run srv_peers
	assert_output "2001:db8:5::10
$tmp"
}
