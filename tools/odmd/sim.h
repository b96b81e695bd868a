/* sim.h: the built-in network simulator, odmd's `sim` backend. The network
 * offers some types (odm.conf network.offer) and hands out /64 prefixes of
 * each from its pools, in order; that is all a request needs. Moves are
 * odmd's business (odmd.c): the simulated network only grants. */
#ifndef ODMD_SIM_H
#define ODMD_SIM_H

#include <stddef.h>
#include "hostconf.h"

struct odmd_sim {
	const struct odm_hc_network *net;
	unsigned long next[64];  /* per pool (the first 64): next /64 index */
};

void odmd_sim_init(struct odmd_sim *s, const struct odm_hc_network *net);

/* A new /64 of type into *prefix. ODMD_ST_OK; ODMD_ST_NOT_SUPPORTED when
 * the network does not offer the type; ODMD_ST_FAILED when no pool of the
 * type has a prefix left. reason explains a failure. */
int odmd_sim_grant(struct odmd_sim *s, sc_type type, struct in6_addr *prefix,
		   char *reason, size_t rlen);

struct odmd_backend;
struct odmd_grant;
int odmd_sim_request(struct odmd_backend *b, sc_type type,
		     struct odmd_grant *g, char *reason, size_t rlen);

#endif
