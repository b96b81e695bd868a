#!/usr/bin/python3
"""odmd_client.py: a raw client of odmd's protocol (docs/odmd-protocol.md),
for tests that play a misbehaving or hostile client.

  odmd_client.py SOCKET request TYPE [on-net]
      one REQUEST (version 2); prints "status S type T addr A"
  odmd_client.py --fd N request TYPE [on-net]
      the same over an inherited, already connected descriptor N
  odmd_client.py SOCKET hold N SECONDS
      opens N connections and sends half a message on the first; after a
      second prints how many odmd kept open, then holds them SECONDS
  odmd_client.py SOCKET name NAME ADDR PORT SECONDS
      renames itself NAME (prctl), listens on [ADDR]:PORT, prints "ready",
      holds it SECONDS
"""
import ctypes
import ipaddress
import socket
import struct
import sys
import time

TYPES = {"fixed": 1, "session-lasting": 2, "nonpersistent": 3,
         "graceful-replacement": 4}


def request(s, type_name, on_net):
    body = struct.pack(">IBBH", 7, TYPES[type_name], 1 if on_net else 0, 0)
    s.sendall(b"ODM\x02\x01\x00" + struct.pack(">H", len(body)) + body)
    data = b""
    while len(data) < 8 or len(data) < 8 + struct.unpack(">H", data[6:8])[0]:
        chunk = s.recv(600)
        if not chunk:
            print("closed")
            return 1
        data += chunk
    status, typ = data[12], data[13]
    addr = ipaddress.ip_address(data[14:30])
    print("status %d type %d addr %s" % (status, typ, addr))
    return 0


def hold(path, n, seconds):
    conns = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
        except OSError:
            continue
        conns.append(s)
    conns[0].send(b"ODM")  # half a message, never finished
    time.sleep(1.0)
    alive = 0
    for s in conns:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                continue  # odmd closed it
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    print(alive, flush=True)
    time.sleep(seconds)


def name(new, addr, port, seconds):
    libc = ctypes.CDLL(None)
    libc.prctl(15, ctypes.c_char_p(new.encode("latin-1")), 0, 0, 0)  # PR_SET_NAME
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.bind((addr, port))
    s.listen(1)
    print("ready", flush=True)
    time.sleep(seconds)


def main(argv):
    if argv[0] == "--fd":
        s = socket.socket(fileno=int(argv[1]))
        return request(s, argv[3], len(argv) > 4)
    path, verb = argv[0], argv[1]
    if verb == "request":
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        return request(s, argv[2], len(argv) > 3)
    if verb == "hold":
        return hold(path, int(argv[2]), float(argv[3]))
    if verb == "name":
        return name(argv[2], argv[3], int(argv[4]), float(argv[5]))
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
