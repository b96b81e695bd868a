#!/usr/bin/env python3
# udp_clients.py: UDP clients that bind before they send, as real programs
# do, for 26-clients.bats. Prints the peer's answer; exit 0 when it came.
#   udp_clients.py getsockname-first HOST PORT  (bind [::]:0, getsockname,
#       then sendto: Java's DatagramSocket does this)
#   udp_clients.py port-first HOST PORT LPORT   (bind [::]:LPORT, sendto)
#   udp_clients.py sendmsg-port-first HOST PORT LPORT (the same by sendmsg)
import socket
import sys

mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(3)
if mode == "getsockname-first":
    s.bind(("::", 0))
    print("local", s.getsockname()[0], file=sys.stderr)
    s.sendto(b"hi", (host, port))
elif mode == "port-first":
    s.bind(("::", int(sys.argv[4])))
    s.sendto(b"hi", (host, port))
elif mode == "sendmsg-port-first":
    s.bind(("::", int(sys.argv[4])))
    s.sendmsg([b"hi"], [], 0, (host, port))
else:
    sys.exit("unknown mode " + mode)
print(s.recvfrom(100)[0].decode().strip())
