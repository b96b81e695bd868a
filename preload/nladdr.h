/* nladdr.h: the engine's side of netlink: the real-libc I/O table it hands
 * to the shared netlink code (common/nl.h), and a monitor thread that
 * counts every address change the kernel announces, so the engine's cached
 * path can tell that its view is still current by one atomic load, without
 * a syscall. */
#ifndef ODM_NLADDR_H
#define ODM_NLADDR_H

#include <stdbool.h>
#include <stdint.h>
#include "nl.h"

/* odm_real's calls, for odm_nl_dump_addrs() and friends. */
extern const struct odm_nl_io odm_nl_real_io;

/* Starts the monitor thread once per process (again in a forked child).
 * Returns 0 when it runs, -errno when it cannot (the caller then treats
 * every call as uncached). All signals are blocked in the thread. */
int odm_nl_monitor_start(void);

/* Increases whenever the kernel announces an IPv6 address change, and when
 * the monitor loses messages (ENOBUFS) or stops. Never a syscall. */
extern uint64_t odm_nl_gen;
extern bool odm_nl_running;

static inline uint64_t odm_nl_generation(void)
{
	return __atomic_load_n(&odm_nl_gen, __ATOMIC_ACQUIRE);
}

/* True while the monitor thread runs in this process. */
static inline bool odm_nl_monitor_running(void)
{
	return __atomic_load_n(&odm_nl_running, __ATOMIC_ACQUIRE);
}

/* The monitor's lock around fork(); the child drops the parent's monitor
 * socket (its thread is not there). init.c keeps one order for all. */
void odm_nl_fork_prepare(void);
void odm_nl_fork_parent(void);
void odm_nl_fork_child(void);

#endif
