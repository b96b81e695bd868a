/* engine.h: the setsc() engine: which address of a type this host has now.
 * Reads the host config once and the kernel's addresses over rtnetlink;
 * its answer stays cached while nothing typed changed: the cached path is
 * a few atomic loads, no lock and no syscall. */
#ifndef ODM_ENGINE_H
#define ODM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include "addrpick.h"

/* A pick that would ask odmd (a dry run). */
#define ODM_ASK_ODMD 1

/* An address of type for a new socket: 0 with *out set, or
 * EAI_REQUIREDIPNOTSUPPORTED / EAI_REQUIREDIPFAILED. The host's own usable
 * address of the type if it has one (unless on_net); else, when odm.conf
 * configures an agent, odmd's answer (it may obtain a new prefix: this
 * blocks up to the agent timeout, without holding the engine's lock), or
 * ODM_ASK_ODMD without asking when dry; else FAILED when the type is
 * declared in odm.conf, NOTSUPPORTED when not. type must be valid (1..4). */
static inline int odm_engine_pick(sc_type type, bool on_net, bool dry,
				  struct in6_addr *out);

/* The part of odm_engine_pick past the cache. */
int odm_engine_pick_slow(sc_type type, bool on_net, bool dry,
			 struct in6_addr *out);

/* The cached answers, here only so that the pick inlines into its callers:
 * per type the chosen address, and the generation it was read at, under a
 * sequence counter (odd while the engine rewrites them). odm_eng_gen_src
 * points at the counter that says whether that is still current: odmd's
 * page or the monitor thread's; NULL: nothing watches, nothing is cached.
 * Every field is accessed atomically. */
struct odm_engine_fast {
	unsigned seq;
	uint64_t gen;
	uint8_t have[ODM_TYPE_MAX + 1];
	uint64_t addr[ODM_TYPE_MAX + 1][2];
};
extern struct odm_engine_fast odm_eng_fast;
extern const uint64_t *odm_eng_gen_src;

/* The published answer for type: true with a[] set, unless a writer is
 * at work or there is none. current: only if its generation still is. */
static inline bool odm_engine_read_words(sc_type type, bool current,
					 uint64_t a[2])
{
	const struct odm_engine_fast *f = &odm_eng_fast;
	unsigned seq = __atomic_load_n(&f->seq, __ATOMIC_ACQUIRE);
	const uint64_t *src = __atomic_load_n(&odm_eng_gen_src, __ATOMIC_ACQUIRE);

	if (seq & 1)
		return false;
	if (current && (!src || __atomic_load_n(&f->gen, __ATOMIC_ACQUIRE) !=
					__atomic_load_n(src, __ATOMIC_ACQUIRE)))
		return false;
	if (!__atomic_load_n(&f->have[type], __ATOMIC_ACQUIRE))
		return false;
	a[0] = __atomic_load_n(&f->addr[type][0], __ATOMIC_ACQUIRE);
	a[1] = __atomic_load_n(&f->addr[type][1], __ATOMIC_ACQUIRE);
	return __atomic_load_n(&f->seq, __ATOMIC_RELAXED) == seq;
}

static inline bool odm_engine_read_fast(sc_type type, bool current,
					struct in6_addr *out)
{
	uint64_t a[2];

	if (!odm_engine_read_words(type, current, a))
		return false;
	__builtin_memcpy(out, a, sizeof a);
	return true;
}

static inline int odm_engine_pick(sc_type type, bool on_net, bool dry,
				  struct in6_addr *out)
{
	if (__builtin_expect(!on_net && odm_engine_read_fast(type, true, out), 1))
		return 0;
	return odm_engine_pick_slow(type, on_net, dry, out);
}

/* Everything a pick may need that a signal handler could not do: the host
 * config (libconfuse), the dump buffer, odmd's page. Called once a
 * governed process makes its first IPv6 socket. */
void odm_engine_warm(void);
extern int odm_engine_warmed;

static inline void odm_engine_warm_once(void)
{
	if (__builtin_expect(!__atomic_load_n(&odm_engine_warmed,
					      __ATOMIC_RELAXED), 0))
		odm_engine_warm();
}

/* Forget the view: the next pick asks the kernel (a bind to a picked
 * address failed, so the view is stale). */
void odm_engine_invalidate(void);

/* A fresh copy of the host's typed addresses, for tools: *out is malloc'ed.
 * Returns 0 or -errno. */
int odm_engine_list(struct odm_typed_addr **out, size_t *n);

/* The host config in use (loading it on first call); never NULL. *broken
 * (if not NULL) is set when the file could not be used. */
const struct odm_hostconf *odm_engine_hostconf(bool *broken);

/* What keeps the cached view current: "odmd page", "monitor thread" or
 * "none" (for odm explain and the tests). */
const char *odm_engine_watch_name(void);

/* The engine's lock around fork() (init.c keeps one order for all). */
void odm_engine_fork_prepare(void);
void odm_engine_fork_parent(void);
void odm_engine_fork_child(void);

#endif
