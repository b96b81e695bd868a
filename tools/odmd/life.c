/* life.c: each lease's life (life.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"
#include "dlog.h"
#include "grant.h"
#include "journal.h"
#include "life.h"
#include "own.h"
#include "nl.h"
#include "psclient.h"
#include "worker.h"

#define RESTORE_MAX_BACKOFF 30000 /* ms */

static const char *ntop(const struct in6_addr *a)
{
	static char b[4][INET6_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET6, a, b[i], sizeof b[i]);
}

uint32_t life_secs_left(uint64_t until, uint32_t min_s)
{
	uint64_t s;

	if (until == NEVER)
		return ODM_LIFETIME_INFINITE;
	s = until > W.now ? (until - W.now + 999) / 1000 : 0;
	if (s >= ODM_LIFETIME_INFINITE)
		s = ODM_LIFETIME_INFINITE - 1;
	return s < min_s ? min_s : (uint32_t)s;
}

static uint64_t until_of(uint32_t secs)
{
	return secs == ODM_LIFETIME_INFINITE ? NEVER : W.now + (uint64_t)secs * 1000;
}

void life_set_lifetimes(struct lease *l, uint32_t preferred, uint32_t valid)
{
	l->valid_until = until_of(valid);
	l->preferred_until = until_of(preferred > valid ? valid : preferred);
	/* Renew at half the valid lifetime, as DHCPv6's T1. */
	l->renew_at = valid == ODM_LIFETIME_INFINITE ? NEVER
			  : W.now + (uint64_t)valid * 500;
}

uint8_t life_proto(const struct lease *l)
{
	return l->state == ODMD_LEASE_DRAINING
		       ? odmd_proto_draining_of_type(l->type)
		       : odmd_proto_of_type(l->type);
}

void life_schedule(struct lease *l)
{
	uint64_t due = l->valid_until;

	if (l->renew_at < due)
		due = l->renew_at;
	if (l->state == ODMD_LEASE_ABSENT && l->restore_at < due)
		due = l->restore_at;
	if (due == NEVER)
		heap_del(&W.heap, &l->timer);
	else if (heap_set(&W.heap, &l->timer, due))
		dlog_err("out of memory: %s has no timer", ntop(&l->addr));
}

bool life_answerable(const struct lease *l)
{
	return l->state != ODMD_LEASE_ABSENT && l->state != ODMD_LEASE_DRAINING &&
	       l->state != ODMD_LEASE_DEPRECATED &&
	       !(l->flags & LEASE_WITHDRAWN) && W.now < l->valid_until &&
	       W.now < l->preferred_until;
}

bool life_wanted(const struct lease *l)
{
	if ((l->flags & LEASE_WITHDRAWN) || l->state == ODMD_LEASE_DEPRECATED)
		return false;
	if (l->type == FIXED_IPV6_ADDRESS)
		return true; /* "for a very long time", used or not */
	if (l->sockets > 0 || W.now < l->hold_until)
		return true;
	if (l->type == SESSION_LASTING_IPV6_ADDRESS)
		return false; /* "as long as the sockets that use it" */
	return (l->flags & LEASE_CURRENT) && !(l->flags & LEASE_RELEASABLE);
}

void life_hold(struct lease *l)
{
	uint64_t until = W.now + (uint64_t)W.hc->net.hold_s * 1000;

	if (until > l->hold_until)
		l->hold_until = until;
	/* A Session-Lasting lease left to lapse is wanted again. */
	if (l->renew_at == NEVER && l->valid_until != NEVER && !l->renewing) {
		l->renew_at = W.now;
		life_schedule(l);
	}
}

/* Tells the kernel the lease's mark and lifetimes as they are now. */
void life_push(struct lease *l)
{
	ps_addr(PS_ADDR_CHANGE, l->ifindex, &l->addr, l->plen,
		l->state == ODMD_LEASE_DEPRECATED || odmd_type_anchored(l->type)
			? 0 : life_secs_left(l->preferred_until, 0),
		life_secs_left(l->valid_until, 1), life_proto(l), NULL, NULL);
}

static void set_state(struct lease *l, uint8_t state)
{
	bool mark = (l->state == ODMD_LEASE_DRAINING) !=
		    (state == ODMD_LEASE_DRAINING);

	if (l->state == state)
		return;
	l->state = state;
	if (mark)
		life_push(l);
	journal_put(l);
}

