#!/usr/bin/env bats
# 00-infra.bats: self-test of the test network (tests/lib/netns.bash) and of
# peer_server, before any test relies on them.

load ../lib/common

setup() {
	netns_setup
}

teardown() {
	netns_teardown
}

# assert_dead PID: the process is gone or a zombie waiting for its parent.
assert_dead() {
	local st
	st=$(ps -o stat= -p "$1") || return 0
	[[ $st == Z* ]] || fail "process $1 still runs ($st)"
}

@test "infra: TCP round trip host -> server, server sees the legacy address" {
	srv_start tcp 7001 1
	run host_exec socat -T 5 - "TCP6:[$SRV_ADDR]:7001" <<<"hello"
	assert_success
	assert_output "echo hello"
	srv_wait
	run srv_peers
	assert_output "$HOST_LEGACY_ADDR"
}

@test "infra: UDP round trip host -> server" {
	srv_start udp 7002 1
	run host_exec socat -T 5 - "UDP6:[$SRV_ADDR]:7002" <<<"ping"
	assert_success
	assert_output "echo ping"
	srv_wait
	run srv_peers
	assert_output "$HOST_LEGACY_ADDR"
}

@test "infra: a typed prefix added on the host is routed back from the server" {
	host_addr_add 2001:db8:1::10/64
	host_addr_add 2001:db8:3::10/64 preferred_lft 0 valid_lft 60
	srv_start tcp 7003 2
	run host_exec socat -T 5 - "TCP6:[$SRV_ADDR]:7003,bind=[2001:db8:1::10]" <<<"a"
	assert_output "echo a"
	run host_exec socat -T 5 - "TCP6:[$SRV_ADDR]:7003,bind=[2001:db8:3::10]" <<<"b"
	assert_output "echo b"
	srv_wait
	run srv_peers
	assert_output "2001:db8:1::10
2001:db8:3::10"
	host_addr_del 2001:db8:1::10/64
	run host_exec ip -6 -o addr show dev "$HOST_IF"
	refute_output --partial 2001:db8:1::10
	assert_output --partial 2001:db8:3::10
}

@test "infra: the hosts are isolated from the root namespace" {
	run host_exec ip -o link show
	assert_success
	assert_equal "$(wc -l <<<"$output")" 2
	assert_output --partial "$HOST_IF"
	run srv_exec ip -o link show
	assert_equal "$(wc -l <<<"$output")" 2
	assert_output --partial "$SRV_IF"
	run ip -6 -o addr show
	refute_output --partial "$HOST_LEGACY_ADDR"
}

@test "infra: peer_server gives up after its timeout" {
	srv_start tcp 7004 1 1
	run srv_wait
	assert_failure 1
	run cat "$BATS_TEST_TMPDIR/peer.err"
	assert_output --partial timeout
}

@test "infra: netns_teardown kills what runs inside and removes the namespaces" {
	ip netns exec "$HOST_NS" sleep 300 3>&- &
	local pid=$!
	srv_start tcp 7005 1 30
	netns_teardown
	netns_teardown # idempotent
	run ip netns list
	refute_output --partial "$HOST_NS"
	refute_output --partial "$SRV_NS"
	assert_dead "$pid"
	assert_dead "$SRV_PID"
}

@test "infra: netns_reap_stale removes namespaces of dead runs only" {
	true &
	local dead=$!
	wait "$dead"
	ip netns add "odmH-$dead-99"
	netns_reap_stale
	run ip netns list
	refute_output --partial "odmH-$dead-99"
	assert_output --partial "$HOST_NS"
	assert_output --partial "$SRV_NS"
}

@test "infra: a typed address works without the legacy address" {
	host_addr_add 2001:db8:2::20/64
	host_addr_del "$HOST_LEGACY_ADDR/64"
	srv_start udp 7006 1
	run host_exec socat -T 5 - "UDP6:[$SRV_ADDR]:7006" <<<"x"
	assert_output "echo x"
	srv_wait
	run srv_peers
	assert_output 2001:db8:2::20
}
