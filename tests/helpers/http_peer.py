#!/usr/bin/env python3
"""http_peer.py: an HTTP server that answers every GET with the source
address the kernel says the request came from, and logs it as
"peer ADDR PORT" lines on stdout like peer_server.

usage: http_peer.py PORT COUNT [TIMEOUT_S]  (binds [::]:PORT, exits after
COUNT requests, or with status 1 after TIMEOUT_S seconds)."""
import http.server
import os
import socket
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host, port = self.client_address[:2]
        print(f"peer {host} {port}", flush=True)
        body = f"you are {host}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.served += 1

    def log_message(self, *args):
        pass


class Server(http.server.HTTPServer):
    address_family = socket.AF_INET6
    allow_reuse_address = True


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    deadline = time.monotonic() + (float(sys.argv[3]) if len(sys.argv) > 3 else 10)
    srv = Server(("::", port), Handler)
    srv.served = 0
    ready = os.environ.get("PEER_READY")
    if ready:
        open(ready, "w").close()
    while srv.served < count:
        left = deadline - time.monotonic()
        if left <= 0:
            print("timeout", file=sys.stderr)
            sys.exit(1)
        srv.timeout = left
        srv.handle_request()


if __name__ == "__main__":
    main()
