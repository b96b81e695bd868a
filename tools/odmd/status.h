/* status.h: STATUS answers: every lease (version 1: the address, type and
 * lifetimes; version 2 also its owner, state, age, next renewal and how
 * many sockets use it), then, when asked, the sockets themselves from the
 * last scan: every socket for root, a user's own sockets for the others.
 * Built from the tables in memory: no scan of /proc, no syscall per
 * lease. */
#ifndef ODMD_STATUS_H
#define ODMD_STATUS_H

#include "clients.h"

void status_send(struct client *c, const struct odmd_msg *req);

#endif
