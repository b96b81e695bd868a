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

/* What a socket asks of its address besides the type: a fresh prefix
 * (IPV6_REQUIRE_SRC_ON_NET), a temporary address (IPV6_PREFER_SRC_TMP,
 * RFC 5014: the newest temporary one of the type, RFC 8981, when the host
 * has one; else the public one). */
#define ODM_WANT_ON_NET 1u
#define ODM_WANT_TMP    2u

/* An address of type for a new socket: 0 with *out set, or
 * EAI_REQUIREDIPNOTSUPPORTED / EAI_REQUIREDIPFAILED. The host's own usable
 * address of the type if it has one (unless on_net); else, when odm.conf
 * configures an agent, odmd's answer (it may obtain a new prefix: this
 * blocks up to the agent timeout, without holding the engine's lock), or
 * ODM_ASK_ODMD without asking when dry; else FAILED when the type is
 * declared in odm.conf, NOTSUPPORTED when not. type must be valid (1..4). */
static inline int odm_engine_pick(sc_type type, unsigned want, bool dry,
				  struct in6_addr *out);

/* The part of odm_engine_pick past the cache. */
int odm_engine_pick_slow(sc_type type, unsigned want, bool dry,
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
	uint8_t have[2 * ODM_TYPE_MAX + 1];   /* type; type + 4: temporary */
	uint64_t addr[2 * ODM_TYPE_MAX + 1][2];
};
extern struct odm_engine_fast odm_eng_fast;
extern const uint64_t *odm_eng_gen_src;

/* The published answer for type: true with a[] set, unless a writer is
 * at work or there is none. current: only if its generation still is. */
static inline bool odm_engine_read_words(unsigned slot, bool current,
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
	if (!__atomic_load_n(&f->have[slot], __ATOMIC_ACQUIRE))
		return false;
	a[0] = __atomic_load_n(&f->addr[slot][0], __ATOMIC_ACQUIRE);
	a[1] = __atomic_load_n(&f->addr[slot][1], __ATOMIC_ACQUIRE);
	return __atomic_load_n(&f->seq, __ATOMIC_RELAXED) == seq;
}

/* The published slot of type for want (ODM_WANT_TMP). */
static inline unsigned odm_engine_slot(sc_type type, unsigned want)
{
	return (want & ODM_WANT_TMP) ? type + ODM_TYPE_MAX : type;
}

static inline bool odm_engine_read_fast(unsigned slot, bool current,
					struct in6_addr *out)
{
	uint64_t a[2];

	if (!odm_engine_read_words(slot, current, a))
		return false;
	__builtin_memcpy(out, a, sizeof a);
	return true;
}

static inline int odm_engine_pick(sc_type type, unsigned want, bool dry,
				  struct in6_addr *out)
{
	if (__builtin_expect(!(want & ODM_WANT_ON_NET) &&
			     odm_engine_read_fast(odm_engine_slot(type, want),
						  true, out), 1))
		return 0;
	return odm_engine_pick_slow(type, want, dry, out);
}

/* The wants of a socket with these fd bits (fdtab.h). */
#define odm_want_of(bits) \
	((((bits) & ODM_FD_ONNET) ? ODM_WANT_ON_NET : 0u) | \
	 (((bits) & ODM_FD_PREFTMP) ? ODM_WANT_TMP : 0u))

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

/* An address of the caller's own of type from odmd (RFC 8653 section 5:
 * address = per-socket or per-process, rotate, rotate-bytes): 0 with *out
 * set, or a setsc() status (logged). Blocks up to the agent timeout. */
int odm_engine_own_ask(sc_type type, uint32_t rotate_s, uint64_t rotate_bytes,
		       struct in6_addr *out);

/* Is own address a still there and usable (not rotated: odmd's drain
 * mark)? Watches it from now on; *gen gets the generation that answer is
 * current for (odm_engine_gen_now). */
bool odm_engine_own_usable(const struct in6_addr *a, uint64_t *gen);

/* The generation the cached view is current for; 0 when it is not. */
static inline uint64_t odm_engine_gen_now(void)
{
	const uint64_t *src = __atomic_load_n(&odm_eng_gen_src, __ATOMIC_ACQUIRE);
	uint64_t g = __atomic_load_n(&odm_eng_fast.gen, __ATOMIC_ACQUIRE);

	return src && g == __atomic_load_n(src, __ATOMIC_ACQUIRE) ? g : 0;
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
