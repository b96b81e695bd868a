#!/usr/bin/env bats
# 30-tools.bats: odm check and odm explain against real files and a real
# host (explain reads the kernel's addresses in the test namespace).

load ../lib/common

setup() {
	netns_setup
	CONF=$BATS_TEST_TMPDIR/odm.conf
	POL=$BATS_TEST_TMPDIR/policy.d
	mkdir -m 0755 "$POL"
	cat >"$CONF" <<-EOF
	prefix "2001:db8:f::/64" { type = fixed }
	prefix "2001:db8:5::/64" { type = session-lasting }
	EOF
	host_addr_add 2001:db8:f::10/64
	host_addr_add 2001:db8:5::10/64
	host_addr_add 2001:db8:5::20/64 preferred_lft 0 valid_lft 600
	printf 'program = "/usr/bin/curl"\ntype = session-lasting\nrule office { destination = "2001:db8:cafe::/48" type = fixed }\nrule v6dns { protocol = udp port = 53 type = nonpersistent }\n' >"$POL/curl.conf"
	printf 'name = "curl"\ntype = fixed\n' >"$POL/zz-curl-glob.conf"
	chmod 0644 "$POL"/*.conf
}

teardown() {
	netns_teardown
}

odm() { host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$POL" "$TOP/tools/odm" "$@"; }

@test "odm check: ok files, overlap and undeclared-type warnings, exit 0" {
	run odm check
	assert_success
	assert_line "ok $POL/curl.conf"
	assert_output --partial "warning:"
	assert_output --partial "zz-curl-glob.conf"
	assert_output --partial "nonpersistent" # declared nowhere
}

@test "odm check: a broken file is one FILE:LINE: line and exit 1" {
	printf 'name = "x"\nrule a {\n  port = 0\n  type = fixed\n}\n' >"$POL/bad.conf"
	run odm check
	assert_failure 1
	assert_line --partial "$POL/bad.conf:3:"
	run odm check "$POL/curl.conf"
	assert_success
}

@test "odm explain: a rule by destination, its type and the address it binds" {
	run odm explain --program /usr/bin/curl 2001:db8:cafe::1 443 tcp
	assert_success
	assert_output --partial "$POL/curl.conf (matched by program path)"
	assert_output --partial "office (line 3)"
	assert_output --regexp "type +fixed"
	assert_output --partial "2001:db8:f::10"
}

@test "odm explain: the oldest usable address, and why another is not" {
	run odm explain --program /usr/bin/curl 2001:db8:e::1 80
	assert_success
	assert_output --partial "default"
	assert_output --partial "2001:db8:5::10"
	assert_output --partial "deprecated"
}

@test "odm explain: no policy, and never-typed destinations" {
	run odm explain --program /usr/bin/wget 2001:db8:e::1 80
	assert_success
	assert_output --partial "no policy"
	run odm explain --program /usr/bin/curl ::1 80
	assert_output --partial "never typed"
}

@test "odm run -p FILE: that file governs the program" {
	printf 'name = "nothing-matches"\ntype = fixed\n' >"$BATS_TEST_TMPDIR/one.conf"
	srv_start tcp 7800 1
	run host_exec env ODM_CONF="$CONF" "$TOP/tools/odm" run -v -p "$BATS_TEST_TMPDIR/one.conf" -- \
		socat -T3 - "TCP6:[$SRV_ADDR]:7800" <<<"hi"
	assert_output --partial "-> fixed 2001:db8:f::10"
	srv_wait
	run srv_peers
	assert_output "2001:db8:f::10"
	printf 'name = "x"\ntype = sometimes\n' >"$BATS_TEST_TMPDIR/bad.conf"
	run "$TOP/tools/odm" run -p "$BATS_TEST_TMPDIR/bad.conf" -- /bin/true
	assert_failure
	assert_output --partial "bad.conf:2:"
}
