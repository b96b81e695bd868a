/* kevents.h: the worker's watch on the kernel's addresses and links. */
#ifndef ODMD_KEVENTS_H
#define ODMD_KEVENTS_H

#include "worker.h"

/* Subscribes to the kernel's IPv6 address and link events. 0 or -errno. */
int kevents_init(void);

/* Compares the lease table with a dump of the kernel's addresses. */
void kevents_resync(void);

/* Asks the parent for the link's default route in its table (if any). */
void kevents_link_routes(struct wlink *link);

#endif
