/* own.h: an address of its requester's own (RFC 8653 section 5): a new
 * interface identifier, random, in the prefix of the type's current
 * lease, configured like it and following its lifetimes, owned by the
 * requester's uid; it rotates (no new sockets: DRAINING, marked so the
 * engines skip it) after rotate_s or rotate_bytes, and goes once unused
 * like any releasable lease, without giving anything back to the network. */
#ifndef ODMD_OWN_H
#define ODMD_OWN_H

#include "grant.h"

/* A new own address in base's prefix; done as grant_start's. */
void own_start(struct lease *base, uint32_t owner, uint32_t rotate_s,
	       uint64_t rotate_bytes, grant_done *done, void *arg);

/* The own addresses in l's prefix follow l (its lifetimes, a deprecation,
 * its release): called after each such change of a lease that is not an
 * own one. */
void own_follow(struct lease *l);

/* Does any own address in l's prefix have sockets? */
bool own_in_use(const struct lease *l);

#endif
