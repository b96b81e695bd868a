/* psclient.h: the worker's side of the parent channel: asks for a
 * privileged operation without waiting; the callback gets the answer (the
 * parent answers in order). */
#ifndef ODMD_PSCLIENT_H
#define ODMD_PSCLIENT_H

#include "privsep.h"

/* r: the parent's answer (r->rc 0 or -errno); fd: a descriptor that came
 * with it (the callback owns it) or -1. */
typedef void ps_cb(void *arg, const struct ps_msg *r, int fd);

void ps_client_init(int ch);

/* Queues m (with fd, which ps_call then owns, or -1) for the parent; cb
 * (may be NULL) is called with the answer. 0, or -1 when out of memory
 * (cb is then not called). */
int ps_call(struct ps_msg *m, int fd, ps_cb *cb, void *arg);

/* Operations the worker asks for most. */
int ps_addr(unsigned kind, int ifindex, const struct in6_addr *addr,
	    unsigned plen, uint32_t preferred, uint32_t valid, uint8_t proto,
	    ps_cb *cb, void *arg);
int ps_rule(unsigned kind, const struct in6_addr *prefix, unsigned plen,
	    unsigned table, ps_cb *cb, void *arg);

/* Operations not yet answered. */
unsigned ps_pending(void);

#endif
