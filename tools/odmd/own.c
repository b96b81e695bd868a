/* own.c: own addresses (own.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dlog.h"
#include "iid.h"
#include "journal.h"
#include "life.h"
#include "own.h"
#include "psclient.h"
#include "worker.h"

struct own_op {
	struct in6_addr addr, base;
	uint32_t owner, rotate_s;
	uint64_t rotate_bytes;
	grant_done *done;
	void *arg;
	unsigned tries;
};

static bool in_prefix(const struct lease *l, const struct lease *base)
{
	return l != base && l->plen == base->plen &&
	       !memcmp(&l->prefix, &base->prefix, sizeof l->prefix);
}

static void try_add(struct own_op *op);

static void added(void *arg, const struct ps_msg *r, int fd)
{
	struct own_op *op = arg;
	struct lease *base = lease_find(&op->base), *l;
	char text[INET6_ADDRSTRLEN];

	(void)fd;
	if (r->rc == -EEXIST && ++op->tries < 8 && base) {
		try_add(op); /* taken: another identifier */
		return;
	}
	if (r->rc || !base) {
		if (!r->rc)
			ps_addr(PS_ADDR_DEL, 0, &op->addr, 64, 0, 0, 0, NULL, NULL);
		op->done(op->arg, ODMD_ST_FAILED, NULL,
			 base ? "cannot configure an address of its own"
			      : "the type's prefix went meanwhile");
		free(op);
		return;
	}
	l = lease_new(&op->addr, base->plen, base->ifindex, base->type,
		      op->owner);
	if (!l) {
		ps_addr(PS_ADDR_DEL, base->ifindex, &op->addr, base->plen, 0, 0,
			0, NULL, NULL);
		op->done(op->arg, ODMD_ST_FAILED, NULL, "out of memory");
		free(op);
		return;
	}
	l->prefix = base->prefix;
	l->flags = LEASE_OWN | LEASE_RELEASABLE;
	l->backend_id = base->backend_id;
	l->granted = W.now;
	l->valid_until = base->valid_until;
	l->preferred_until = base->preferred_until;
	l->renew_at = NEVER; /* the base renews; own_follow passes it on */
	l->rotate_at = op->rotate_s ? W.now + (uint64_t)op->rotate_s * 1000 : 0;
	l->rotate_bytes = op->rotate_bytes;
	life_schedule(l);
	journal_put(l);
	dlog_info("own %s %s for uid %u (rotates %s%s)",
		  odm_type_name(l->type),
		  inet_ntop(AF_INET6, &l->addr, text, sizeof text), op->owner,
		  op->rotate_s ? "by time" : "",
		  op->rotate_bytes ? (op->rotate_s ? " and bytes" : "by bytes")
				   : (op->rotate_s ? "" : "never"));
	op->done(op->arg, ODMD_ST_OK, l, "");
	free(op);
}

static void try_add(struct own_op *op)
{
	struct lease *base = lease_find(&op->base);
	struct wlink *link = base ? wlink_by_index(base->ifindex) : NULL;

	op->addr = base->prefix;
	do /* a random identifier, never one odmd holds */
		iid_make(&op->addr, base->plen, link ? link->name : "", 0, true);
	while (lease_find(&op->addr));
	if (ps_addr(PS_ADDR_ADD, base->ifindex, &op->addr, base->plen,
		    odmd_type_anchored(base->type) ? 0
		    : life_secs_left(base->preferred_until, 0),
		    life_secs_left(base->valid_until, 1),
		    odmd_proto_of_type(base->type), added, op)) {
		op->done(op->arg, ODMD_ST_FAILED, NULL, "out of memory");
		free(op);
	}
}

void own_start(struct lease *base, uint32_t owner, uint32_t rotate_s,
	       uint64_t rotate_bytes, grant_done *done, void *arg)
{
	struct own_op *op = calloc(1, sizeof *op);

	if (!op) {
		done(arg, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	op->base = base->addr;
	op->owner = owner;
	op->rotate_s = rotate_s;
	op->rotate_bytes = rotate_bytes;
	op->done = done;
	op->arg = arg;
	try_add(op);
}

void own_follow(struct lease *base)
{
	struct lease *l, *next;

	if (base->flags & LEASE_OWN)
		return;
	for (l = lease_first(); l; l = next) {
		next = lease_next(l);
		if (!(l->flags & LEASE_OWN) || !in_prefix(l, base))
			continue;
		l->valid_until = base->valid_until;
		l->preferred_until = base->preferred_until;
		if (base->state == ODMD_LEASE_DEPRECATED &&
		    l->state != ODMD_LEASE_DEPRECATED)
			l->state = ODMD_LEASE_DEPRECATED;
		life_push(l);
		life_schedule(l);
		journal_put(l);
	}
}

bool own_in_use(const struct lease *base)
{
	for (const struct lease *l = lease_first(); l; l = lease_next(l))
		if ((l->flags & LEASE_OWN) && in_prefix(l, base) && l->sockets)
			return true;
	return false;
}
