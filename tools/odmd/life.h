/* life.h: the life of each lease, type by type (RFC 8653 3.2), kept in
 * step with the kernel:
 *   granted -> in use -> idle -> (releasable ones) draining -> released
 * - renewal before it expires, as long as the type promises: Fixed
 *   always; Session-Lasting while in use or held; Nonpersistent and
 *   Graceful-Replacement while current; others while in use or held;
 * - a grant is held for its requester (network.hold) until a socket binds
 *   it; an unused releasable one (a fresh prefix asked for with ON_NET, a
 *   Session-Lasting one after a move) is marked draining after
 *   network.idle, so engines give it to no new socket, and released when
 *   the next look still finds no socket;
 * - an address the kernel lost (a link flap, an administrator) is put
 *   back while its lease is valid, and answered to nobody meanwhile;
 * - the network's events: a move, a prefix withdrawn or deprecated, new
 *   lifetimes. */
#ifndef ODMD_LIFE_H
#define ODMD_LIFE_H

#include <stdbool.h>
#include <stdint.h>
#include "lease.h"

struct grant;

/* Seconds left until a time (ms), for the kernel and the replies:
 * ODM_LIFETIME_INFINITE for NEVER, at least min_s. */
uint32_t life_secs_left(uint64_t until, uint32_t min_s);

/* Sets the lease's lifetimes from a grant or renewal (seconds from now)
 * and when to renew it. */
void life_set_lifetimes(struct lease *l, uint32_t preferred, uint32_t valid);

/* Arms the lease's timer for its next event. */
void life_schedule(struct lease *l);

/* Tells the kernel the lease's mark and lifetimes as they are now. */
void life_push(struct lease *l);

/* Its timer fired. */
void life_due(struct lease *l);

/* Should its lease be renewed now? */
bool life_wanted(const struct lease *l);

/* A requester was given it: held for network.hold seconds. */
void life_hold(struct lease *l);

/* May a new socket be given it? (present, neither draining, deprecated
 * nor going.) */
bool life_answerable(const struct lease *l);

/* The usage scan has counted its sockets (l->sockets). */
void life_after_scan(struct lease *l);

/* Removes it from the kernel, hands it back to the network, forgets it. */
void life_release(struct lease *l, const char *why);

/* The kernel no longer has it. */
void life_absent(struct lease *l);

/* The kernel has it (again), maybe with a mark that is not ours. */
void life_present(struct lease *l, uint8_t proto);

/* A link came up or back: leases waiting on it are put back now. */
void life_link_up(int ifindex);

/* The types odm.conf obtains at attach, where the host has none
 * (life_after_move() tells when they are in). */
void life_attach(void);

/* The network's events, reported by the backend. */
void net_move(void);
void net_withdraw(const struct in6_addr *prefix, unsigned plen);
void net_deprecate(const struct in6_addr *prefix, unsigned plen,
		   uint32_t grace_s);
void net_lifetimes(const struct in6_addr *prefix, unsigned plen,
		   uint32_t preferred, uint32_t valid);

/* Calls done(arg) once the grants the last move (or the attach) started
 * have finished (at once when there are none). */
void life_after_move(void (*done)(void *arg), void *arg);

/* The kernel mark of a lease now: its type, draining or not. */
uint8_t life_proto(const struct lease *l);

#endif
