#!/usr/bin/env bats
# 10-setsc.bats: the setsc() engine against the real kernel. The host gets
# addresses from typed prefixes (odm.conf), runs the draft-16 section 4.1
# example (examples/sc_connect.c, linked with -lodm), and the server says
# which source address the connection came from.

load ../lib/common

SL=2001:db8:5::10
FIX=2001:db8:f::10

setup() {
	netns_setup
	CONF=$BATS_TEST_TMPDIR/odm.conf
	cat >"$CONF" <<-EOF
	# typed prefixes of this test host
	prefix "2001:db8:f::/64" { type = fixed }
	prefix "2001:db8:5::/64" { type = session-lasting }
	prefix "2001:db8:9::/64" { type = graceful-replacement }
	EOF
	host_addr_add "$FIX/64"
	host_addr_add "$SL/64"
}

teardown() {
	netns_teardown
}

# sc TYPE [-o]: the section 4.1 example on the host, to the server's port 7100
sc() {
	local pre=()
	[ "$1" = -o ] && pre=(LD_PRELOAD="$LIB") # the flag takes the shim's hook
	host_exec env ODM_CONF="$CONF" "${pre[@]}" "$BUILD/examples/sc_connect" \
		"$@" "$SRV_ADDR" 7100
}

@test "setsc: section 4.1 example connects from the Session-Lasting address" {
	srv_start tcp 7100 1
	run sc session-lasting
	assert_success
	assert_line "setsc: $SL"
	assert_line "server: echo hello from $SL"
	srv_wait
	run srv_peers
	assert_output "$SL"
}

@test "setsc: each type gets its own prefix; the legacy source is different" {
	srv_start tcp 7100 2
	run sc fixed
	assert_success
	run sc session-lasting
	assert_success
	srv_wait
	run srv_peers
	assert_output "$FIX
$SL"
	# Without setsc() the kernel picks the untyped address on the link.
	srv_start tcp 7100 1
	run host_exec socat -T 5 - "TCP6:[$SRV_ADDR]:7100" <<<"legacy"
	srv_wait
	run srv_peers
	assert_output "$HOST_LEGACY_ADDR"
}

@test "setsc: a type the host lacks returns EAI_REQUIREDIPNOTSUPPORTED" {
	run sc nonpersistent
	assert_failure 2
	assert_line "setsc: EAI_REQUIREDIPNOTSUPPORTED"
}

@test "setsc: a declared type with no address returns EAI_REQUIREDIPFAILED" {
	run sc graceful-replacement
	assert_failure 3
	assert_line "setsc: EAI_REQUIREDIPFAILED"
}

@test "setsc: a removed address is noticed" {
	run sc session-lasting
	assert_line "setsc: $SL"
	host_addr_del "$SL/64"
	run sc session-lasting
	assert_failure 3
	assert_line "setsc: EAI_REQUIREDIPFAILED"
}

@test "setsc: a deprecated address is not handed out; a fresh one is" {
	host_exec ip -6 addr change "$SL/64" dev "$HOST_IF" preferred_lft 0 valid_lft 600
	run sc session-lasting
	assert_failure 3
	assert_line "setsc: EAI_REQUIREDIPFAILED"
	host_addr_add "2001:db8:5::20/64"
	srv_start tcp 7100 1
	run sc session-lasting
	assert_success
	assert_line "setsc: 2001:db8:5::20"
	srv_wait
	run srv_peers
	assert_output "2001:db8:5::20"
}

@test "setsc: a tentative address (DAD running) is not handed out" {
	host_exec sysctl -qw "net.ipv6.conf.$HOST_IF.accept_dad=1"
	host_exec sysctl -qw "net.ipv6.conf.$HOST_IF.dad_transmits=50"
	host_exec ip -6 addr add 2001:db8:9::1/64 dev "$HOST_IF"
	run sc graceful-replacement
	assert_failure 3
}

@test "setsc: Graceful-Replacement gets the newest address" {
	host_addr_add 2001:db8:9::1/64
	sleep 0.05 # creation stamps count hundredths of a second
	host_addr_add 2001:db8:9::2/64
	run sc graceful-replacement
	assert_line "setsc: 2001:db8:9::2"
}

@test "setsc: IPV6_REQUIRE_SRC_ON_NET needs a fresh prefix, so it fails without an agent" {
	run sc -o session-lasting
	assert_failure 3
	assert_line "setsc: EAI_REQUIREDIPFAILED"
}

@test "setsc: libodm.so.1 exports only setsc and odm_strerror (ODM_1); under the shim the shim's setsc answers" {
	run nm -D --defined-only "$BUILD/lib/libodm.so.1"
	assert_success
	[ "$(awk '{ print $3 }' <<<"$output" | sort | tr '\n' ' ')" = "ODM_1 odm_strerror@@ODM_1 setsc@@ODM_1 " ]
	run readelf -d "$BUILD/examples/sc_connect"
	assert_output --partial "Shared library: [libodm.so.1]"
	run host_exec env ODM_CONF="$CONF" LD_PRELOAD="$LIB" LD_DEBUG=bindings \
		"$BUILD/examples/sc_connect" session-lasting "$SRV_ADDR" 7101
	assert_output --regexp "to $LIB \[0\]: normal symbol \`setsc' \[ODM_1\]"
	refute_output --partial "libodm.so.1 [0]: normal symbol \`setsc'"
}

@test "setsc: reserved types and bad sockets are argument errors, not statuses" {
	run sc 0
	assert_failure 4
	run sc 5
	assert_failure 4
	run sc 7
	assert_failure 4
	assert_line "setsc: error"
}

@test "setsc: a broken host config is one clear error naming file and line, no crash" {
	cat >"$CONF" <<-EOF
	prefix "2001:db8:5::/64" { type = session-lasting }
	prefix "2001:db8:f::/64" { type = sesion-lasting }
	EOF
	run sc session-lasting
	assert_failure 2
	assert_output --partial "setsc: EAI_REQUIREDIPNOTSUPPORTED"
	assert_output --partial "$CONF:2:"
	assert_output --partial "sesion-lasting"
	[ "$(grep -c "$CONF" <<<"$output")" -eq 1 ]
}

@test "setsc: a missing host config means no types, quietly" {
	CONF=$BATS_TEST_TMPDIR/none.conf
	run sc session-lasting
	assert_failure 2
	assert_line "setsc: EAI_REQUIREDIPNOTSUPPORTED"
	refute_output --partial "libodm:"
}

@test "setsc: argument errors set the documented errno; success keeps errno" {
	run host_exec env ODM_CONF="$CONF" "$BUILD/aware/setsc_args"
	assert_success
	refute_output --partial "not ok"
}

@test "setsc: 8 threads at once while the address set changes" {
	host_exec env ODM_CONF="$CONF" "$BUILD/aware/setsc_threads" 8 300 \
		"$SL" 2001:db8:5::20 >"$BATS_TEST_TMPDIR/threads.out" 2>&1 3>&- &
	local pid=$!
	for _ in 1 2 3 4 5; do
		host_addr_add 2001:db8:5::20/64
		host_addr_del 2001:db8:5::20/64
	done
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/threads.out"
	assert_output --partial ": 0 bad answers"
}
