#!/usr/bin/env bats
# 46-bpf.bats: the cgroup BPF path, checked at the far end: programs that
# LD_PRELOAD cannot reach (busybox-static's wget, a Go program from Debian,
# glibc's own DNS sockets, an io_uring connect) get their policy's types in
# the kernel; a premium address is refused to a user not granted it; a
# program no policy names is left alone; without BPF, odm run says so.
# odmd runs in the host's mount namespace (nsenter: ip netns exec would
# give it a /sys of its own), its pins under a BPF file system in /run.

load ../lib/common
load ../lib/odmd

setup_file() {
	mkdir -p /run/odm-bpf-test
}

setup() {
	netns_setup
	odmd_setup
	BPFDIR=/run/odm-bpf-test/t$$-$BATS_TEST_NUMBER
	write_conf "offer = {session-lasting, nonpersistent, fixed}
	attach = {session-lasting, nonpersistent, fixed}" \
		'user "root" { types = {fixed} }' "bpf = \"$BPFDIR\""
	POL=$W/policy.d
	mkdir -m 0755 "$POL"
	ODMD_NSENTER=1
}

teardown() {
	local rc=0
	[ -n "${SVC_CG:-}" ] && rmdir "$SVC_CG" 2>/dev/null
	odmd_teardown || rc=1
	rm -rf "/etc/netns/$HOST_NS"
	netns_teardown
	return $rc
}

policy() {
	printf '%s\n' "$2" >"$POL/$1.conf"
	chmod 0644 "$POL/$1.conf"
}

# odmd_start, and a skip when this kernel (or container) refuses BPF: odmd
# then runs without the path, as it does on such a host.
odmd_start_bpf() {
	odmd_start
	grep -q "BPF path: programs and maps under" "$W/odmd.log" ||
		skip "no BPF path here: $(grep -m1 'BPF path' "$W/odmd.log")"
	SL=$(A 2001:db8:50::) NP=$(A 2001:db8:30::) FIX=$(A 2001:db8:10::)
	[ -n "$SL" ] && [ -n "$NP" ] && [ -n "$FIX" ]
}

run_odm() {
	host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" "$TOP/tools/odm" run "$@"
}


@test "bpf: busybox-static wget gets its type in the kernel" {
	odmd_start_bpf
	policy bb 'name = "busybox"
type = session-lasting'
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 1
	run run_odm -- busybox wget -q -O- "http://[$SRV_ADDR]:8080/"
	assert_success
	assert_output --partial "a static program: cgroup mode"
	assert_output --partial "you are $SL"
	srv_wait
	run srv_peers
	assert_output "$SL"
}

@test "bpf: a Go program from Debian (hey) gets its type" {
	odmd_start_bpf
	policy hey 'name = "hey"
type = nonpersistent'
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 1
	run run_odm -- hey -n 1 -c 1 "http://[$SRV_ADDR]:8080/"
	assert_success
	assert_output --partial "a Go program: cgroup mode"
	assert_output --partial "[200]	1 responses"
	srv_wait
	run srv_peers
	assert_output "$NP"
}

@test "bpf: curl's DNS query, from glibc's own socket, gets its rule dns type" {
	odmd_start_bpf
	mkdir -p "/etc/netns/$HOST_NS"
	echo "nameserver $SRV_ADDR" >"/etc/netns/$HOST_NS/resolv.conf"
	srv_exec dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$SRV_ADDR" --address="/odm.test/$SRV_ADDR" \
		--log-queries --log-facility=- >"$W/dns.log" 2>&1 3>&- &
	policy curl 'name = "curl"
type = session-lasting
rule dns { protocol = udp port = 53 type = nonpersistent }'
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 1
	run run_odm --cgroup -- curl -s "http://odm.test:8080/"
	assert_success
	assert_output --partial "you are $SL" # the shim's
	run grep -c "query\[AAAA\] odm.test from $NP" "$W/dns.log"
	assert_output 1 # the kernel's
	refute_output --partial "from $HOST_LEGACY_ADDR"
}

@test "bpf: an io_uring connect, which no hook sees, gets its type" {
	odmd_start_bpf
	policy u 'name = "uring_connect"
type = fixed'
	srv_start tcp 7500 2
	run run_odm -- "$BUILD/helpers/uring_connect" "$SRV_ADDR" 7500
	assert_output "echo hi" # LD_PRELOAD alone: the kernel's choice
	run run_odm --cgroup -- "$BUILD/helpers/uring_connect" "$SRV_ADDR" 7500
	assert_output --partial "echo hi"
	srv_wait
	run srv_peers
	assert_output "$HOST_LEGACY_ADDR
$FIX"
}

