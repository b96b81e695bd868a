/* engine.h: the setsc() engine: which address of a type this host has now.
 * Reads the host config once and the kernel's addresses over rtnetlink;
 * its answer stays cached while nothing typed changed: the cached path is
 * a few atomic loads, no lock and no syscall. */
#ifndef ODM_ENGINE_H
#define ODM_ENGINE_H

#include <stdbool.h>
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
int odm_engine_pick(sc_type type, bool on_net, bool dry, struct in6_addr *out);

/* The part of odm_engine_pick past the cache. */
int odm_engine_pick_slow(sc_type type, bool on_net, bool dry,
			 struct in6_addr *out);

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
