#!/usr/bin/python3
"""ingress_peer.py: a UDP server that says which link each datagram came in
by, for tests of odmd's links of their own.

  ingress_peer.py PORT COUNT [TIMEOUT_S]

Prints "ready" on stderr once bound to [::]:PORT, then for each of COUNT
datagrams "peer SOURCE via INTERFACE" on stdout (IPV6_PKTINFO), answers
"echo PAYLOAD", and exits 0; 1 after TIMEOUT_S (default 10) seconds."""
import socket
import struct
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
s.bind(("::", port))
s.settimeout(timeout)
print("ready", file=sys.stderr, flush=True)
for _ in range(count):
    try:
        data, anc, _, peer = s.recvmsg(2048, socket.CMSG_SPACE(20))
    except socket.timeout:
        print("timeout", file=sys.stderr)
        sys.exit(1)
    ifname = "?"
    for level, kind, value in anc:
        if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_PKTINFO:
            ifname = socket.if_indextoname(struct.unpack("16sI", value[:20])[1])
    print("peer %s via %s" % (peer[0], ifname), flush=True)
    s.sendto(b"echo " + data, peer)
