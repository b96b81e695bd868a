/* backend.h: the network side of odmd, behind one interface: open,
 * request, renew, release, close, and the network's own events (a move, a
 * prefix withdrawn or deprecated, new lifetimes) which a backend reports
 * through the net_*() calls of life.h. `sim` is the built-in simulator
 * (backend_sim.c); `exec` a long-running co-process of the operator's,
 * spoken to in a line protocol (backend_exec.c, docs/odmd-backend.md).
 * Answers may come later than the call (exec) or within it (sim). */
#ifndef ODMD_BACKEND_H
#define ODMD_BACKEND_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include "hostconf.h"

struct lease;

/* What the network granted or renewed. */
struct grant {
	struct in6_addr prefix;
	unsigned plen;
	uint32_t preferred, valid;  /* seconds; ODM_LIFETIME_INFINITE */
	char link[IF_NAMESIZE];     /* where it goes; "" the default link */
	uint32_t id;                /* the backend's handle, kept in the lease */
};

/* status: ODMD_ST_OK (g set), ODMD_ST_NOT_SUPPORTED, ODMD_ST_FAILED,
 * ODMD_ST_DENIED or ODMD_ST_BUSY, with reason. Called exactly once. */
typedef void backend_done(void *arg, int status, const struct grant *g,
			  const char *reason);

struct backend {
	const char *name;
	/* A new prefix of type. */
	void (*request)(struct backend *b, sc_type type, backend_done *done,
			void *arg);
	/* Keep l's prefix: new lifetimes (g->preferred, g->valid). */
	void (*renew)(struct backend *b, const struct lease *l,
		      backend_done *done, void *arg);
	/* l's prefix goes back to the network (no answer). */
	void (*release)(struct backend *b, const struct lease *l);
	/* l was found again after a restart: the backend counts it as its. */
	void (*adopt)(struct backend *b, const struct lease *l);
	/* A move, asked for with `odm move`: 0, or -1 when this backend
	 * cannot simulate one (its network moves on its own). */
	int (*move)(struct backend *b);
	/* Once a loop iteration: time-outs. */
	void (*tick)(struct backend *b);
	void (*close)(struct backend *b);
	const struct odm_hc_network *net;
	void *state;
};

/* The backend odm.conf names, opened; NULL with err set. */
struct backend *backend_open(const struct odm_hc_network *net, char *err,
			     size_t errlen);

struct backend *backend_sim_open(const struct odm_hc_network *net,
				 char *err, size_t errlen);
struct backend *backend_exec_open(const struct odm_hc_network *net,
				  char *err, size_t errlen);

#endif
