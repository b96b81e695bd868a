/* engine.h: the setsc() engine: which address of a type this host has now.
 * Reads the host config once, the kernel's addresses over rtnetlink, and
 * keeps a snapshot that stays current as long as the netlink monitor
 * reports no change: the cached path is a mutex and a copy, no syscall. */
#ifndef ODM_ENGINE_H
#define ODM_ENGINE_H

#include <stdbool.h>
#include "addrpick.h"

/* An address of type for a new socket: 0 with *out set, or
 * EAI_REQUIREDIPNOTSUPPORTED / EAI_REQUIREDIPFAILED. The host's own usable
 * address of the type if it has one (unless on_net); else, when odm.conf
 * configures an agent, odmd's answer (it may obtain a new prefix: this
 * blocks up to the agent timeout, without holding the engine's lock); else
 * FAILED when the type is declared in odm.conf, NOTSUPPORTED when not.
 * type must be valid (1..4). */
int odm_engine_pick(sc_type type, bool on_net, struct in6_addr *out);

/* setsc() itself: validates fd and type, remembers in the fd table which
 * socket asked for which type and got which address. */
int odm_engine_setsc(int fd, struct in6_addr *out, sc_type type);

/* Forget the snapshot: the next pick asks the kernel (a bind to a picked
 * address failed, so the view is stale). */
void odm_engine_invalidate(void);

/* A fresh copy of the host's typed addresses, for tools: *out is malloc'ed.
 * Returns 0 or -errno. */
int odm_engine_list(struct odm_typed_addr **out, size_t *n);

/* The host config in use (loading it on first call); never NULL. *broken
 * (if not NULL) is set when the file could not be used. */
const struct odm_hostconf *odm_engine_hostconf(bool *broken);

/* The engine's lock around fork() (init.c keeps one order for all). */
void odm_engine_fork_prepare(void);
void odm_engine_fork_parent(void);
void odm_engine_fork_child(void);

#endif
