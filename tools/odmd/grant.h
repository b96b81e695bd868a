/* grant.h: a new lease, from the backend's prefix to the address
 * configured in the kernel (and its `from` rule on a link of its own).
 * Grants of a type's current lease that overlap are done once, for all
 * who wait. At most GRANT_MAX_INFLIGHT run at once; beyond that the
 * request is answered BUSY. */
#ifndef ODMD_GRANT_H
#define ODMD_GRANT_H

#include <stdint.h>
#include "lease.h"

#define GRANT_MAX_INFLIGHT 1024

/* status ODMD_ST_*; l the new lease when ODMD_ST_OK (else NULL). */
typedef void grant_done(void *arg, int status, struct lease *l,
			const char *reason);

/* Obtains a lease of type for owner (ODMD_NO_OWNER: the host's) with the
 * lease flags given (LEASE_CURRENT: it becomes the type's current one).
 * done (may be NULL) is called once, maybe before grant_start returns. */
void grant_start(sc_type type, uint32_t owner, unsigned flags,
		 grant_done *done, void *arg);

/* Grants under way (each counts against its owner's quota meanwhile). */
unsigned grant_inflight(void);

#endif
