/* usage.h: which sockets use odmd's addresses, from the kernel's socket
 * diagnostics (NETLINK_SOCK_DIAG): one dump of the host's IPv6 TCP and UDP
 * sockets a second while odmd holds leases, read as it arrives without
 * holding up the event loop. Each lease gets its count and its sockets
 * (for STATUS), then life.c decides. A socket bound to [::] uses no
 * address in particular and is not counted. */
#ifndef ODMD_USAGE_H
#define ODMD_USAGE_H

#include <stdint.h>

int usage_init(void);

/* Once a loop iteration: starts a scan when one is due. */
void usage_tick(void);

/* When the last complete scan ended (ms), 0 before the first. */
uint64_t usage_last(void);

#endif