void life_release(struct lease *l, const char *why)
{
	struct wlink *link = wlink_by_index(l->ifindex);

	dlog_info("released %s %s: %s", odm_type_name(l->type),
		  ntop(&l->addr), why);
	ps_addr(PS_ADDR_DEL, l->ifindex, &l->addr, l->plen, 0, 0, 0, NULL, NULL);
	if (l->flags & LEASE_OWN) { /* the prefix is its base's */
		journal_drop(&l->addr);
		lease_free(l);
		return;
	}
	/* Own addresses in its prefix cannot outlive it. */
	for (struct lease *o = lease_first(), *next; o; o = next) {
		next = lease_next(o);
		if ((o->flags & LEASE_OWN) && o->plen == l->plen &&
		    !memcmp(&o->prefix, &l->prefix, sizeof o->prefix))
			life_release(o, "its prefix went");
	}
	if (l->routed && link && link->table)
		ps_rule(PS_RULE_DEL, &l->prefix, l->plen, link->table, NULL, NULL);
	W.backend->release(W.backend, l);
	journal_drop(&l->addr);
	lease_free(l);
}

/* --- renewal ------------------------------------------------------------- */

static void renewed(void *arg, int status, const struct grant *g,
		    const char *reason)
{
	struct in6_addr *key = arg;
	struct lease *l = lease_find(key);

	free(key);
	if (!l)
		return;
	l->renewing = false;
	if (status == ODMD_ST_OK) {
		life_set_lifetimes(l, g->preferred, g->valid);
		if (l->state != ODMD_LEASE_ABSENT)
			life_push(l);
		journal_put(l);
		own_follow(l);
		dlog_debug("renewed %s %s for %u s", odm_type_name(l->type),
			   ntop(&l->addr), g->valid);
	} else {
		uint64_t left = l->valid_until > W.now ? l->valid_until - W.now : 0;

		dlog_warn("renewal of %s %s failed: %s", odm_type_name(l->type),
			  ntop(&l->addr), reason);
		/* Again at half the time left, while there is some. */
		l->renew_at = left > 2000 ? W.now + left / 2 : NEVER;
	}
	life_schedule(l);
}

static void renew(struct lease *l)
{
	struct in6_addr *key = malloc(sizeof *key);

	l->renew_at = NEVER; /* the answer sets the next one */
	if (!key) {
		l->renew_at = W.now + 1000;
		return;
	}
	*key = l->addr;
	l->renewing = true;
	W.backend->renew(W.backend, l, renewed, key);
}

/* --- the kernel ---------------------------------------------------------- */

static void restored(void *arg, const struct ps_msg *r, int fd)
{
	struct in6_addr *key = arg;
	struct lease *l = lease_find(key);

	(void)fd;
	free(key);
	if (!l)
		return;
	l->restoring = false;
	if (l->state != ODMD_LEASE_ABSENT)
		return;
	if (r->rc == 0 || r->rc == -EEXIST) {
		dlog_info("restored %s %s", odm_type_name(l->type),
			  ntop(&l->addr));
		l->restore_backoff = 0;
		l->state = l->sockets ? ODMD_LEASE_IN_USE : ODMD_LEASE_IDLE;
		l->idle_since = W.now;
		if (r->rc == -EEXIST)
			life_push(l); /* somebody else's mark: ours again */
		journal_put(l);
	} else {
		l->restore_backoff = l->restore_backoff
			? (l->restore_backoff * 2 > RESTORE_MAX_BACKOFF
				   ? RESTORE_MAX_BACKOFF : l->restore_backoff * 2)
			: 1000;
		l->restore_at = W.now + l->restore_backoff;
		dlog_warn("cannot restore %s %s (%s): again in %u s",
			  odm_type_name(l->type), ntop(&l->addr),
			  strerror(-r->rc), l->restore_backoff / 1000);
	}
	life_schedule(l);
}

static void restore(struct lease *l)
{
	struct in6_addr *key;
	struct wlink *link = wlink_by_index(l->ifindex);

	l->restore_at = NEVER;
	if (!link || link->ifindex <= 0 || !(key = malloc(sizeof *key))) {
		l->restore_at = W.now + RESTORE_MAX_BACKOFF;
		return;
	}
	*key = l->addr;
	l->restoring = true;
	if (ps_addr(PS_ADDR_ADD, l->ifindex, &l->addr, l->plen,
		    odmd_type_anchored(l->type) ? 0
		    : life_secs_left(l->preferred_until, 0),
		    life_secs_left(l->valid_until, 1), odmd_proto_of_type(l->type),
		    restored, key)) {
		l->restoring = false;
		l->restore_at = W.now + 1000;
	}
}

