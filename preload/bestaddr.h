/* bestaddr.h: the engine's view of the host: one rtnetlink dump of the
 * IPv6 addresses, read as it streams, keeping per type only the address a
 * new socket gets (addrpick.h's rule). No allocation, no lock, no cap on
 * the host's address count, no library: safe wherever a hook runs,
 * including a signal handler. */
#ifndef ODM_BESTADDR_H
#define ODM_BESTADDR_H

#include "addrpick.h"

struct odm_best {
	bool have[ODM_TYPE_MAX + 1];          /* of the public addresses */
	struct odm_nladdr a[ODM_TYPE_MAX + 1];
	bool have_tmp[ODM_TYPE_MAX + 1];      /* of the temporary ones */
	struct odm_nladdr tmp[ODM_TYPE_MAX + 1];
	size_t seen;  /* IPv6 addresses in the dump, typed or not */
	size_t typed; /* of them, typed ones */
	/* Addresses the caller watches (own ones): found usable? */
	const struct in6_addr *watch;
	size_t nwatch;
	bool watch_ok[16];
};

/* Fills *out from one dump (again, up to 3 times, if the kernel flags it
 * as interrupted by a change). buf (len >= ODM_NL_BUF) receives the dump.
 * Every receive is bounded (ODM_NL_TIMEOUT_MS). out->watch and
 * out->nwatch (at most 16) are kept: watch_ok tells which of those typed
 * addresses the host has, usable. 0 or -errno. */
int odm_best_read(const struct odm_hostconf *hc, void *buf, size_t len,
		  struct odm_best *out);

/* The same choice over one address, for tests: folds a into *b. */
void odm_best_fold(struct odm_best *b, const struct odm_nladdr *a,
		   sc_type type);

#endif
