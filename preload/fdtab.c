/* fdtab.c: per-fd state, O(1) by fd and lock-free. Chunks of
 * 2^ODM_FDTAB_CHUNK_BITS slots are mmap'ed on first use (mmap, unlike malloc,
 * is safe in a signal handler) and never freed. Every field is accessed
 * atomically; a reader racing a writer on the same fd may see a mix of old
 * and new, which only a program racing itself on one fd can cause. */
#include <string.h>
#include <sys/mman.h>
#include "defaults.h"
#include "fdtab.h"

#define CHUNK_SLOTS ODM_FDTAB_CHUNK_SLOTS
#define FD_LIMIT ODM_FDTAB_FD_LIMIT

#define chunks odm_fdtab_chunks
struct fdchunk *odm_fdtab_chunks[ODM_FDTAB_CHUNKS] = { 0 }; /* .data: see Makefile */
int odm_fdtab_live;

#define slot_peek odm_fdtab_slot
/* The slot of fd, making its chunk on first use. */
static struct fdslot *slot_make(int fd)
{
	struct fdslot *s = slot_peek(fd);
	struct fdchunk *c = NULL, *fresh;
	unsigned ufd = (unsigned)fd;

	if (s || ufd >= FD_LIMIT)
		return s;
	fresh = mmap(NULL, sizeof *fresh, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		return NULL;
	if (__atomic_compare_exchange_n(&chunks[ufd >> ODM_FDTAB_CHUNK_BITS],
					&c, fresh, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		c = fresh;
		__atomic_store_n(&odm_fdtab_live, 1, __ATOMIC_RELAXED);
	} else {
		munmap(fresh, sizeof *fresh); /* c is the winner's */
	}
	return &c->slot[ufd & (CHUNK_SLOTS - 1)];
}

void odm_fdtab_put(int fd, const struct odm_fdstate *st)
{
	struct fdslot *s = slot_make(fd);
	uint64_t a[2];

	if (!s)
		return;
	memcpy(a, &st->addr, sizeof a);
	__atomic_store_n(&s->type, st->type, __ATOMIC_RELAXED);
	__atomic_store_n(&s->addr[0], a[0], __ATOMIC_RELAXED);
	__atomic_store_n(&s->addr[1], a[1], __ATOMIC_RELAXED);
	__atomic_store_n(&s->bits, st->bits | ODM_FD_KNOWN, __ATOMIC_RELEASE);
}

void odm_fdtab_set_bits_slow(int fd, uint32_t bits)
{
	struct fdslot *s = slot_make(fd);

	if (s)
		__atomic_store_n(&s->bits, bits | ODM_FD_KNOWN, __ATOMIC_RELEASE);
}

void odm_fdtab_update(int fd, uint32_t set, uint32_t clear)
{
	struct fdslot *s = slot_peek(fd);
	uint32_t old;

	if (!s)
		return;
	old = __atomic_load_n(&s->bits, __ATOMIC_RELAXED);
	do {
		if (!(old & ODM_FD_KNOWN))
			return;
	} while (!__atomic_compare_exchange_n(&s->bits, &old,
					      (old | set) & ~clear, 1,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
}

void odm_fdtab_forget_range(unsigned lo, unsigned hi)
{
	if (hi >= FD_LIMIT)
		hi = FD_LIMIT - 1;
	for (unsigned fd = lo; fd <= hi && lo <= hi; fd++) {
		/* Skip whole chunks that were never allocated. */
		if (!__atomic_load_n(&chunks[fd >> ODM_FDTAB_CHUNK_BITS],
				     __ATOMIC_ACQUIRE)) {
			fd |= CHUNK_SLOTS - 1;
			continue;
		}
		odm_fdtab_forget((int)fd);
		if (fd == hi)
			break;
	}
}

void odm_fdtab_copy(int from, int to)
{
	struct odm_fdstate st;

	if (odm_fdtab_get(from, &st))
		odm_fdtab_put(to, &st);
	else
		odm_fdtab_forget(to);
}
