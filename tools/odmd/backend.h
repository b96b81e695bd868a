/* backend.h: the network side of odmd, behind one small interface. `sim`
 * is the built-in simulator (sim.c); `exec` runs the operator's program
 * for each request (exec.c). */
#ifndef ODMD_BACKEND_H
#define ODMD_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include "hostconf.h"

/* What the network granted. */
struct odmd_grant {
	struct in6_addr prefix;
	unsigned plen;
	uint32_t preferred, valid;   /* seconds */
};

struct odmd_backend {
	const char *name;
	/* A new prefix of type: an ODMD_ST_* status; reason on failure. */
	int (*request)(struct odmd_backend *b, sc_type type,
		       struct odmd_grant *g, char *reason, size_t rlen);
	const struct odm_hc_network *net;
	void *state;
};

/* Sets up the backend odm.conf names; 0, or -1 with err set. */
int odmd_backend_open(struct odmd_backend *b, const struct odm_hc_network *net,
		      char *err, size_t errlen);

int odmd_exec_request(struct odmd_backend *b, sc_type type,
		      struct odmd_grant *g, char *reason, size_t rlen);

#endif
