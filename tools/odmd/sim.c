/* sim.c: the simulated network's prefix pools. */
#include <stdio.h>
#include <string.h>
#include "proto.h"
#include "backend.h"
#include "sim.h"

void odmd_sim_init(struct odmd_sim *s, const struct odm_hc_network *net)
{
	memset(s, 0, sizeof *s);
	s->net = net;
}

/* The index-th /64 inside pool p, or -1 when the pool has no more. */
static int nth_64(const struct odm_hc_prefix *p, unsigned long index,
		  struct in6_addr *out)
{
	unsigned bits = 64 - p->len;
	uint64_t hi = 0;

	if (bits < 63 && index >= (1ul << bits))
		return -1;
	for (int i = 0; i < 8; i++)
		hi = hi << 8 | p->net.s6_addr[i];
	hi |= index;
	memset(out, 0, sizeof *out);
	for (int i = 7; i >= 0; i--, hi >>= 8)
		out->s6_addr[i] = (uint8_t)hi;
	return 0;
}

int odmd_sim_grant(struct odmd_sim *s, sc_type type, struct in6_addr *prefix,
		   char *reason, size_t rlen)
{
	bool pool_of_type = false;

	if (!(s->net->offer & (1u << type))) {
		snprintf(reason, rlen, "the network does not offer %s addresses",
			 odm_type_name(type));
		return ODMD_ST_NOT_SUPPORTED;
	}
	for (size_t i = 0; i < s->net->npools && i < 64; i++) {
		if (s->net->pools[i].type != type)
			continue;
		pool_of_type = true;
		if (nth_64(&s->net->pools[i], s->next[i], prefix) == 0) {
			s->next[i]++;
			return ODMD_ST_OK;
		}
	}
	snprintf(reason, rlen, pool_of_type ? "the %s pools are exhausted"
					    : "no pool of %s prefixes",
		 odm_type_name(type));
	return ODMD_ST_FAILED;
}

/* The backend interface: a /64 with the network's lifetime. */
int odmd_sim_request(struct odmd_backend *b, sc_type type,
		     struct odmd_grant *g, char *reason, size_t rlen)
{
	int rc = odmd_sim_grant(b->state, type, &g->prefix, reason, rlen);

	g->plen = 64;
	g->preferred = g->valid = b->net->lifetime_s;
	return rc;
}
