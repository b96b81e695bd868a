#!/usr/bin/env bats
# 25-fds.bats: sockets moved between fds, processes and program images
# keep their state: dup2, close_range and reused numbers, fork, exec,
# F_DUPFD_CLOEXEC, posix_spawn, and 8 threads churning sockets. The
# programs are plain C (tests/helpers/fd_cases.c, fd_churn.c) run under
# LD_PRELOAD; the server says which source address arrived.

load ../lib/common

SL=2001:db8:5::10

setup() {
	netns_setup
	CONF=$BATS_TEST_TMPDIR/odm.conf
	POL=$BATS_TEST_TMPDIR/p.conf
	echo 'prefix "2001:db8:5::/64" { type = session-lasting }' >"$CONF"
	printf 'name = "fd_*"\ntype = session-lasting\n' >"$POL"
	host_addr_add "$SL/64"
}

teardown() {
	netns_teardown
}

under() {
	host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$POL" LD_PRELOAD="$LIB" "$@"
}

# case NAME: fd_cases NAME against a fresh server; the source it saw.
fd_case() {
	srv_start tcp 7300 1
	run under "$BUILD/helpers/fd_cases" "$1" "$SRV_ADDR" 7300
	assert_success
	assert_output "echo hi"
	srv_wait
	run srv_peers
	assert_output "$SL"
}

@test "dup2: the copy of a socket connects typed after the original is closed" {
	fd_case dup2
}

@test "fcntl F_DUPFD_CLOEXEC: the copy connects typed" {
	fd_case cloexec
}

@test "close_range: a new socket at a reused number starts clean and is typed" {
	fd_case reuse
}

@test "fork: the child connects a socket the parent made, typed" {
	fd_case fork
}

@test "exec: a socket bound to [::]:0 before execve is typed by the new image" {
	fd_case exec
}

@test "posix_spawn: the spawned program is governed too" {
	fd_case spawn
}

@test "8 threads churning sockets: every connection from the typed address" {
	srv_exec python3 "$TOP/tests/helpers/accept_close.py" 7400 \
		"$BATS_TEST_TMPDIR/ready" 800 20 3>&- &
	for _ in $(seq 100); do [ -e "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.05; done
	run under "$BUILD/helpers/fd_churn" 8 100 "$SRV_ADDR" 7400 "$SL"
	assert_success
	assert_output "8 threads x 100 connections: 0 from another source, 0 failed"
	wait
}

@test "without the preload the same cases come from the legacy address" {
	srv_start tcp 7300 1
	run host_exec "$BUILD/helpers/fd_cases" exec "$SRV_ADDR" 7300
	assert_success
	srv_wait
	run srv_peers
	assert_output "$HOST_LEGACY_ADDR"
}
