#!/usr/bin/env bats
# 42-odmd.bats: odmd, the host agent, with its network simulator: the
# message flow of draft-16 section 4.2 with unmodified programs, ON_NET,
# authorization, a killed and restarted odmd, malformed messages, the exec
# backend. Addresses are checked on the server's side or in the kernel.
# ODMD_BIN runs another odmd build (tests/run: the ASan+UBSan one).

load ../lib/common
load ../lib/odmd

setup() {
	netns_setup
	odmd_setup
	write_conf "offer = {session-lasting, nonpersistent}
	attach = {session-lasting, nonpersistent}"
}

teardown() {
	local rc=0
	odmd_teardown || rc=1
	netns_teardown
	return $rc
}

@test "odmd: the message flow of draft-16 section 4.2, with unmodified programs" {
	odmd_start
	run typed session-lasting
	assert_output "$(A 2001:db8:50::)"
	run typed nonpersistent
	assert_output "$(A 2001:db8:30::)"
	printf 'name = "socat"\ntype = nonpersistent\nrule sl { port = 7200 type = session-lasting }\n' >"$W/p.conf"
	run_app() { host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$W/p.conf" LD_PRELOAD="$LIB" "$@"; }
	# Two Nonpersistent applications share IPnp1.
	srv_start tcp 7001 2
	run_app socat -T3 - "TCP6:[$SRV_ADDR]:7001" <<<"one"
	run_app socat -T3 - "TCP6:[$SRV_ADDR]:7001" <<<"two"
	srv_wait
	run srv_peers
	assert_output "$(A 2001:db8:30::)
$(A 2001:db8:30::)"
	# A third application holds a Session-Lasting TCP connection.
	srv_exec socat -T20 TCP6-LISTEN:7200,reuseaddr \
		SYSTEM:"while read -r l; do echo \"\$SOCAT_PEERADDR \$l\" >>$W/chat.log; done" 3>&- &
	sleep 0.3
	mkfifo "$W/chat.in"
	run_app socat -T20 - "TCP6:[$SRV_ADDR]:7200" <"$W/chat.in" >/dev/null 2>&1 3>&- &
	exec 5>"$W/chat.in"
	echo before >&5
	for _ in $(seq 60); do [ -s "$W/chat.log" ] && break; sleep 0.05; done
	run cat "$W/chat.log"
	assert_output --regexp '^\[2001:0?db8:0*50:0*:[0-9a-f:]+\] before$'
	# The move: PREFnp1 withdrawn, PREFnp2 granted.
	np1=$(A 2001:db8:30::)
	run odm move
	assert_success
	run typed nonpersistent
	assert_output "$(A 2001:db8:30:1::)"
	! has_addr "$np1"
	srv_start tcp 7001 1
	run_app socat -T3 - "TCP6:[$SRV_ADDR]:7001" <<<"three"
	srv_wait
	run srv_peers
	assert_output "$(A 2001:db8:30:1::)"
	# The Session-Lasting connection carries data after the move.
	echo after >&5
	for _ in $(seq 60); do [ "$(wc -l <"$W/chat.log")" -ge 2 ] && break; sleep 0.05; done
	run sed -n 2p "$W/chat.log"
	assert_output --regexp '^\[2001:0?db8:0*50:0*:[0-9a-f:]+\] after$'
	# Graceful-Replacement is not offered; the retry with SL gets IPsl1.
	run sc graceful-replacement "$SRV_ADDR" 7300
	assert_failure 2
	assert_line "setsc: EAI_REQUIREDIPNOTSUPPORTED"
	srv_start tcp 7300 1
	run sc session-lasting "$SRV_ADDR" 7300
	assert_success
	assert_line "setsc: $(A 2001:db8:50::)"
	srv_wait
	exec 5>&-
}

@test "odmd: ON_NET gets a fresh prefix although one of the type exists" {
	odmd_start
	run sc -o session-lasting "$SRV_ADDR" 1
	assert_line "setsc: $(A 2001:db8:50:1::)"
	has_addr $(A 2001:db8:50:1::)
}

@test "odmd: a type the network offers but the host lacks is obtained on demand" {
	write_conf "offer = {session-lasting, nonpersistent}"
	odmd_start
	run typed session-lasting
	assert_output ""
	srv_start tcp 7400 1
	run sc session-lasting "$SRV_ADDR" 7400
	assert_success
	assert_line "setsc: $(A 2001:db8:50::)"
	srv_wait
	run srv_peers
	assert_output "$(A 2001:db8:50::)"
}

@test "odmd: Fixed is premium: refused without a grant, granted with one" {
	write_conf "offer = {fixed, session-lasting}"
	odmd_start
	run sc fixed "$SRV_ADDR" 1
	assert_failure 3
	grep -q "refused fixed to uid 0" "$W/odmd.log"
	odmd_stop
	write_conf "offer = {fixed, session-lasting}" 'user "root" { types = {fixed} }'
	odmd_start
	run sc fixed "$SRV_ADDR" 1
	assert_line "setsc: $(A 2001:db8:10::)"
}

@test "odmd: Graceful-Replacement keeps an open connection through the grace" {
	write_conf "offer = {graceful-replacement}
	attach = {graceful-replacement}"
	odmd_start
	printf 'name = "socat"\ntype = graceful-replacement\n' >"$W/p.conf"
	srv_exec socat -T20 TCP6-LISTEN:7500,reuseaddr \
		SYSTEM:"while read -r l; do echo \"\$SOCAT_PEERADDR \$l\" >>$W/gr.log; done" 3>&- &
	sleep 0.3
	mkfifo "$W/gr.in"
	host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$W/p.conf" LD_PRELOAD="$LIB" \
		socat -T20 - "TCP6:[$SRV_ADDR]:7500" <"$W/gr.in" >/dev/null 2>&1 3>&- &
	exec 6>"$W/gr.in"
	echo one >&6
	gr1=$(A 2001:db8:40::)
	run odm move
	run odm status
	assert_line --regexp "^$gr1 +graceful-replacement +deprecated +0s "
	run sc graceful-replacement "$SRV_ADDR" 1
	assert_line "setsc: $(A 2001:db8:40:1::)"
	echo two >&6
	for _ in $(seq 60); do [ "$(wc -l <"$W/gr.log" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.05; done
	run cat "$W/gr.log"
	assert_line --regexp '^\[2001:0?db8:0*40:0*:[0-9a-f:]+\] two$'
	for _ in $(seq 120); do has_addr "$gr1" || break; sleep 0.05; done
	! has_addr "$gr1" # gone after the grace
	exec 6>&-
}

@test "odmd: killed, setsc returns within its timeout; restarted, it re-adopts" {
	write_conf "offer = {session-lasting}
	attach = {session-lasting}"
	odmd_start
	kill -9 "$ODMD_PID"
	while kill -0 "$ODMD_PID" 2>/dev/null; do sleep 0.05; done
	SECONDS=0
	run sc -o session-lasting "$SRV_ADDR" 1
	assert_failure 3
	[ "$SECONDS" -le 3 ]
	sl=$(A 2001:db8:50::)
	has_addr "$sl" # nothing removed
	odmd_start
	grep -q "adopted session-lasting $sl" "$W/odmd.log"
	run typed session-lasting
	assert_output "$sl" # adopted, no second attach grant
	run sc -o session-lasting "$SRV_ADDR" 1
	assert_line "setsc: $(A 2001:db8:50:1::)" # the pool skips what is there
}

@test "odmd: an address in use is kept after a move and released once unused" {
	odmd_start
	srv_exec socat -T20 TCP6-LISTEN:7600,reuseaddr SYSTEM:"cat >/dev/null" 3>&- &
	sleep 0.3
	mkfifo "$W/in"
	printf 'name = "socat"\ntype = session-lasting\n' >"$W/p.conf"
	host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$W/p.conf" LD_PRELOAD="$LIB" \
		socat -T20 - "TCP6:[$SRV_ADDR]:7600" <"$W/in" >/dev/null 2>&1 3>&- &
	exec 7>"$W/in"
	echo x >&7
	sleep 0.3
	sl=$(A 2001:db8:50::)
	[ -n "$sl" ]
	odm move
	sleep 1.5
	has_addr "$sl"
	run odm status
	assert_line --regexp "^$sl .*socat\[[0-9]+\] fd [0-9]+"
	exec 7>&-
	for _ in $(seq 100); do has_addr "$sl" || break; sleep 0.05; done
	! has_addr "$sl"
}

@test "odmd: malformed, truncated, oversized messages and 50 clients at once" {
	odmd_start
	python3 - "$SOCK" <<-'EOF'
	import socket, struct, sys, threading
	path = sys.argv[1]
	def conn():
	    s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(path); return s
	def req(i):
	    return b"ODM\x01\x01\x00\x00\x08" + struct.pack(">IBBH", i, 2, 0, 0)
	for bad in [b"XYZ\x01\x01\x00\x00\x08" + b"\0" * 8,          # magic
	            b"ODM\x09\x01\x00\x00\x08" + b"\0" * 8,          # version
	            b"ODM\x01\x63\x00\x00\x00",                      # kind
	            b"ODM\x01\x01\x00\xff\xff" + b"\0" * 100,        # oversized
	            b"ODM\x01\x01\x00\x00\x08" + struct.pack(">IBBH", 1, 9, 0, 0)]:
	    s = conn(); s.sendall(bad)
	    try:
	        s.recv(600)
	    except OSError:
	        pass
	    s.close()
	s = conn(); s.sendall(req(1)[:5]); s.close()                  # truncated
	ok = []
	def client(i):
	    s = conn(); s.sendall(req(i)); r = s.recv(600)
	    ok.append(r[:3] == b"ODM" and r[4] == 2 and r[12] == 0)
	ts = [threading.Thread(target=client, args=(i,)) for i in range(50)]
	[t.start() for t in ts]; [t.join() for t in ts]
	sys.exit(0 if len(ok) == 50 and all(ok) else 1)
	EOF
	kill -0 "$ODMD_PID"
	run odm status
	assert_success
	assert_line --partial "$(A 2001:db8:50::)"
}

@test "odmd: the exec backend gets its prefixes from the operator's hook" {
	cat >"$CONF" <<-EOF
	agent { socket = "$SOCK" timeout = 3000 state = "$W/state" }
	network {
		backend = exec
		exec = "$TOP/tools/odmd/hooks/example"
		exec-env = { "ODM_HOOK_STATE=$W/hook.count" }
		interface = "$HOST_IF"
	}
	authorize { user "root" { types = {fixed} } }
	EOF
	odmd_start
	srv_start tcp 7700 1
	run sc nonpersistent "$SRV_ADDR" 7700
	assert_line "setsc: $(A 2001:db8:78::)"
	srv_wait
	run sc fixed "$SRV_ADDR" 1 # the hook says the network has none
	assert_failure 2
	run typed nonpersistent
	assert_output "$(A 2001:db8:78::)"
}

@test "odmd publishes its generation page: engines need no thread while it lives, one after it stops" {
	odmd_start
	[ -f "$SOCK.gen" ]
	run stat -c '%a %U %s' "$SOCK.gen"
	assert_output "644 root 4096"
	printf 'name = "python3*"\ntype = session-lasting\n' >"$W/p.conf"
	cat >"$W/threads.py" <<-EOF
	import os, socket, sys
	def typed_send():
	    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	    s.connect(("$SRV_ADDR", 9))
	    print(s.getsockname()[0], len(os.listdir("/proc/self/task")))
	    s.close()
	typed_send()
	sys.stdout.flush()
	sys.stdin.readline()  # odmd stops meanwhile
	typed_send()
	EOF
	mkfifo "$W/go"
	host_exec env ODM_CONF="$CONF" ODM_POLICY_FILE="$W/p.conf" LD_PRELOAD="$LIB" \
		/usr/bin/python3 "$W/threads.py" <"$W/go" >"$W/threads.out" 2>&1 3>&- &
	exec 6>"$W/go"
	for _ in $(seq 60); do [ -s "$W/threads.out" ] && break; sleep 0.05; done
	run cat "$W/threads.out"
	assert_output "$(A 2001:db8:50::) 1" # one thread: the program's own
	odmd_stop
	echo >&6
	exec 6>&-
	wait
	run cat "$W/threads.out"
	assert_line --index 1 "$(A 2001:db8:50::) 2" # its own, and the monitor
}

@test "odmd keeps the policy folder's index current, so programs read one file" {
	mkdir -m 0755 "$W/pol"
	printf 'name = "other"\ntype = fixed\n' >"$W/pol/a.conf"
	chmod 0644 "$W/pol/a.conf"
	ODM_POLICY_DIR=$W/pol odmd_start
	for _ in $(seq 60); do [ -s "$W/pol/.odm-index" ] && break; sleep 0.05; done
	[ -s "$W/pol/.odm-index" ]
	before=$(stat -c %Y.%N "$W/pol/.odm-index" 2>/dev/null || stat -c %y "$W/pol/.odm-index")
	sleep 1.1
	printf 'name = "python3*"\ntype = session-lasting\n' >"$W/pol/py.conf"
	chmod 0644 "$W/pol/py.conf"
	for _ in $(seq 60); do
		[ "$(stat -c %y "$W/pol/.odm-index")" != "$before" ] && break
		sleep 0.05
	done
	sleep 0.3 # its header is stamped right after the rename
	# The index is current, and holds the compiled policy: the program
	# opens it alone.
	run host_exec env ODM_CONF="$CONF" ODM_POLICY_DIR="$W/pol" LD_PRELOAD="$LIB" \
		strace -f -e trace=openat -o "$W/st" /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect(('$SRV_ADDR', 9)); print(s.getsockname()[0])"
	assert_output "$(A 2001:db8:50::)"
	run grep -c "$W/pol/" "$W/st"
	assert_output 1
	grep -q "$W/pol/.odm-index" "$W/st"
}
