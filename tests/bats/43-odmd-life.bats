#!/usr/bin/env bats
# 43-odmd-life.bats: odmd keeps each type's promise over time: a link flap
# (addresses put back), short lifetimes (renewed for as long as the type
# promises, and no longer), idle grants handed back (and quotas that count
# live leases only), a restart that keeps owners, times and a release under
# way, a requester that gives up before its grant. Checked in the kernel
# and at the far end.

load ../lib/common
load ../lib/odmd

setup() {
	netns_setup
	odmd_setup
}

teardown() {
	local rc=0
	[ -n "${CHAT_PID:-}" ] && kill "$CHAT_PID" 2>/dev/null
	odmd_teardown || rc=1
	netns_teardown
	return $rc
}

# The test network's own addresses and route, which a link flap removes.
relink() {
	ip -n "$HOST_NS" addr add "$HOST_LEGACY_ADDR/64" dev "$HOST_IF" nodad 2>/dev/null
	ip -n "$HOST_NS" -6 route replace default via "$SRV_ADDR" dev "$HOST_IF"
}

# chat PORT POLICY_TYPE: a long TCP connection from socat under libodm
# with that type; each line written to fd 5 reaches the server, which logs
# "PEER line" to $W/chat.log.
chat() {
	srv_exec socat -T30 TCP6-LISTEN:"$1",reuseaddr \
		SYSTEM:"while read -r l; do echo \"\$SOCAT_PEERADDR \$l\" >>$W/chat.log; done" 3>&- &
	sleep 0.3
	printf 'name = "socat"\ntype = %s\n' "$2" >"$W/p.conf"
	mkfifo "$W/chat.in"
	host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$W/p.conf" LD_PRELOAD="$LIB" \
		socat -T30 - "TCP6:[$SRV_ADDR]:$1" <"$W/chat.in" >/dev/null 2>&1 3>&- &
	CHAT_PID=$!
	exec 5>"$W/chat.in"
}

# said N LINE: the server has logged N lines, the last one LINE
said() { [ -e "$W/chat.log" ] && [ "$(wc -l <"$W/chat.log")" -ge "$1" ]; }

@test "odmd: a link flap takes the addresses away; odmd puts them back" {
	write_conf "offer = {session-lasting, nonpersistent}
	attach = {session-lasting, nonpersistent}"
	odmd_start
	sl=$(A 2001:db8:50::) np=$(A 2001:db8:30::)
	has_addr "$sl"
	has_addr "$np"
	host_exec ip link set "$HOST_IF" down
	host_exec ip link set "$HOST_IF" up
	relink
	wait_for 5 has_addr "$sl"
	wait_for 5 has_addr "$np"
	grep -q "restored session-lasting $sl" "$W/odmd.log"
	# An administrator's removal is undone the same way.
	host_exec ip addr del "$np/64" dev "$HOST_IF"
	wait_for 5 has_addr "$np"
	# And the addresses work: a client gets its type at the far end.
	srv_start tcp 7801 1
	run sc session-lasting "$SRV_ADDR" 7801
	assert_success
	assert_line "setsc: $sl"
	srv_wait
	run srv_peers
	assert_output "$sl"
	run lease "$sl" state
	refute_output absent
}

@test "odmd: short lifetimes are renewed for as long as each type promises" {
	write_conf "offer = {fixed, session-lasting, nonpersistent}
	attach = {fixed, nonpersistent}
	lifetime = 5
	hold = 1
	idle = 600" 'user "root" { types = {fixed} }'
	odmd_start
	# A Fixed connection and a Session-Lasting one, both longer than 5 s.
	chat 7802 fixed
	echo one >&5
	wait_for 5 said 1
	srv_exec socat -T30 TCP6-LISTEN:7803,reuseaddr SYSTEM:"cat >>$W/sl.log" 3>&- &
	sleep 0.3
	mkfifo "$W/sl.in"
	printf 'name = "socat"\ntype = session-lasting\n' >"$W/p2.conf"
	host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$W/p2.conf" LD_PRELOAD="$LIB" \
		socat -T30 - "TCP6:[$SRV_ADDR]:7803" <"$W/sl.in" >/dev/null 2>&1 3>&- &
	exec 6>"$W/sl.in"
	echo first >&6
	wait_for 5 grep -q first "$W/sl.log"
	# An ON_NET Session-Lasting grant nobody uses: not renewed.
	run sc -o session-lasting "$SRV_ADDR" 1
	onnet=$(A 2001:db8:50:1::)
	assert_line "setsc: $onnet"
	sleep 8
	echo two >&5
	echo second >&6
	wait_for 5 said 2
	run cat "$W/chat.log"
	assert_line --regexp '^\[2001:0?db8:0*10:0*:[0-9a-f:]+\] two$'
	wait_for 5 grep -q second "$W/sl.log"
	has_addr $(A 2001:db8:10::)            # Fixed: renewed
	has_addr $(A 2001:db8:50::)            # Session-Lasting in use: renewed
	has_addr $(A 2001:db8:30::)            # the host's Nonpersistent: renewed
	! has_addr "$onnet"                     # unused Session-Lasting: lapsed
	grep -q "released session-lasting $onnet: its lifetime ended" "$W/odmd.log"
	# The kernel never holds one longer than the network gave.
	run host_exec ip -6 addr show dev "$HOST_IF"
	refute_output --regexp 'valid_lft ([6-9]|[1-9][0-9]+)sec'
	exec 5>&- 6>&-
}

