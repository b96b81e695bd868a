/* own.c: own addresses (own.h). The per-process ones sit in a small table
 * by rule, read and written with atomics (a hook may run in a signal
 * handler): two threads that race ask odmd twice, and odmd releases the
 * spare once it is unused. */
#include <string.h>
#include "engine.h"
#include "own.h"

#define SLOTS 32

static struct slot {
	const struct odm_rule *rule;
	uint64_t gen;       /* the engine's generation it was last known good at */
	uint64_t addr[2];
	unsigned forks;     /* the process it belongs to (after how many forks) */
} slots[SLOTS];
static unsigned forks;

void odm_own_fork_child(void)
{
	__atomic_add_fetch(&forks, 1, __ATOMIC_RELAXED);
}

static struct slot *slot_of(const struct odm_rule *r)
{
	struct slot *free_one = NULL;

	for (int i = 0; i < SLOTS; i++) {
		const struct odm_rule *x = __atomic_load_n(&slots[i].rule,
							   __ATOMIC_ACQUIRE);

		if (x == r)
			return &slots[i];
		if (!x && !free_one)
			free_one = &slots[i];
	}
	if (free_one) {
		const struct odm_rule *none = NULL;

		if (__atomic_compare_exchange_n(&free_one->rule, &none, r, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return free_one;
		return none == r ? free_one : NULL;
	}
	return NULL; /* more rules than slots: asked each time */
}

int odm_own_addr(const struct odm_rule *r, struct in6_addr *out)
{
	struct slot *s;
	uint64_t a[2], gen, now;
	int rc;

	if (r->address == ODM_ADDR_PER_SOCKET || !(s = slot_of(r)))
		return odm_engine_own_ask(r->type, r->rotate_s, r->rotate_bytes,
					  out);
	gen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
	a[0] = __atomic_load_n(&s->addr[0], __ATOMIC_RELAXED);
	a[1] = __atomic_load_n(&s->addr[1], __ATOMIC_RELAXED);
	if (gen && __atomic_load_n(&s->forks, __ATOMIC_RELAXED) ==
			   __atomic_load_n(&forks, __ATOMIC_RELAXED)) {
		memcpy(out, a, sizeof a);
		now = odm_engine_gen_now();
		if (now && now == gen)
			return 0; /* nothing typed changed since */
		if (odm_engine_own_usable(out, &now)) {
			__atomic_store_n(&s->gen, now ? now : 1, __ATOMIC_RELEASE);
			return 0;
		}
	}
	/* None yet, or rotated (odmd's drain mark), or gone, or a parent's. */
	__atomic_store_n(&s->gen, 0, __ATOMIC_RELEASE);
	rc = odm_engine_own_ask(r->type, r->rotate_s, r->rotate_bytes, out);
	if (rc)
		return rc;
	memcpy(a, out, sizeof a);
	__atomic_store_n(&s->addr[0], a[0], __ATOMIC_RELAXED);
	__atomic_store_n(&s->addr[1], a[1], __ATOMIC_RELAXED);
	__atomic_store_n(&s->forks, __atomic_load_n(&forks, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
	/* Known good from the next generation on (the ask invalidated). */
	__atomic_store_n(&s->gen, 1, __ATOMIC_RELEASE);
	return 0;
}