void life_absent(struct lease *l)
{
	if (W.now + 1000 >= l->valid_until) {
		life_release(l, "its lifetime ended");
		return;
	}
	if (l->state == ODMD_LEASE_ABSENT)
		return; /* a restore is under way */
	if (l->state == ODMD_LEASE_DEPRECATED) {
		life_release(l, "deprecated, and gone from the kernel");
		return;
	}
	dlog_warn("%s %s disappeared from %s: restoring it",
		  odm_type_name(l->type), ntop(&l->addr),
		  wlink_by_index(l->ifindex) ? wlink_by_index(l->ifindex)->name
					     : "?");
	l->state = ODMD_LEASE_ABSENT;
	journal_put(l);
	restore(l);
	life_schedule(l);
}

void life_present(struct lease *l, uint8_t proto)
{
	if (l->state == ODMD_LEASE_ABSENT)
		return; /* our own restore, its answer comes */
	if (proto != life_proto(l)) {
		dlog_info("%s lost its mark (proto %u): marked again",
			  ntop(&l->addr), proto);
		life_push(l);
	}
}

void life_link_up(int ifindex)
{
	for (struct lease *l = lease_first(); l; l = lease_next(l))
		if (l->ifindex == ifindex && l->state == ODMD_LEASE_ABSENT &&
		    l->restore_at != NEVER) {
			l->restore_at = W.now;
			l->restore_backoff = 0;
			life_schedule(l);
		}
}

/* --- timers and usage ---------------------------------------------------- */

void life_due(struct lease *l)
{
	if (W.now >= l->valid_until) {
		life_release(l, "its lifetime ended");
		return;
	}
	if (l->state == ODMD_LEASE_ABSENT && W.now >= l->restore_at &&
	    !l->restoring)
		restore(l);
	if (W.now >= l->renew_at) {
		if (life_wanted(l) && !l->renewing)
			renew(l);
		else
			l->renew_at = NEVER; /* lapses, unless wanted again */
	}
	life_schedule(l);
}

void life_after_scan(struct lease *l)
{
	const struct odm_hc_network *net = &W.hc->net;

	/* An own address past its rotation: no new sockets; it goes once
	 * its last socket has. */
	if ((l->flags & LEASE_OWN) && !(l->flags & LEASE_RETIRED) &&
	    l->state != ODMD_LEASE_ABSENT && l->state != ODMD_LEASE_DEPRECATED &&
	    ((l->rotate_at && W.now >= l->rotate_at) ||
	     (l->rotate_bytes && l->bytes >= l->rotate_bytes))) {
		dlog_info("rotated %s %s after %llu s and %llu bytes",
			  odm_type_name(l->type), ntop(&l->addr),
			  (unsigned long long)((W.now - l->granted) / 1000),
			  (unsigned long long)l->bytes);
		l->flags |= LEASE_RETIRED;
		l->drain_until = W.now + (uint64_t)net->drain_s * 1000;
		set_state(l, ODMD_LEASE_DRAINING);
	}
	switch (l->state) {
	case ODMD_LEASE_ABSENT:
	case ODMD_LEASE_DEPRECATED:
		return;
	case ODMD_LEASE_DRAINING:
		if (l->sockets) {
			if (!(l->flags & LEASE_RETIRED))
				set_state(l, ODMD_LEASE_IN_USE); /* bound meanwhile */
		} else if (W.now >= l->drain_until) {
			life_release(l, "unused");
			return;
		}
		break;
	default:
		if (l->sockets || l->own_busy) {
			set_state(l, ODMD_LEASE_IN_USE);
			break;
		}
		if (W.now < l->hold_until)
			break; /* held for its requester */
		if (l->state != ODMD_LEASE_IDLE) {
			set_state(l, ODMD_LEASE_IDLE);
			l->idle_since = W.now;
		}
		/* A lease from before a move has kept its promise once its
		 * last socket is gone: no idle time. */
		if ((l->flags & LEASE_RELEASABLE) &&
		    W.now >= l->idle_since + (l->flags & LEASE_MOVED ? 0
					      : (uint64_t)net->idle_s * 1000)) {
			/* Engines stop giving it out; one last look after
			 * network.drain. */
			l->drain_until = W.now + (uint64_t)net->drain_s * 1000;
			set_state(l, ODMD_LEASE_DRAINING);
			if (l->flags & LEASE_CURRENT)
				lease_set_current(l, false);
		}
	}
	if (l->renew_at == NEVER && l->valid_until != NEVER && !l->renewing &&
	    life_wanted(l)) {
		l->renew_at = W.now;
		life_schedule(l);
	}
}

