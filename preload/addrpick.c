/* addrpick.c: typed addresses and the choice among them. */
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include "addrpick.h"
#include "proto.h"

const char *odm_addr_unusable(const struct odm_nladdr *a)
{
	if (a->scope != RT_SCOPE_UNIVERSE)
		return "not global scope";
	if (a->flags & IFA_F_DADFAILED)
		return "dad-failed";
	if ((a->flags & IFA_F_TENTATIVE) && !(a->flags & IFA_F_OPTIMISTIC))
		return "tentative";
	if (odmd_proto_draining(a->proto))
		return "draining";
	if (((a->flags & IFA_F_DEPRECATED) || a->preferred == 0) &&
	    !(odmd_type_anchored(odmd_type_of_proto(a->proto)) && a->valid))
		return "deprecated";
	return NULL;
}

size_t odm_classify(const struct odm_hostconf *hc, const struct odm_nladdr *in,
		    size_t n, struct odm_typed_addr *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		/* odmd's own mark wins: it configured the address for a type. */
		sc_type t = (sc_type)odmd_type_of_proto(in[i].proto);

		if (!t)
			t = odm_hostconf_type_of(hc, &in[i].addr, in[i].ifname);
		if (!t)
			continue;
		out[k].nl = in[i];
		out[k].type = t;
		out[k].unusable = odm_addr_unusable(&in[i]);
		k++;
	}
	return k;
}

int odm_addr_better(const struct odm_nladdr *a, const struct odm_nladdr *b,
		  sc_type type)
{
	int c;

	if (a->cstamp != b->cstamp)
		return type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS
			       ? a->cstamp > b->cstamp
			       : a->cstamp < b->cstamp;
	c = memcmp(&a->addr, &b->addr, sizeof a->addr);
	if (c)
		return c < 0;
	return a->ifindex < b->ifindex;
}

int odm_pick(const struct odm_typed_addr *a, size_t n, sc_type type)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (a[i].type != type || a[i].unusable)
			continue;
		if (best < 0 || odm_addr_better(&a[i].nl, &a[best].nl, type))
			best = (int)i;
	}
	return best;
}
