#!/usr/bin/env bats
# 52-enable.bats: odm enable, odm disable and odm show with --root on a
# scratch tree: the drop-in appends the shim to the LD_PRELOAD the unit
# already sets (its file and its drop-ins, read as systemd reads them),
# disable removes exactly what enable wrote.

load ../lib/common

setup() {
	R=$BATS_TEST_TMPDIR/root
	mkdir -p "$R/lib/systemd/system" "$R/usr/lib/x86_64-linux-gnu/odm"
	: >"$R/usr/lib/x86_64-linux-gnu/odm/libodm.so"
	cat >"$R/lib/systemd/system/web.service" <<-EOF
	[Unit]
	Description=a web server
	[Service]
	Environment=LANG=C "LD_PRELOAD=/usr/lib/libjemalloc.so.2"
	ExecStart=/usr/bin/python3 -m http.server
	EOF
	DROP=$R/etc/systemd/system/web.service.d/zz-odm.conf
}

odm() { "$TOP/tools/odm" "$@"; }

# The LD_PRELOAD the drop-in sets.
dropin_preload() { sed -n 's/^Environment="LD_PRELOAD=\(.*\)"$/\1/p' "$1"; }

@test "enable --root: a drop-in that appends the installed shim to the unit's LD_PRELOAD" {
	run odm enable --root "$R" web
	assert_success
	assert_output --partial "web.service: enabled"
	[ -f "$DROP" ]
	shim=$(dropin_preload "$DROP" | awk '{ print $2 }')
	[ "$(dropin_preload "$DROP" | awk '{ print $1 }')" = /usr/lib/libjemalloc.so.2 ]
	# The shim as installed in that tree.
	[ "$shim" = /usr/lib/x86_64-linux-gnu/odm/libodm.so ]
	grep -qx '\[Service\]' "$DROP"
	# Twice is the same as once: the shim is not appended again.
	run odm enable --root "$R" web.service
	assert_success
	[ "$(dropin_preload "$DROP" | wc -w)" -eq 2 ]
	run odm show --root "$R" web
	assert_success
	assert_line "libodm: enabled"
	assert_line "its own LD_PRELOAD: /usr/lib/libjemalloc.so.2"
}

@test "enable --root: the LD_PRELOAD of the unit's other drop-ins counts, the last one winning" {
	mkdir -p "$R/etc/systemd/system/web.service.d" "$R/lib/systemd/system/web.service.d"
	printf '[Service]\nEnvironment=LD_PRELOAD=/lib/a.so\n' >"$R/lib/systemd/system/web.service.d/10-a.conf"
	printf '[Service]\nEnvironment="LD_PRELOAD=/lib/b.so /lib/c.so" X=1\n' >"$R/etc/systemd/system/web.service.d/override.conf"
	run odm enable --root "$R" web
	assert_success
	[ "$(dropin_preload "$DROP" | cut -d' ' -f1-2)" = "/lib/b.so /lib/c.so" ]
	# An empty Environment= resets what came before.
	printf '[Service]\nEnvironment=\n' >"$R/etc/systemd/system/web.service.d/override.conf"
	run odm enable --root "$R" web
	[ "$(dropin_preload "$DROP" | wc -w)" -eq 1 ]
	# A template's instance reads the template.
	cp "$R/lib/systemd/system/web.service" "$R/lib/systemd/system/job@.service"
	run odm enable --root "$R" job@nightly
	assert_success
	[ -f "$R/etc/systemd/system/job@nightly.service.d/zz-odm.conf" ]
}

@test "disable --root: removes the drop-in and its empty folder, and nothing odm did not write" {
	odm enable --root "$R" web
	run odm disable --root "$R" web
	assert_success
	assert_output --partial "web.service: disabled"
	[ ! -e "$DROP" ] && [ ! -e "${DROP%/*}" ]
	run odm show --root "$R" web
	assert_line "libodm: disabled"
	run odm disable --root "$R" web
	assert_success
	assert_output --partial "not enabled"
	# A file of that name that odm did not write is left alone.
	mkdir -p "${DROP%/*}"
	printf '[Service]\nEnvironment=X=1\n' >"$DROP"
	run odm disable --root "$R" web
	assert_failure 1
	assert_output --partial "not written by odm enable"
	[ -f "$DROP" ]
	# Nothing else in the scratch tree changed.
	run find "$R" -type f -newer "$R/lib/systemd/system/web.service" -not -path "$DROP"
	assert_output ""
}

@test "enable: unknown units, bad names and bad roots are clear errors" {
	run odm enable --root "$R" nosuch
	assert_failure 1
	assert_output --partial "no unit nosuch.service in $R"
	run odm enable --root "$R" ../../etc/passwd
	assert_failure 64
	assert_output --partial "is not a unit name"
	run odm enable --root "$R" web.socket
	assert_failure 64
	assert_output --partial "only services"
	run odm enable --root "$BATS_TEST_TMPDIR/none" web
	assert_failure 1
	run odm enable
	assert_failure 64
	assert_output --partial "usage: odm enable"
	run odm show --root "$R" nosuch
	assert_failure 1
	assert_line "file: (none)"
}

