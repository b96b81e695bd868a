/* iid.h: the interface identifiers of odmd's addresses (RFC 8653 section
 * 5, the security review of draft-15): never ::1, never guessable from the
 * prefix. stable-privacy (RFC 7217): SHA-256 over the prefix, the link's
 * name, a DAD counter and a secret of this host, so the same prefix on the
 * same link gets the same address again; random: a fresh one each time
 * (in the spirit of RFC 8981). Reserved identifiers (RFC 5453) are
 * skipped. */
#ifndef ODMD_IID_H
#define ODMD_IID_H

#include <netinet/in.h>
#include <stdbool.h>

/* The host's secret, in the state directory (state_fd): read, or made
 * (32 random bytes, mode 0600) the first time. 0, or -1 after logging. */
int iid_init(int state_fd);

/* *addr holds a prefix of plen (<= 64) bits; its last 64 bits become the
 * identifier. counter: 0, then 1, 2... while the address is taken. */
void iid_make(struct in6_addr *addr, unsigned plen, const char *link,
	      unsigned counter, bool random);

#endif