@test "bpf: a premium address the host holds is refused to a user not granted it" {
	odmd_start_bpf
	has_addr "$FIX"
	bind_as() { # USER ADDR
		host_exec setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups \
			/usr/bin/python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
try:
    s.bind(('$2', 0)); print('bound')
except OSError as e:
    print('errno', e.errno)"
	}
	run bind_as nobody "$FIX"
	assert_output "errno 13" # EACCES
	run bind_as nobody "$SL"
	assert_output "bound"
	run bind_as root "$FIX"
	assert_output "bound"
	# The kernel counted the refusal.
	run bpftool map dump pinned "$BPFDIR/odm_count"
	assert_success
}

@test "bpf: a program no policy names is left alone, in a cgroup or not" {
	odmd_start_bpf
	policy other 'name = "wget"
type = fixed'
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 2
	run run_odm -- busybox wget -q -O- "http://[$SRV_ADDR]:8080/"
	assert_output --partial "you are $HOST_LEGACY_ADDR"
	refute_output --partial "cgroup mode"
	run run_odm --cgroup -- curl -s "http://[$SRV_ADDR]:8080/"
	assert_output --partial "you are $HOST_LEGACY_ADDR"
	srv_wait
}

@test "bpf: without the BPF path, odm run says so in one line and the program runs" {
	write_conf "offer = {session-lasting}
	attach = {session-lasting}" "" 'bpf = ""'
	odmd_start
	policy bb 'name = "busybox"
type = session-lasting'
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 2
	run run_odm -- busybox wget -q -O- "http://[$SRV_ADDR]:8080/"
	assert_output --partial "no BPF path here (agent.bpf is off in odm.conf); its sockets stay untyped"
	assert_output --partial "you are $HOST_LEGACY_ADDR"
	[ "$(grep -c "odm run" <<<"$output")" -eq 1 ]
	# A user other than root: the files where it may read them.
	PUB=$(mktemp -d /tmp/odm-pub.XXXXXX)
	chmod 0755 "$PUB"
	cp "$CONF" "$POL/bb.conf" "$PUB/"
	chmod 0644 "$PUB"/*.conf
	run host_exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env ODM_CONF="$PUB/odm.conf" ODM_POLICY_FILE="$PUB/bb.conf" \
		"$TOP/tools/odm" run -- busybox wget -q -O- "http://[$SRV_ADDR]:8080/"
	assert_output --partial "no BPF path here (it needs root)"
	assert_output --partial "you are $HOST_LEGACY_ADDR"
	srv_wait
}

@test "bpf: address = per-process gives the cgroup an address of its own" {
	odmd_start_bpf
	policy bb 'name = "busybox"
type = session-lasting
address = per-process'
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 2
	run run_odm -- busybox sh -c "busybox wget -q -O- http://[$SRV_ADDR]:8080/; busybox wget -q -O- http://[$SRV_ADDR]:8080/"
	assert_success
	srv_wait
	run srv_peers
	[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ] # one address for both
	[ "$(head -1 <<<"$output")" != "$SL" ]       # not the shared one
	python3 -c 'import ipaddress, sys; assert ipaddress.ip_address(sys.argv[1]) in ipaddress.ip_network("2001:db8:50::/64")' "$(head -1 <<<"$output")"
}

# svc CMD...: CMD in the host's network namespace and in the cgroup
# $SVC_CG, as systemd starts a service's commands in the unit's cgroup
# (nsenter, not ip netns exec: the same /sys/fs/cgroup as odm reads).
svc() {
	bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec nsenter --net="/run/netns/$HOST_NS" "$@"' \
		svc "$SVC_CG" env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" "$@"
}

@test "bpf: odm cgroup types the cgroup it runs in (a service's ExecStartPre=+ of odm enable --cgroup); --detach undoes it" {
	odmd_start_bpf
	policy bb 'name = "busybox"
type = session-lasting'
	cgroot=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[ -n "$cgroot" ] || skip "no cgroup2 hierarchy in this mount namespace"
	SVC_CG=$cgroot/odm-test-svc-$$-$BATS_TEST_NUMBER
	mkdir "$SVC_CG"
	run svc "$TOP/tools/odm" cgroup /bin/busybox
	assert_success
	assert_output --partial "$SVC_CG: typed by the BPF path (the policy of $(realpath /bin/busybox))"
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 1
	run svc busybox wget -q -O- "http://[$SRV_ADDR]:8080/"
	assert_output --partial "you are $SL"
	srv_wait
	run srv_peers
	assert_output "$SL"
	run svc "$TOP/tools/odm" cgroup --detach
	assert_success
	assert_output "$SVC_CG: detached"
	PEER_SERVER=$TOP/tests/helpers/http_peer.py srv_start 8080 1
	run svc busybox wget -q -O- "http://[$SRV_ADDR]:8080/"
	assert_success
	refute_output --partial "you are $SL"
	srv_wait
	# A program no policy names: a clear message, and a failure the unit's
	# "-" prefix lets pass.
	run svc "$TOP/tools/odm" cgroup /bin/true
	assert_failure 1
	assert_output --partial "no policy names $(realpath /bin/true)"
}