@test "under systemd: the shim's and odmd's lines carry their level for the journal, once per line" {
	printf 'name = "x"\nrule a {\n port = 0\n}\n' >"$BATS_TEST_TMPDIR/bad.conf"
	err=$BATS_TEST_TMPDIR/stderr
	: >"$err"
	# JOURNAL_STREAM names the stream stderr is, as systemd sets it.
	JOURNAL_STREAM=$(stat -c '%d:%i' "$err") LD_PRELOAD=$LIB \
		ODM_POLICY_FILE="$BATS_TEST_TMPDIR/bad.conf" /bin/true 2>>"$err"
	run cat "$err"
	assert_output "<3>libodm: $BATS_TEST_TMPDIR/bad.conf:3: bad port '0' (expected a port 1-65535 or a range such as 8000-8100); running in legacy mode"
	# Another stream: the program's name and pid, as before.
	run env JOURNAL_STREAM=1:1 LD_PRELOAD=$LIB ODM_POLICY_FILE="$BATS_TEST_TMPDIR/bad.conf" /bin/true
	assert_output --regexp "^libodm: true\\[[0-9]+\\]: $BATS_TEST_TMPDIR/bad.conf:3: "
	: >"$err"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$err") "$TOP/tools/odmd/odmd" -f \
		-c "$BATS_TEST_TMPDIR/none.conf" 2>>"$err" || true
	run cat "$err"
	assert_output "<3>$BATS_TEST_TMPDIR/none.conf: No such file or directory"
}

@test "bash completion: the verbs, their options and the host's services" {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "no bash-completion"
	comp() {
		bash -c 'source /usr/share/bash-completion/bash_completion
			source "$1/completion/odm.bash"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			_odm odm; printf "%s\n" "${COMPREPLY[@]}"' comp "$TOP" "$@"
	}
	run comp odm en
	assert_output "enable"
	run comp odm status --
	assert_output "--json"
	run comp odm enable --root "$R" w
	assert_output "web.service"
	run comp odm run -- so
	assert_line "socat"
}

@test "enable --cgroup: the service's own cgroup typed through the BPF path, by its ExecStart's program" {
	printf '[Service]\nExecStart=-/usr/bin/hey -z 1h http://[2001:db8::1]/\n' >"$R/lib/systemd/system/go.service"
	run odm enable --root "$R" --cgroup go
	assert_success
	assert_output --partial "go.service: enabled, cgroup mode"
	d=$R/etc/systemd/system/go.service.d/zz-odm.conf
	run grep '^Exec' "$d"
	assert_line --regexp '^ExecStartPre=-\+/.*/odm cgroup /usr/bin/hey$'
	assert_line --regexp '^ExecStopPost=-\+/.*/odm cgroup --detach$'
	refute_output --partial "LD_PRELOAD"
	if command -v systemd-analyze >/dev/null; then
		# systemd reads it: the unit with the drop-in's lines, its programs
		# at paths that exist here.
		{ printf '[Service]\nExecStart=/bin/true\n'
		  grep '^Exec' "$d" | sed "s|/[^ ]*/odm |$TOP/tools/odm |"; } >"$BATS_TEST_TMPDIR/go.service"
		run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/go.service"
		assert_output ""
	fi
	run odm disable --root "$R" go
	assert_success
	[ ! -e "$d" ]
	# A unit with no program to find a policy by.
	printf '[Service]\nType=oneshot\n' >"$R/lib/systemd/system/none.service"
	run odm enable --root "$R" --cgroup none
	assert_failure 1
	assert_output --partial "no ExecStart= with an absolute path"
	[ ! -e "$R/etc/systemd/system/none.service.d/zz-odm.conf" ]
}

@test "enable: a unit line odm cannot read whole (too long, or continued) changes nothing" {
	python3 -c "print('[Service]\nEnvironment=LD_PRELOAD=/lib/' + 'x' * 5000 + '.so')" \
		>"$R/lib/systemd/system/big.service"
	run odm enable --root "$R" big
	assert_failure 1
	assert_output --partial "big.service: a line longer than 4095 bytes"
	[ ! -e "$R/etc/systemd/system/big.service.d" ]
	printf '[Service]\nEnvironment=A=1 \\\n  LD_PRELOAD=/lib/a.so\n' >"$R/lib/systemd/system/cont.service"
	run odm enable --root "$R" cont
	assert_failure 1
	assert_output --partial "continued with a backslash"
	# Quotes, escapes and % survive as systemd reads them.
	printf '[Service]\nEnvironment="LD_PRELOAD=/a%%%%b.so"\n' >"$R/lib/systemd/system/pct.service"
	run odm enable --root "$R" pct
	assert_success
	grep -qx 'Environment="LD_PRELOAD=/a%%b.so /usr/lib/x86_64-linux-gnu/odm/libodm.so"' \
		"$R/etc/systemd/system/pct.service.d/zz-odm.conf"
}
