/* nladdr.h: the host's IPv6 addresses straight from the kernel over
 * rtnetlink (RTM_GETADDR), and a monitor thread that counts every address
 * change the kernel announces, so the engine's cached path can tell that its
 * view is still current by one atomic load, without a syscall. */
#ifndef ODM_NLADDR_H
#define ODM_NLADDR_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ODM_LIFETIME_INFINITE 0xffffffffu

struct odm_nladdr {
	struct in6_addr addr;
	unsigned plen;
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t flags;      /* IFA_F_* (IFA_FLAGS attribute when present) */
	uint8_t scope;       /* RT_SCOPE_* */
	uint32_t preferred;  /* seconds left; ODM_LIFETIME_INFINITE */
	uint32_t valid;      /* seconds left; ODM_LIFETIME_INFINITE */
	uint32_t cstamp;     /* creation, 1/100 s since boot (ifa_cacheinfo) */
	uint8_t proto;       /* IFA_PROTO: who configured it; odmd marks types */
};

/* Dumps every IPv6 address of the calling process's network namespace.
 * *out is malloc'ed (free() it), *n its count. Returns 0 or -errno. Bounded:
 * every recv has a timeout, at most ODM_MAX_ADDRS addresses. Uses only
 * odm_real for hooked calls. */
int odm_nl_dump_addrs(struct odm_nladdr **out, size_t *n);

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

#endif
