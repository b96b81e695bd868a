/* grant.c: from the network's prefix to a configured, journaled lease. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "backend.h"
#include "dlog.h"
#include "grant.h"
#include "iid.h"
#include "journal.h"
#include "life.h"
#include "psclient.h"
#include "worker.h"

#define GRANT_TRIES 64   /* prefixes whose address is there already: next */

struct waiter {
	grant_done *done;
	void *arg;
	struct waiter *next;
};

struct op {
	sc_type type;
	uint32_t owner;
	unsigned flags;
	unsigned tries;
	struct grant g;
	struct in6_addr addr;
	int ifindex;
	struct waiter *waiters;
};

static unsigned inflight;
static struct op *current_op[ODM_TYPE_MAX + 1]; /* a current grant under way */

unsigned grant_inflight(void)
{
	return inflight;
}

static void finish(struct op *op, int status, struct lease *l,
		   const char *reason)
{
	struct waiter *w = op->waiters, *next;

	if (op->flags & LEASE_CURRENT)
		current_op[op->type] = NULL;
	lease_reserve(op->owner, -1);
	inflight--;
	op->waiters = NULL;
	for (; w; w = next) {
		next = w->next;
		if (w->done)
			w->done(w->arg, status, l, reason);
		free(w);
	}
	free(op);
}

static void ask_backend(struct op *op);

/* The network's prefix goes back to it: no lease came of it. */
static void give_back(const struct op *op)
{
	struct lease tmp;

	memset(&tmp, 0, sizeof tmp);
	tmp.prefix = op->g.prefix;
	tmp.plen = op->g.plen;
	tmp.type = op->type;
	tmp.backend_id = op->g.id;
	W.backend->release(W.backend, &tmp);
}

static void rule_done(void *arg, const struct ps_msg *r, int fd)
{
	struct in6_addr *a = arg;
	struct lease *l = lease_find(a);

	(void)fd;
	if (r->rc)
		dlog_warn("no `from` rule for %s: %s", inet_ntop(AF_INET6, a,
			  (char[INET6_ADDRSTRLEN]){ 0 }, INET6_ADDRSTRLEN),
			  strerror(-r->rc));
	else if (l)
		l->routed = true;
	free(a);
}

static void added(void *arg, const struct ps_msg *r, int fd)
{
	struct op *op = arg;
	struct wlink *link = wlink_by_index(op->ifindex);
	char text[INET6_ADDRSTRLEN], reason[ODMD_REASON_MAX + 1];
	struct lease *l;

	(void)fd;
	inet_ntop(AF_INET6, &op->addr, text, sizeof text);
	if (r->rc == -EEXIST && ++op->tries < GRANT_TRIES) {
		/* Somebody configured that address already: keep that prefix
		 * out (the backend counts it out) and ask for another. */
		dlog_info("%s is on the host already: another prefix", text);
		give_back(op);
		ask_backend(op);
		return;
	}
	if (r->rc) {
		snprintf(reason, sizeof reason, "cannot configure %s: %s", text,
			 strerror(-r->rc));
		dlog_warn("%s", reason);
		give_back(op);
		finish(op, ODMD_ST_FAILED, NULL, reason);
		return;
	}
	l = lease_new(&op->addr, op->g.plen, op->ifindex, op->type, op->owner);
	if (!l) {
		ps_addr(PS_ADDR_DEL, op->ifindex, &op->addr, op->g.plen, 0, 0, 0,
			NULL, NULL);
		give_back(op);
		finish(op, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	l->flags = op->flags & ~LEASE_CURRENT;
	if (op->type == FIXED_IPV6_ADDRESS)
		l->flags &= ~LEASE_RELEASABLE; /* "used or not" */
	l->backend_id = op->g.id;
	l->granted = W.now;
	life_set_lifetimes(l, op->g.preferred, op->g.valid);
	if (op->flags & LEASE_CURRENT)
		lease_set_current(l, true);
	if (link && link->table) {
		struct in6_addr *key = malloc(sizeof *key);

		if (key) {
			*key = l->addr;
			ps_rule(PS_RULE_ADD, &l->prefix, l->plen, link->table,
				rule_done, key);
		}
	}
	life_schedule(l);
	journal_put(l);
	dlog_info("granted %s %s/%u on %s (%s)", odm_type_name(l->type), text,
		  l->plen, link ? link->name : "?",
		  l->owner == ODMD_NO_OWNER ? "the host's"
		  : (snprintf(reason, sizeof reason, "uid %u", l->owner), reason));
	finish(op, ODMD_ST_OK, l, "");
}

static void granted(void *arg, int status, const struct grant *g,
		    const char *reason)
{
	struct op *op = arg;
	struct wlink *link;

	if (status != ODMD_ST_OK) {
		finish(op, status, NULL, reason);
		return;
	}
	op->g = *g;
	link = wlink_by_name(g->link);
	if (!link || link->ifindex <= 0 || g->plen == 0 || g->plen > 64 ||
	    g->valid == 0) {
		char why[ODMD_REASON_MAX + 1];

		if (!link)
			snprintf(why, sizeof why, "the network's link %.16s is "
				 "not one of odmd's", g->link);
		else if (link->ifindex <= 0)
			snprintf(why, sizeof why, "link %s is not there",
				 link->name);
		else
			snprintf(why, sizeof why, "the network's prefix is not "
				 "usable (/%u, valid %u s)", g->plen, g->valid);
		dlog_warn("%s", why);
		give_back(op);
		finish(op, ODMD_ST_FAILED, NULL, why);
		return;
	}
	op->ifindex = link->ifindex;
	op->addr = g->prefix;
	iid_make(&op->addr, g->plen, link->name, op->tries,
		 W.hc->net.iid == ODM_IID_RANDOM);
	if (lease_find(&op->addr)) {
		/* The network gave a prefix odmd holds: a confused backend. */
		finish(op, ODMD_ST_FAILED, NULL, "the network gave a prefix "
		       "odmd holds already");
		return;
	}
	if (ps_addr(PS_ADDR_ADD, op->ifindex, &op->addr, g->plen,
		    odmd_type_anchored(op->type) ? 0 : g->preferred, g->valid, odmd_proto_of_type(op->type), added, op))
		finish(op, ODMD_ST_FAILED, NULL, "out of memory");
}

static void ask_backend(struct op *op)
{
	W.backend->request(W.backend, op->type, granted, op);
}

void grant_start(sc_type type, uint32_t owner, unsigned flags,
		 grant_done *done, void *arg)
{
	struct waiter *w = calloc(1, sizeof *w);
	struct op *op;

	if (!w) {
		if (done)
			done(arg, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	w->done = done;
	w->arg = arg;
	if ((flags & LEASE_CURRENT) && (op = current_op[type])) {
		w->next = op->waiters; /* one grant for all who wait */
		op->waiters = w;
		return;
	}
	if (inflight >= GRANT_MAX_INFLIGHT || !(op = calloc(1, sizeof *op))) {
		free(w);
		if (done)
			done(arg, ODMD_ST_BUSY, NULL, "odmd is busy: try again");
		return;
	}
	op->type = type;
	op->owner = owner;
	op->flags = flags;
	op->waiters = w;
	inflight++;
	lease_reserve(owner, +1);
	if (flags & LEASE_CURRENT)
		current_op[type] = op;
	ask_backend(op);
}