/* --- the network's events ------------------------------------------------ */

static unsigned move_pending;
struct move_waiter {
	void (*done)(void *);
	void *arg;
	struct move_waiter *next;
};
static struct move_waiter *move_waiters;

static void move_grant_done(void *arg, int status, struct lease *l,
			    const char *reason)
{
	sc_type t = (sc_type)(uintptr_t)arg;
	struct move_waiter *w, *next;

	(void)l;
	if (status != ODMD_ST_OK)
		dlog_warn("no new %s prefix: %s", odm_type_name(t), reason);
	if (move_pending && --move_pending)
		return;
	for (w = move_waiters, move_waiters = NULL; w; w = next) {
		next = w->next;
		w->done(w->arg);
		free(w);
	}
}

void life_after_move(void (*done)(void *arg), void *arg)
{
	struct move_waiter *w;

	if (!move_pending) {
		done(arg);
		return;
	}
	if (!(w = calloc(1, sizeof *w))) {
		done(arg);
		return;
	}
	w->done = done;
	w->arg = arg;
	w->next = move_waiters;
	move_waiters = w;
}

/* The type's current lease, unless there is one; the move (or attach)
 * waits for it. */
static void obtain(sc_type t)
{
	if (lease_current(t))
		return;
	move_pending++;
	grant_start(t, ODMD_NO_OWNER, LEASE_CURRENT, move_grant_done,
		    (void *)(uintptr_t)t);
}

void life_attach(void)
{
	for (sc_type t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++)
		if (W.hc->net.attach & (1u << t))
			obtain(t);
}

static void deprecate(struct lease *l, uint32_t grace_s)
{
	l->preferred_until = W.now;
	l->valid_until = W.now + (uint64_t)grace_s * 1000;
	l->renew_at = NEVER;
	lease_set_current(l, false);
	l->state = ODMD_LEASE_DEPRECATED;
	life_push(l);
	journal_put(l);
	life_schedule(l);
	dlog_info("deprecated %s %s for %u s", odm_type_name(l->type),
		  ntop(&l->addr), grace_s);
	own_follow(l);
}

void net_move(void)
{
	bool had[ODM_TYPE_MAX + 1] = { false };
	struct lease *l, *next;

	dlog_info("move to a new point of attachment");
	for (l = lease_first(); l; l = next) {
		next = lease_next(l);
		if (l->state == ODMD_LEASE_DEPRECATED)
			continue;
		switch (l->type) {
		case NON_PERSISTENT_IPV6_ADDRESS:
			had[l->type] |= (l->flags & LEASE_CURRENT) != 0;
			life_release(l, "withdrawn by the move");
			break;
		case GRACEFUL_REPLACEMENT_IPV6_ADDRESS:
			had[l->type] |= (l->flags & LEASE_CURRENT) != 0;
			deprecate(l, W.hc->net.grace_s);
			break;
		case SESSION_LASTING_IPV6_ADDRESS:
			/* Kept while sockets use it, then handed back. */
			l->flags |= LEASE_MOVED | LEASE_RELEASABLE;
			journal_put(l);
			break;
		default:
			break; /* Fixed stays, used or not */
		}
	}
	for (sc_type t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++)
		if (had[t] || (W.hc->net.attach & (1u << t)))
			obtain(t);
}

void net_withdraw(const struct in6_addr *prefix, unsigned plen)
{
	struct lease *l = lease_find_prefix(prefix, plen);

	if (l)
		life_release(l, "withdrawn by the network");
	else
		dlog_info("the network withdrew %s/%u, which odmd does not hold",
			  ntop(prefix), plen);
}

void net_deprecate(const struct in6_addr *prefix, unsigned plen,
		   uint32_t grace_s)
{
	struct lease *l = lease_find_prefix(prefix, plen);

	if (l && l->state != ODMD_LEASE_DEPRECATED)
		deprecate(l, grace_s);
}

void net_lifetimes(const struct in6_addr *prefix, unsigned plen,
		   uint32_t preferred, uint32_t valid)
{
	struct lease *l = lease_find_prefix(prefix, plen);

	if (!l || l->state == ODMD_LEASE_DEPRECATED)
		return;
	life_set_lifetimes(l, preferred, valid);
	if (l->state != ODMD_LEASE_ABSENT)
		life_push(l);
	journal_put(l);
	life_schedule(l);
}
