/* addrpick.h: from the kernel's address list to typed addresses, and the
 * documented choice of one address of a type. Pure functions. */
#ifndef ODM_ADDRPICK_H
#define ODM_ADDRPICK_H

#include "hostconf.h"
#include "nladdr.h"

struct odm_typed_addr {
	struct odm_nladdr nl;
	sc_type type;
	const char *unusable; /* NULL when new sockets may get it, else why */
};

/* Why a new socket may not get this address ("tentative", "dad-failed",
 * "deprecated", "not global scope", "draining": odmd releases it once
 * unused), or NULL when it may. */
const char *odm_addr_unusable(const struct odm_nladdr *a);

/* Writes to out (room for n) the addresses of in that have a type, in the
 * kernel's order; returns how many. The type: the one odmd marked the
 * address with (IFA_PROTO), else the longest prefix of hc containing it,
 * else its interface's in hc. */
size_t odm_classify(const struct odm_hostconf *hc, const struct odm_nladdr *in,
		    size_t n, struct odm_typed_addr *out);

/* Index of the address a new socket of this type gets, or -1 if none is
 * usable. Graceful-Replacement: the newest (highest creation stamp), since
 * the older ones are being replaced. The other types: the oldest, which
 * other sockets most likely share already (RFC 8653 3.4). Ties: the lowest
 * address, then the lowest interface index. */
int odm_pick(const struct odm_typed_addr *a, size_t n, sc_type type);

/* Does a come before b in that choice for type? */
int odm_addr_better(const struct odm_nladdr *a, const struct odm_nladdr *b,
		    sc_type type);

#endif
