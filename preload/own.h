/* own.h: addresses of a socket's or a process's own (odm-policy(5):
 * address = per-socket | per-process, rotate, rotate-bytes; RFC 8653
 * section 5). odmd makes them (a random identifier in the type's current
 * prefix) and rotates them; the shim asks for one per socket, or once per
 * rule and process and keeps it while the host has it usable. */
#ifndef ODM_OWN_H
#define ODM_OWN_H

#include <netinet/in.h>
#include <stdbool.h>
#include "policy.h"

/* Does the rule want an address not shared with the type's other users? */
static inline bool odm_rule_own(const struct odm_rule *r)
{
	return r->address != ODM_ADDR_SHARED || r->rotate_s || r->rotate_bytes;
}

/* The address r's socket gets: 0 with *out set, or a setsc() status. */
int odm_own_addr(const struct odm_rule *r, struct in6_addr *out);

/* fork(): the child is a process of its own (init.c's fork handler). */
void odm_own_fork_child(void);

#endif
