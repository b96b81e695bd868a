/* init.h: what libodm decides once per process: the real libc symbols, the
 * log settings, and the policy that governs this program (if any). Every
 * hook calls odm_init() first, so a hook that runs before the constructor
 * still finds everything ready. */
#ifndef ODM_INIT_H
#define ODM_INIT_H

#include <stdbool.h>
#include "policy.h"

struct odm_process {
	const struct odm_policy *policy; /* NULL: legacy, pure pass-through */
	bool strict;                     /* root or secure-execution */
};

extern struct odm_process odm_proc;
extern int odm_init_done;

void odm_init_slow(void);

/* Registers, once, the fork handlers of every lock of libodm, in the one
 * order they are ever taken (engine, monitor, libconfuse, loader), so a
 * fork() from any thread never deadlocks. Called by whatever is about to
 * take one of them first (a process that takes none never registers: no
 * malloc). 0, or -1 when they could not be registered. */
int odm_fork_handlers(void);

static inline void odm_init(void)
{
	if (__builtin_expect(!__atomic_load_n(&odm_init_done, __ATOMIC_ACQUIRE),
			     0))
		odm_init_slow();
}

/* Does a policy govern this process? The whole cost of a hook without one. */
static inline bool odm_active(void)
{
	return __builtin_expect(odm_proc.policy != NULL, 0);
}

#endif
