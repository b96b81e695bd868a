/* lease.c: the lease table and its indexes. */
#include <stdlib.h>
#include <string.h>
#include "lease.h"
#include "worker.h"

int odmd_hash_oom;

struct owner_count {
	uint32_t uid;
	unsigned n;
	UT_hash_handle hh;
};

static struct lease *table;
static struct owner_count *owners;
static struct lease *current[ODM_TYPE_MAX + 1];

struct lease *lease_find(const struct in6_addr *addr)
{
	struct lease *l;

	HASH_FIND(hh, table, addr, sizeof *addr, l);
	return l;
}

struct lease *lease_find_prefix(const struct in6_addr *prefix, unsigned plen)
{
	for (struct lease *l = table; l; l = l->hh.next)
		if (l->plen == plen && !(l->flags & LEASE_OWN) &&
		    !memcmp(&l->prefix, prefix, sizeof *prefix))
			return l;
	return NULL;
}

static void count_owner(uint32_t uid, int delta)
{
	struct owner_count *o;

	if (uid == ODMD_NO_OWNER)
		return;
	HASH_FIND(hh, owners, &uid, sizeof uid, o);
	if (!o && delta > 0) {
		o = calloc(1, sizeof *o);
		if (!o)
			return; /* the count errs low: a quota is then lenient */
		o->uid = uid;
		if (!UTH_ADDED(HASH_ADD(hh, owners, uid, sizeof o->uid, o))) {
			free(o);
			return;
		}
	}
	if (!o)
		return;
	if (delta < 0 && o->n <= (unsigned)-delta) {
		HASH_DEL(owners, o);
		free(o);
		return;
	}
	o->n = (unsigned)((int)o->n + delta);
}

void lease_reserve(uint32_t uid, int delta)
{
	count_owner(uid, delta);
}

unsigned lease_count_owned(uint32_t uid)
{
	struct owner_count *o;

	HASH_FIND(hh, owners, &uid, sizeof uid, o);
	return o ? o->n : 0;
}

static void prefix_of(const struct in6_addr *a, unsigned plen,
		      struct in6_addr *p)
{
	*p = *a;
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = plen > i * 8 ? plen - i * 8 : 0;

		if (keep < 8)
			p->s6_addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

struct lease *lease_new(const struct in6_addr *addr, unsigned plen,
			int ifindex, sc_type type, uint32_t owner)
{
	struct lease *l = calloc(1, sizeof *l);

	if (!l)
		return NULL;
	l->addr = *addr;
	l->plen = plen;
	prefix_of(addr, plen, &l->prefix);
	l->ifindex = ifindex;
	l->type = type;
	l->owner = ODMD_NO_OWNER;
	l->state = ODMD_LEASE_GRANTED;
	l->valid_until = l->preferred_until = l->renew_at = NEVER;
	timer_init(&l->timer, TIMER_LEASE);
	if (!UTH_ADDED(HASH_ADD(hh, table, addr, sizeof l->addr, l))) {
		free(l);
		return NULL;
	}
	lease_set_owner(l, owner);
	return l;
}

void lease_set_owner(struct lease *l, uint32_t owner)
{
	count_owner(l->owner, -1);
	l->owner = owner;
	count_owner(owner, +1);
}

void lease_free(struct lease *l)
{
	if (!l)
		return;
	if (l->flags & LEASE_CURRENT)
		current[l->type] = NULL;
	count_owner(l->owner, -1);
	heap_del(&W.heap, &l->timer);
	HASH_DEL(table, l);
	free(l->socks);
	free(l->prev);
	free(l);
}

size_t lease_count(void)
{
	return HASH_COUNT(table);
}

struct lease *lease_current(sc_type type)
{
	return odm_type_valid(type) ? current[type] : NULL;
}

void lease_set_current(struct lease *l, bool cur)
{
	if (cur) {
		struct lease *old = current[l->type];

		if (old && old != l)
			old->flags &= ~LEASE_CURRENT;
		current[l->type] = l;
		l->flags |= LEASE_CURRENT;
	} else if (l->flags & LEASE_CURRENT) {
		l->flags &= ~LEASE_CURRENT;
		current[l->type] = NULL;
	}
}

struct lease *lease_first(void)
{
	return table;
}

struct lease *lease_next(const struct lease *l)
{
	return l->hh.next;
}
