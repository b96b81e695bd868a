#!/usr/bin/env bats
# 50-install.bats: the Makefile as a packager and an operator use it:
# build variables honoured, make install into a scratch root, the
# installed odm run finding its shim from that layout and typing a real
# program, pkg-config and -lodm against the installed library, and make
# uninstall leaving nothing behind.

load ../lib/common

setup() {
	D=$BATS_TEST_TMPDIR/root
}

teardown() {
	netns_teardown # the tests that made one
}

# inst [VAR=VALUE...]: make install into $D (quietly; the output on failure).
inst() {
	run make -C "$TOP" install DESTDIR="$D" "$@"
	assert_success
}

@test "install: make honours CFLAGS, CPPFLAGS and LDFLAGS, and WERROR=0 drops -Werror" {
	run make -C "$TOP" -n -B WERROR=0 CFLAGS="-O1 -gline-tables-only" \
		CPPFLAGS="-D_FORTIFY_SOURCE=2 -DODM_CPP_CHECK" LDFLAGS="-Wl,-z,now" \
		preload/libodm.so
	assert_success
	assert_output --partial "-D_FORTIFY_SOURCE=2 -DODM_CPP_CHECK -O1 -gline-tables-only"
	assert_output --partial "-Wl,-z,now"
	refute_output --partial "-Werror "
	# The flags the code needs stay, whatever CFLAGS says.
	assert_output --partial "-fvisibility=hidden"
	run make -C "$TOP" -n -B WERROR=1 preload/libodm.so
	assert_output --partial "-Werror "
}

@test "install: make install puts every file where PREFIX and LIBDIR say; make uninstall takes them all back" {
	inst PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu UNITDIR=/lib/systemd/system
	for f in usr/bin/odm usr/sbin/odmd usr/lib/x86_64-linux-gnu/odm/libodm.so \
		usr/lib/x86_64-linux-gnu/libodm.so.1 usr/lib/x86_64-linux-gnu/libodm.so \
		usr/lib/x86_64-linux-gnu/pkgconfig/libodm.pc usr/include/odm.h \
		lib/systemd/system/odmd.service etc/odm/odm.conf etc/odm/policy.d/README \
		usr/share/man/man3/odm_strerror.3 usr/share/man/man1/odm.1 \
		usr/share/bash-completion/completions/odm; do
		[ -e "$D/$f" ] || { echo "missing $f"; false; }
	done
	grep -qx "ExecStart=/usr/sbin/odmd -f" "$D/lib/systemd/system/odmd.service"
	grep -qx "libdir=/usr/lib/x86_64-linux-gnu" "$D/usr/lib/x86_64-linux-gnu/pkgconfig/libodm.pc"
	run readelf -d "$D/usr/lib/x86_64-linux-gnu/libodm.so.1"
	assert_output --partial "Library soname: [libodm.so.1]"
	# An operator's own config is never replaced, nor removed.
	echo '# mine' >>"$D/etc/odm/odm.conf"
	inst PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu UNITDIR=/lib/systemd/system
	grep -q '# mine' "$D/etc/odm/odm.conf"
	run make -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr \
		LIBDIR=/usr/lib/x86_64-linux-gnu UNITDIR=/lib/systemd/system
	assert_success
	assert_output --partial "kept $D/etc/odm/odm.conf (changed)"
	rm "$D/etc/odm/odm.conf"
	run make -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr \
		LIBDIR=/usr/lib/x86_64-linux-gnu UNITDIR=/lib/systemd/system
	run find "$D" -not -type d
	assert_output ""
	[ ! -e "$D/usr/lib/x86_64-linux-gnu/odm" ] && [ ! -e "$D/etc/odm" ]
}

@test "install: --version everywhere, the version of debian/changelog; odmd -h exits 0" {
	inst
	v=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
	[ -n "$v" ]
	run "$D/usr/local/bin/odm" --version
	assert_success
	assert_output "odm $v"
	run "$D/usr/local/sbin/odmd" --version
	assert_output "odmd $v"
	run "$D/usr/local/sbin/odmd" -h
	assert_success
	assert_output --partial "usage: odmd"
	run pkg-config --modversion "$D/usr/local/lib/pkgconfig/libodm.pc"
	assert_output "$v"
}

@test "install: the installed odm run finds its shim under any prefix and types a real program" {
	netns_setup
	inst PREFIX=/opt/odm-test
	conf=$BATS_TEST_TMPDIR/odm.conf
	printf 'prefix "2001:db8:5::/64" { type = session-lasting }\n' >"$conf"
	host_addr_add 2001:db8:5::10/64
	printf 'name = "socat"\ntype = session-lasting\n' >"$BATS_TEST_TMPDIR/socat.conf"
	srv_start tcp 7950 1
	run host_exec env -u ODM_LIB ODM_CONF="$conf" "$D/opt/odm-test/bin/odm" run -v \
		-p "$BATS_TEST_TMPDIR/socat.conf" -- socat -T3 - "TCP6:[$SRV_ADDR]:7950" <<<"hi"
	assert_output --partial "-> session-lasting 2001:db8:5::10"
	srv_wait
	run srv_peers
	assert_output "2001:db8:5::10"
	run host_exec env -u ODM_LIB "$D/opt/odm-test/bin/odm" run -- sh -c 'echo "$LD_PRELOAD"'
	assert_output "$D/opt/odm-test/lib/odm/libodm.so"
}

@test "install: a program built with pkg-config's flags links libodm.so.1 and gets its type" {
	netns_setup
	inst PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu
	export PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$D/usr/lib/x86_64-linux-gnu/pkgconfig
	run pkg-config --cflags --libs libodm
	assert_output --regexp "^-I$D/usr/include -L$D/usr/lib/x86_64-linux-gnu -lodm *$"
	# shellcheck disable=SC2046
	cc -o "$BATS_TEST_TMPDIR/sc" "$TOP/examples/sc_connect.c" $(pkg-config --cflags --libs libodm)
	run readelf -d "$BATS_TEST_TMPDIR/sc"
	assert_output --partial "Shared library: [libodm.so.1]"
	conf=$BATS_TEST_TMPDIR/odm.conf
	printf 'prefix "2001:db8:f::/64" { type = fixed }\n' >"$conf"
	host_addr_add 2001:db8:f::10/64
	srv_start tcp 7951 1
	run host_exec env ODM_CONF="$conf" LD_LIBRARY_PATH="$D/usr/lib/x86_64-linux-gnu" \
		"$BATS_TEST_TMPDIR/sc" fixed "$SRV_ADDR" 7951
	assert_success
	assert_line "setsc: 2001:db8:f::10"
	srv_wait
	run srv_peers
	assert_output "2001:db8:f::10"
}