@test "odmd: idle grants go back to the network; quotas count live leases" {
	write_conf "offer = {session-lasting}
	hold = 1
	idle = 1
	drain = 1" "max-addresses = 2"
	odmd_start
	run sc -o session-lasting "$SRV_ADDR" 1
	first=$(A 2001:db8:50::)
	assert_line "setsc: $first"
	run sc -o session-lasting "$SRV_ADDR" 1
	assert_line "setsc: $(A 2001:db8:50:1::)"
	run sc -o session-lasting "$SRV_ADDR" 1   # a third: over the quota
	assert_failure 3
	grep -q "holds 2 addresses, its quota" "$W/odmd.log"
	wait_for 8 bash -c "! ip -n $HOST_NS -6 addr show | grep -q 2001:db8:50"
	grep -q "released session-lasting $first: unused" "$W/odmd.log"
	run sc -o session-lasting "$SRV_ADDR" 1   # live leases only
	assert_line "setsc: $(A 2001:db8:50:2::)"
	# One in use is kept, however long.
	chat 7805 session-lasting
	echo x >&5
	wait_for 5 said 1
	sleep 4
	addr=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1].split("]")[0][1:]))' "$(head -1 "$W/chat.log")")
	run lease "$addr" state
	assert_output in-use
	exec 5>&-
}

@test "odmd: a restart keeps owners and lease times, and a release under way" {
	write_conf "offer = {session-lasting, nonpersistent}
	attach = {nonpersistent}
	hold = 1
	idle = 2
	drain = 4"
	odmd_start
	run sc -o session-lasting "$SRV_ADDR" 1
	sl=$(A 2001:db8:50::) np=$(A 2001:db8:30::)
	assert_line "setsc: $sl"
	run lease "$sl" owner
	assert_output 0
	run lease "$np" owner
	assert_output null
	# Unused: it goes draining (engines give it to no new socket) ...
	wait_for 8 lease_is "$sl" state draining
	age=$(lease "$sl" age)
	# ... and odmd dies in the middle.
	odmd_kill
	has_addr "$sl"
	odmd_start
	grep -q "adopted session-lasting $sl (owner and times from the journal)" "$W/odmd.log"
	run lease "$sl" owner
	assert_output 0
	run lease "$sl" age
	[ "$output" -ge "$age" ]
	run lease "$np" current
	assert_output true
	# The release goes on after the restart.
	wait_for 10 no_addr "$sl"
	grep -q "released session-lasting $sl: unused" "$W/odmd.log"
	# A lease the journal has and the kernel lost while odmd was down is
	# put back.
	odmd_stop
	host_exec ip addr del "$np/64" dev "$HOST_IF"
	odmd_start
	wait_for 5 has_addr "$np"
	grep -q "journal: nonpersistent $np is missing from the kernel" "$W/odmd.log"
}

@test "odmd: a requester that gave up gets nothing, the pool does not leak" {
	# An exec backend that takes 1.5 s: the client waits 0.3 s.
	cat >"$W/slow" <<-'EOF'
	#!/bin/sh
	n=0
	while read -r verb id a b; do
		case $verb in
		request) sleep 1.5; echo "granted $id 2001:db8:77:$n::/64 600 600"; n=$((n+1)) ;;
		renew) echo "renewed $id 600 600" ;;
		release) echo "$verb $a" >>"$ODM_HOOK_LOG" ;;
		esac
	done
	EOF
	chmod +x "$W/slow"
	cat >"$CONF" <<-EOF
	agent { socket = "$SOCK" timeout = 300 state = "$W/state" }
	network {
		backend = exec
		exec = "$W/slow"
		exec-env = { "ODM_HOOK_LOG=$W/hook.log" }
		interface = "$HOST_IF"
	}
	EOF
	odmd_start
	for i in 1 2 3; do
		run sc -o session-lasting "$SRV_ADDR" 1
		assert_failure 3
	done
	# Nothing stays configured, every prefix went back to the network.
	wait_for 8 bash -c "[ \"\$(grep -c '^release 2001:db8:77' $W/hook.log)\" = 3 ]"
	run bash -c "ip -n $HOST_NS -6 addr show | grep 2001:db8:77"
	assert_output ""
	grep -q "its requester had gone\|gave up before its grant" "$W/odmd.log"
}
