/* lease.h: odmd's lease table: every address odmd configured, whom it was
 * granted to, its lifetimes, how it is used and what comes next for it.
 * Keyed by address (uthash); per-uid counts for the quotas; one timer each
 * in the worker's heap for its next event. The decisions are life.c's. */
#ifndef ODMD_LEASE_H
#define ODMD_LEASE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include "heap.h"
#include "proto.h"
#include "sctype.h"
#include "uth.h"

enum lease_flag {
	LEASE_CURRENT    = 0x01, /* the host's address of its type: answered to
				    requests that do not ask for a fresh one */
	LEASE_RELEASABLE = 0x02, /* handed back to the network once unused */
	LEASE_MOVED      = 0x04, /* obtained before the last move */
	LEASE_WITHDRAWN  = 0x08, /* the network took it back: going */
	LEASE_OWN        = 0x10, /* an address of its owner's own in another
				    lease's prefix (RFC 8653 section 5): no
				    prefix of its own to renew or give back */
	LEASE_RETIRED    = 0x20, /* rotated: no new sockets; goes once unused */
};

struct lease {
	struct in6_addr addr;        /* the key */
	struct in6_addr prefix;      /* the network's prefix (addr & plen) */
	unsigned plen;
	int ifindex;                 /* the link it is configured on */
	sc_type type;
	uint32_t owner;              /* uid; ODMD_NO_OWNER: the host's */
	unsigned flags;              /* enum lease_flag */
	uint8_t state;               /* ODMD_LEASE_* */
	uint64_t granted;            /* ms, CLOCK_MONOTONIC */
	uint64_t valid_until;        /* ms; NEVER for an infinite lifetime */
	uint64_t preferred_until;    /* ms; NEVER */
	uint64_t renew_at;           /* ms; NEVER when there is nothing to renew */
	uint64_t hold_until;         /* ms: held for a requester until then */
	uint64_t idle_since;         /* ms: no socket since */
	uint64_t drain_until;        /* ms: DRAINING ends then */
	uint64_t restore_at;         /* ms: ABSENT: next attempt */
	unsigned restore_backoff;    /* ms */
	uint32_t backend_id;         /* the backend's handle for it */
	unsigned sockets;            /* users at the last scan */
	struct odmd_sock *socks;     /* and who they are (malloc'ed) */
	unsigned nsocks, socks_cap;
	uint64_t scan_gen;           /* the scan that counted them */
	uint64_t bytes;              /* TCP bytes through it, sockets gone included */
	uint64_t bytes_closed;       /* of them, of sockets gone */
	struct odmd_sock *prev;      /* the scan before's sockets (their bytes) */
	unsigned nprev, prev_cap;
	uint64_t rotate_at;          /* ms: it rotates then; 0 never */
	uint64_t rotate_bytes;       /* or past this many bytes; 0 never */
	bool own_busy;               /* an own address in its prefix has sockets
					(at the last scan) */
	bool renewing;               /* a renewal is under way */
	bool restoring;              /* a restore is under way */
	bool routed;                 /* odmd installed its `from` rule */
	struct timer timer;          /* its next event */
	UT_hash_handle hh;
};

/* The table. */
struct lease *lease_find(const struct in6_addr *addr);

/* A lease with a prefix (addr & plen): the one whose prefix it is. */
struct lease *lease_find_prefix(const struct in6_addr *prefix, unsigned plen);

/* A new lease (zeroed but for these), in the table. NULL: no memory. */
struct lease *lease_new(const struct in6_addr *addr, unsigned plen,
			int ifindex, sc_type type, uint32_t owner);

/* Out of the table, out of the heap, freed. */
void lease_free(struct lease *l);

/* Sets or clears an owner (keeps the per-uid counts right). */
void lease_set_owner(struct lease *l, uint32_t owner);

/* Counts (delta +1) or stops counting (-1) a grant under way for uid. */
void lease_reserve(uint32_t uid, int delta);

/* Live leases owned by uid and grants under way for it (what its quota
 * counts). */
unsigned lease_count_owned(uint32_t uid);

size_t lease_count(void);

/* The current lease of type (LEASE_CURRENT), or NULL. */
struct lease *lease_current(sc_type type);
void lease_set_current(struct lease *l, bool current);

/* Iteration: for (l = lease_first(); l; l = lease_next(l)). The table
 * must not change meanwhile unless the caller keeps the next one first. */
struct lease *lease_first(void);
struct lease *lease_next(const struct lease *l);

/* The lease whose timer this is. */
static inline struct lease *lease_of_timer(struct timer *t)
{
	return (struct lease *)((char *)t - __builtin_offsetof(struct lease, timer));
}

#endif
