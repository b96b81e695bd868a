/* kaddr.h: the kernel operations odmd needs: configure, deprecate, remove
 * and re-adopt its typed IPv6 addresses over rtnetlink, and ask the kernel
 * (sock_diag) whether any socket on the host still uses an address. Every
 * call works in the caller's network namespace, is bounded (each receive
 * times out after ODMD_NL_TIMEOUT_MS, and a call gives up with -ETIMEDOUT
 * once twice that has passed) and returns 0 or -errno. For odmd only:
 * plain libc calls, not odm_real. */
#ifndef ODMD_KADDR_H
#define ODMD_KADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include "proto.h"

#define ODMD_NL_TIMEOUT_MS 1000

/* One address odmd configured, as the kernel reports it. */
struct odmd_kaddr {
	struct in6_addr addr;
	int ifindex;
	uint8_t plen;
	uint8_t type;       /* 1..4, from IFA_PROTO = ODMD_ADDR_PROTO_BASE + type */
	uint8_t proto;      /* the IFA_PROTO value itself */
	uint32_t flags;     /* IFA_F_* */
	uint32_t preferred; /* seconds left; ODMD_LIFETIME_INFINITE */
	uint32_t valid;     /* seconds left; ODMD_LIFETIME_INFINITE */
};

/* Adds addr/plen on ifindex with IFA_F_NODAD (usable at once: a per-host
 * prefix needs no DAD), the given lifetimes in seconds (valid >= 1,
 * preferred <= valid; ODMD_LIFETIME_INFINITE for none) and the address
 * protocol proto (odmd uses odmd_proto_of_type(type)). -EEXIST if the
 * address is already there. */
int odmd_kaddr_add(int ifindex, const struct in6_addr *addr, unsigned plen,
		   uint32_t preferred, uint32_t valid, uint8_t proto);

/* Sets new lifetimes on an existing address, keeping IFA_F_NODAD and
 * setting proto again (the kernel resets what a change does not name).
 * Deprecate with preferred 0, valid = the grace period. Beware: the kernel
 * creates the address if it is missing (it ignores the absent
 * NLM_F_CREATE on a replace), so call it only for addresses odmd owns. */
int odmd_kaddr_change_lifetimes(int ifindex, const struct in6_addr *addr,
				unsigned plen, uint32_t preferred,
				uint32_t valid, uint8_t proto);

/* Removes addr/plen from ifindex. -EADDRNOTAVAIL if it is not there. */
int odmd_kaddr_del(int ifindex, const struct in6_addr *addr, unsigned plen);

/* Dumps the IPv6 addresses whose IFA_PROTO is one of odmd's
 * (odmd_type_of_proto() != 0). *out is malloc'ed (free() it; NULL when
 * none), *n its count; at most ODM_MAX_ADDRS addresses are scanned. */
int odmd_kaddr_list_mine(struct odmd_kaddr **out, size_t *n);

/* 1 if a socket in this network namespace has addr as its local address,
 * 0 if none, -errno. Counts TCP sockets in every state but TIME_WAIT
 * (listening, bound-only, connecting, connected, closing) and UDP sockets
 * (bound or connected); a socket bound to :: does not count. */
int odmd_kaddr_in_use(const struct in6_addr *addr);

#endif
