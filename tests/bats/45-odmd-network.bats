#!/usr/bin/env bats
# 45-odmd-network.bats: odmd and its networks: a type whose prefixes live on
# a second link leaves by that link (source routing, proved at the far
# end: the server says which link each datagram came in by), and the exec
# backend as a co-process that renews, takes back, withdraws, moves, and
# is started again when it dies.

load ../lib/common
load ../lib/odmd

PY=/usr/bin/python3
HELPERS=$BATS_TEST_DIRNAME/../helpers

setup() {
	netns_setup
	odmd_setup
}

teardown() {
	local rc=0
	odmd_teardown || rc=1
	netns_teardown
	return $rc
}

# send_typed TYPE PORT: one datagram from socat under libodm, of TYPE
send_typed() {
	printf 'name = "socat"\ntype = %s\n' "$1" >"$W/p-$1.conf"
	echo "hello $1" | host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$W/p-$1.conf" \
		LD_PRELOAD="$LIB" socat -T1 - "UDP6:[$SRV_ADDR]:$2" >/dev/null
}

@test "odmd: a type on a link of its own leaves by that link" {
	ip link add odm1 netns "$HOST_NS" type veth peer name srv1 netns "$SRV_NS"
	ip -n "$HOST_NS" link set odm1 up
	ip -n "$SRV_NS" link set srv1 up
	ip -n "$SRV_NS" addr add fe80::1/64 dev srv1 nodad
	ip -n "$SRV_NS" -6 route add 2001:db8:70::/48 dev srv1
	write_conf "offer = {session-lasting, nonpersistent}
	attach = {session-lasting, nonpersistent}
	link \"odm1\" { table = 201 gateway = \"fe80::1\" }
	pool \"2001:db8:70::/56\" { type = session-lasting interface = \"odm1\" }"
	odmd_start
	has_addr $(A 2001:db8:70::) odm1
	has_addr $(A 2001:db8:30::) odm0
	run host_exec ip -6 rule show
	assert_output --partial "from 2001:db8:70::/64 lookup 201"
	run host_exec ip -6 route show table 201
	assert_output --partial "default via fe80::1 dev odm1"
	srv_exec "$PY" "$HELPERS/ingress_peer.py" 7950 2 >"$W/ingress.out" 2>"$W/ingress.err" &
	wait_for 5 grep -q ready "$W/ingress.err"
	send_typed session-lasting 7950
	send_typed nonpersistent 7950
	wait_for 5 bash -c "[ \$(wc -l <$W/ingress.out) -ge 2 ]"
	run cat "$W/ingress.out"
	assert_line "peer $(A 2001:db8:70::) via srv1"
	assert_line "peer $(A 2001:db8:30::) via srv0"
	# A link flap on the second link: its address and route come back.
	host_exec ip link set odm1 down
	host_exec ip link set odm1 up
	wait_for 5 has_addr $(A 2001:db8:70::) odm1
	wait_for 5 bash -c "ip -n $HOST_NS -6 route show table 201 | grep -q 'default via fe80::1 dev odm1'"
	# Released, its rule goes with it.
	a70=$(A 2001:db8:70::)
	run odm release "$a70"
	assert_success
	wait_for 5 no_addr "$a70" odm1
	run host_exec ip -6 rule show
	refute_output --partial "2001:db8:70::"
}

@test "odmd: the exec co-process renews, takes back, withdraws and moves" {
	mkfifo "$W/events"
	cat >"$CONF" <<-EOF
	agent { socket = "$SOCK" timeout = 3000 state = "$W/state" }
	network {
		backend = exec
		exec = "$TOP/tools/odmd/hooks/example"
		exec-env = { "ODM_HOOK_STATE=$W/hook.count", "ODM_HOOK_LOG=$W/hook.log",
			     "ODM_HOOK_EVENTS=$W/events", "ODM_HOOK_VALID=4" }
		interface = "$HOST_IF"
		attach = {nonpersistent}
		hold = 1
		idle = 1
		drain = 1
	}
	EOF
	odmd_start
	wait_for 5 has_addr $(A 2001:db8:78::)
	# Lifetimes of 4 s, renewed at half of them: still there after 6 s.
	sleep 6
	has_addr $(A 2001:db8:78::)
	grep -q "^renew [0-9]* 2001:db8:78::/64 nonpersistent" "$W/hook.log"
	run host_exec ip -6 addr show dev "$HOST_IF"
	assert_output --regexp "valid_lft [1-4]sec"
	# A fresh prefix nobody uses goes back to the network.
	run sc -o session-lasting "$SRV_ADDR" 1
	a77=$(A 2001:db8:77:1::)
	assert_line "setsc: $a77"
	wait_for 8 grep -q "^release [0-9]* 2001:db8:77:1::/64 session-lasting" "$W/hook.log"
	no_addr "$a77"
	# The network withdraws a prefix: gone at once.
	a78=$(A 2001:db8:78::)
	echo "withdraw 2001:db8:78::/64" >"$W/events"
	wait_for 5 no_addr "$a78"
	grep -q "released nonpersistent $a78: withdrawn by the network" "$W/odmd.log"
	run sc nonpersistent "$SRV_ADDR" 1
	a782=$(A 2001:db8:78:2::)
	assert_line "setsc: $a782"
	# The network says the host moved: Nonpersistent goes, a new one comes.
	echo "move" >"$W/events"
	wait_for 5 bash -c "[ -n \"\$(ip -n $HOST_NS -6 addr show | grep 'inet6 2001:db8:78:3:')\" ]"
	no_addr "$a782"
	# The co-process dies: odmd starts it again and goes on.
	pkill -f "hooks/example serve"
	wait_for 8 bash -c "[ \$(grep -c 'exec backend .* started' $W/odmd.log) -ge 2 ]"
	grep -q "adopt [0-9]* 2001:db8:78:3::/64 nonpersistent" "$W/hook.log"
	run sc -o session-lasting "$SRV_ADDR" 1
	assert_line "setsc: $(A 2001:db8:77:4::)"
}
