#!/usr/bin/env python3
"""accept_close.py: a TCP server for connect loops: listens on [::]:PORT,
creates READY_FILE once it does, then accepts and closes COUNT connections
(0: forever) within TIMEOUT_S seconds (default 60).

usage: accept_close.py PORT READY_FILE COUNT [TIMEOUT_S]"""
import socket
import sys


def main():
    port, ready, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(4096)
    s.settimeout(float(sys.argv[4]) if len(sys.argv) > 4 else 60)
    open(ready, "w").close()
    n = 0
    while count == 0 or n < count:
        s.accept()[0].close()
        n += 1


if __name__ == "__main__":
    main()
