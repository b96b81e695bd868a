/* fdtab.h: what libodm knows about each file descriptor. O(1) by fd,
 * lock-free (atomics only, so it is fork- and signal-safe), allocated in
 * chunks with mmap on first use. fds at or above
 * ODM_FDTAB_CHUNKS << ODM_FDTAB_CHUNK_BITS are not tracked. */
#ifndef ODM_FDTAB_H
#define ODM_FDTAB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "odm.h"

enum odm_fd_bits {
	ODM_FD_KNOWN     = 1u << 0,  /* entry is valid; else ask the kernel */
	ODM_FD_INET6     = 1u << 1,  /* AF_INET6 socket */
	ODM_FD_STREAM    = 1u << 2,  /* SOCK_STREAM */
	ODM_FD_DGRAM     = 1u << 3,  /* SOCK_DGRAM */
	ODM_FD_ONNET     = 1u << 4,  /* IPV6_REQUIRE_SRC_ON_NET set */
	ODM_FD_APPBOUND  = 1u << 5,  /* the program bound it: leave alone */
	ODM_FD_ODMBOUND  = 1u << 6,  /* libodm bound it to addr */
	ODM_FD_DEFERBIND = 1u << 7,  /* bind([::]:0) held back by libodm */
	ODM_FD_WILDPORT  = 1u << 8,  /* the program bound [::]:PORT: client
					or server is not known yet */
	ODM_FD_PKTINFO   = 1u << 9,  /* datagrams on the wildcard: each send
					carries its typed source */
	ODM_FD_HASADDR   = 1u << 10, /* type and addr are set (setsc/policy) */
	ODM_FD_DECIDED   = 1u << 11, /* policy has been applied (or skipped) */
	ODM_FD_OTHER     = 1u << 12, /* known, not a socket libodm handles */
	ODM_FD_PREFTMP   = 1u << 13, /* IPV6_PREFER_SRC_TMP set (RFC 5014) */
};

struct odm_fdstate {
	uint32_t bits;
	sc_type type;          /* with ODM_FD_HASADDR */
	struct in6_addr addr;  /* with ODM_FD_HASADDR */
};

#include "defaults.h"

#define ODM_FDTAB_CHUNK_SLOTS (1u << ODM_FDTAB_CHUNK_BITS)
#define ODM_FDTAB_FD_LIMIT ((unsigned)ODM_FDTAB_CHUNKS << ODM_FDTAB_CHUNK_BITS)

/* The table itself, here only so the lookups below inline into the hooks:
 * use the functions. */
struct fdslot {
	uint32_t bits;
	uint32_t type;
	uint64_t addr[2];
};
struct fdchunk {
	struct fdslot slot[ODM_FDTAB_CHUNK_SLOTS];
};
extern struct fdchunk *odm_fdtab_chunks[ODM_FDTAB_CHUNKS];

/* The slot of fd, or NULL when its chunk was never made: a bounds check
 * and two loads. */
static inline struct fdslot *odm_fdtab_slot(int fd)
{
	unsigned ufd = (unsigned)fd;
	struct fdchunk *c;

	if (ufd >= ODM_FDTAB_FD_LIMIT) /* negative fds too */
		return NULL;
	c = __atomic_load_n(&odm_fdtab_chunks[ufd >> ODM_FDTAB_CHUNK_BITS],
			    __ATOMIC_ACQUIRE);
	return c ? &c->slot[ufd & (ODM_FDTAB_CHUNK_SLOTS - 1)] : NULL;
}

/* fd's bits (0 when unknown), for a hook's quick look. */
static inline uint32_t odm_fdtab_bits(int fd)
{
	struct fdslot *s = odm_fdtab_slot(fd);

	return s ? __atomic_load_n(&s->bits, __ATOMIC_ACQUIRE) : 0;
}

/* Set once the table holds anything: until then close() and dup() skip it
 * with one load (a process no policy governs never fills it). */
extern int odm_fdtab_live;

