#!/usr/bin/env bats
# 51-debian.bats: the Debian packages. dpkg-buildpackage builds them from a
# copy of the tree, lintian finds no error in them, and their contents,
# unpacked into a fresh root, work from that layout: the installed odm run
# types a real program (curl against python's http.server), and the unit
# passes systemd-analyze verify.

load ../lib/common

setup_file() {
	local src=$BATS_FILE_TMPDIR/src/odm
	mkdir -p "$src"
	# The tree as git knows it (tracked and new files, nothing ignored).
	(cd "$TOP" && git ls-files -co --exclude-standard -z |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar -cf - --null -T -) | tar -xf - -C "$src"
	(cd "$src" && dpkg-buildpackage -us -uc -b) >"$BATS_FILE_TMPDIR/build.log" 2>&1 ||
		echo failed >"$BATS_FILE_TMPDIR/build.failed"
	ROOT=$BATS_FILE_TMPDIR/root
	mkdir -p "$ROOT"
	for d in "$BATS_FILE_TMPDIR"/src/*.deb; do
		case $d in *-dbgsym_*) continue ;; esac
		dpkg-deb -x "$d" "$ROOT"
	done
}

setup() {
	ROOT=$BATS_FILE_TMPDIR/root
	MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
}

teardown() {
	netns_teardown
}

@test "debian: dpkg-buildpackage -us -uc -b builds libodm1, libodm-dev and odm" {
	if [ -e "$BATS_FILE_TMPDIR/build.failed" ]; then
		tail -40 "$BATS_FILE_TMPDIR/build.log"
		false
	fi
	v=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
	for p in libodm1 libodm-dev odm; do
		[ -e "$BATS_FILE_TMPDIR/src/${p}_${v}_$(dpkg --print-architecture).deb" ]
	done
	run dpkg-deb -c "$BATS_FILE_TMPDIR/src/libodm1_${v}_$(dpkg --print-architecture).deb"
	assert_output --partial "./usr/lib/$MA/libodm.so.1"
	refute_output --partial "odm/libodm.so" # the shim is odm's
}

@test "debian: lintian reports no error in the packages" {
	run lintian --fail-on error "$BATS_FILE_TMPDIR"/src/odm_*.changes
	echo "$output"
	assert_success
	refute_output --regexp "^E: "
}

@test "debian: from the unpacked root, odm run types curl's connection (its shim found in the root's layout)" {
	netns_setup
	conf=$BATS_TEST_TMPDIR/odm.conf
	printf 'prefix "2001:db8:5::/64" { type = session-lasting }\nprefix "2001:db8:f::/64" { type = fixed }\n' >"$conf"
	host_addr_add 2001:db8:5::10/64
	host_addr_add 2001:db8:f::10/64
	printf 'program = "/usr/bin/curl"\ntype = fixed\n' >"$BATS_TEST_TMPDIR/curl.conf"
	srv_exec python3 -m http.server --bind :: 7960 >"$BATS_TEST_TMPDIR/http.log" 2>&1 3>&- &
	for i in $(seq 50); do srv_exec ss -ltn | grep -q ':7960 ' && break; sleep 0.1; done
	run host_exec env -u ODM_LIB ODM_CONF="$conf" "$ROOT/usr/bin/odm" run -v \
		-p "$BATS_TEST_TMPDIR/curl.conf" -- curl -sS -o /dev/null -w '%{local_ip}\n' \
		"http://[$SRV_ADDR]:7960/"
	assert_success
	assert_line "2001:db8:f::10"
	grep -q '^2001:db8:f::10 .*"GET / ' "$BATS_TEST_TMPDIR/http.log"
	run host_exec env -u ODM_LIB "$ROOT/usr/bin/odm" run -- sh -c 'echo "$LD_PRELOAD"'
	assert_output "$ROOT/usr/lib/$MA/odm/libodm.so"
}

@test "debian: the installed odmd.service passes systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	u=$BATS_TEST_TMPDIR/odmd.service
	# Its programs at their path in the unpacked root.
	sed "s|/usr/sbin/odmd|$ROOT/usr/sbin/odmd|g" "$ROOT/lib/systemd/system/odmd.service" >"$u"
	run systemd-analyze verify --man=no "$u"
	echo "$output"
	assert_success
	assert_output ""
	grep -qx "ProtectSystem=strict" "$u"
	grep -qx "RuntimeDirectory=odm" "$u"
	grep -q "^CapabilityBoundingSet=CAP_NET_ADMIN " "$u"
}
