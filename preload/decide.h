/* decide.h: the one decision libodm makes for a socket, used by the hooks
 * (interpose.c) and by `odm explain` alike: whether the destination can
 * have a type at all, which rule of the policy applies, and the address of
 * its type the engine picks (or that it would ask odmd for one). */
#ifndef ODM_DECIDE_H
#define ODM_DECIDE_H

#include <netinet/in.h>
#include <stdbool.h>
#include "engine.h"
#include "own.h"
#include "policy.h"

/* Destinations that never leave the host or the link: no mobility type. */
enum odm_never {
	ODM_TYPED = 0,
	ODM_NEVER_V4MAPPED,
	ODM_NEVER_LOOPBACK,
	ODM_NEVER_LINKLOCAL,
	ODM_NEVER_MULTICAST,
	ODM_NEVER_UNSPECIFIED,
};

static inline int odm_never_typed(const struct in6_addr *a)
{
	const uint32_t *w = (const uint32_t *)a->s6_addr;

	if (__builtin_expect((w[0] & htonl(0xe0000000)) == htonl(0x20000000), 1))
		return ODM_TYPED; /* 2000::/3, global unicast: the usual */
	if (IN6_IS_ADDR_V4MAPPED(a))
		return ODM_NEVER_V4MAPPED;
	if (IN6_IS_ADDR_LOOPBACK(a))
		return ODM_NEVER_LOOPBACK;
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return ODM_NEVER_LINKLOCAL;
	if (IN6_IS_ADDR_MULTICAST(a))
		return ODM_NEVER_MULTICAST;
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return ODM_NEVER_UNSPECIFIED;
	return ODM_TYPED;
}

/* "a loopback destination"... for explain and the debug log. */
const char *odm_never_text(int why);

struct odm_choice {
	const struct odm_rule *rule; /* never NULL */
	int status;   /* 0 (addr set, or a legacy rule), an EAI_* status, or
			 ODM_ASK_ODMD in a dry run */
	struct in6_addr addr;
};

/* The rule of p for the socket si, and an address of its type: the engine
 * asks odmd when it must, unless dry (odm explain, which then reports
 * ODM_ASK_ODMD). want: what the socket asked (ODM_WANT_*). Inline: it
 * is on every typed socket's path. */
static inline void odm_choose(const struct odm_policy *p,
			      const struct odm_sockinfo *si, unsigned want,
			      bool dry, struct odm_choice *c)
{
	const struct odm_rule *r = p->nrules ? odm_policy_decide(p, si)
					     : &p->deflt;

	c->rule = r;
	c->status = r->type == ODM_TYPE_LEGACY
			    ? 0
			    : odm_engine_pick(r->type, want | (r->on_net
							       ? ODM_WANT_ON_NET : 0),
					      dry, &c->addr);
	/* An address of its own, once the type is known to be there. */
	if (__builtin_expect(!c->status && !dry && r->type != ODM_TYPE_LEGACY &&
			     odm_rule_own(r), 0))
		c->status = odm_own_addr(r, &c->addr);
}

#endif