static inline bool odm_fdtab_any(void)
{
	return __atomic_load_n(&odm_fdtab_live, __ATOMIC_RELAXED);
}

/* Copies fd's state to *st; false when fd is not known (or out of range). */
static inline bool odm_fdtab_get(int fd, struct odm_fdstate *st)
{
	struct fdslot *s = odm_fdtab_slot(fd);
	uint64_t a[2];

	if (!s)
		return false;
	st->bits = __atomic_load_n(&s->bits, __ATOMIC_ACQUIRE);
	if (!(st->bits & ODM_FD_KNOWN))
		return false;
	st->type = (sc_type)__atomic_load_n(&s->type, __ATOMIC_RELAXED);
	a[0] = __atomic_load_n(&s->addr[0], __ATOMIC_RELAXED);
	a[1] = __atomic_load_n(&s->addr[1], __ATOMIC_RELAXED);
	__builtin_memcpy(&st->addr, a, sizeof a);
	return true;
}

/* Makes fd known with these bits and no type or address (a new socket).
 * Inline while fd's chunk exists; the first use of a chunk maps it. */
void odm_fdtab_set_bits_slow(int fd, uint32_t bits);

static inline void odm_fdtab_set_bits(int fd, uint32_t bits)
{
	struct fdslot *s = odm_fdtab_slot(fd);

	if (s)
		__atomic_store_n(&s->bits, bits | ODM_FD_KNOWN, __ATOMIC_RELEASE);
	else
		odm_fdtab_set_bits_slow(fd, bits);
}

/* Replaces fd's state. Silently does nothing if fd is out of range or the
 * chunk cannot be allocated (the fd is then simply unknown). */
void odm_fdtab_put(int fd, const struct odm_fdstate *st);

/* Sets and clears bits of a known fd; no-op for an unknown one. */
void odm_fdtab_update(int fd, uint32_t set, uint32_t clear);

/* Forgets fd (close): inline, a load and a store. */
static inline void odm_fdtab_forget(int fd)
{
	struct fdslot *s = odm_fdtab_slot(fd);

	if (s && __atomic_load_n(&s->bits, __ATOMIC_RELAXED))
		__atomic_store_n(&s->bits, 0, __ATOMIC_RELEASE);
}

/* fd got an address of type: its bits become (bits | set) & ~clear, with
 * ODM_FD_HASADDR. bits: what the caller read; a known fd only. */
static inline void odm_fdtab_set_addr(int fd, uint32_t bits, uint32_t set,
				      uint32_t clear, sc_type type,
				      const struct in6_addr *addr)
{
	struct fdslot *s = odm_fdtab_slot(fd);
	uint64_t a[2];

	if (!s)
		return;
	__builtin_memcpy(a, addr, sizeof a);
	__atomic_store_n(&s->type, type, __ATOMIC_RELAXED);
	__atomic_store_n(&s->addr[0], a[0], __ATOMIC_RELAXED);
	__atomic_store_n(&s->addr[1], a[1], __ATOMIC_RELAXED);
	__atomic_store_n(&s->bits, ((bits | set) & ~clear) | ODM_FD_HASADDR |
				  ODM_FD_KNOWN, __ATOMIC_RELEASE);
}

/* Forgets fds lo..hi inclusive (close_range), copies from's state to to
 * (dup2), forgetting to's if from is unknown. */
void odm_fdtab_forget_range(unsigned lo, unsigned hi);
void odm_fdtab_copy(int from, int to);

/* fd's state; an fd not in the table is asked about (SO_DOMAIN, SO_TYPE,
 * getsockname: an IPv6 socket already bound counts as bound by the program)
 * and recorded. false, with errno from the kernel (EBADF, ENOTSOCK), when
 * fd is not a socket. Keeps errno otherwise. */
bool odm_fd_state_slow(int fd, struct odm_fdstate *st);

static inline bool odm_fd_state(int fd, struct odm_fdstate *st)
{
	return odm_fdtab_get(fd, st) || odm_fd_state_slow(fd, st);
}

#endif
