/* real.c: the libc functions behind the hooks, resolved once as
 * dlsym(RTLD_NEXT) would (nextsym.c does it for all of them in one walk). A symbol that resolves back into libodm (or not at all)
 * is replaced by a stub failing with ENOSYS, never by a recursive call. */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include "nextsym.h"
#include "real.h"

struct odm_real odm_real = { 0 }; /* .data: see Makefile */
static int real_ready;

/* Returns long so that callers expecting ssize_t also read -1. */
static long enosys(void)
{
	errno = ENOSYS;
	return -1;
}

/* libodm's own address range, to refuse a lookup that comes back to us.
 * (dladdr() per symbol would walk libc's symbol table each time.) */
static uintptr_t self_lo, self_hi;

static int find_self(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t me = (uintptr_t)data, lo = UINTPTR_MAX, hi = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (me < lo || me >= hi)
		return 0;
	self_lo = lo;
	self_hi = hi;
	return 1;
}

static bool in_self(void *p)
{
	return (uintptr_t)p >= self_lo && (uintptr_t)p < self_hi;
}

/* The names of odm_real's fields, in their order. */
static const char *const names[] = {
#define ODM_REAL_NAME(f) #f,
	ODM_REAL_FUNCS(ODM_REAL_NAME)
#undef ODM_REAL_NAME
};
#define NREAL (sizeof names / sizeof names[0])

_Static_assert(sizeof(struct odm_real) == NREAL * sizeof(void *),
	       "odm_real holds one pointer per name");

void odm_real_init(void)
{
	void *p[NREAL];
	int saved = errno;

	if (__atomic_load_n(&real_ready, __ATOMIC_ACQUIRE))
		return;
	/* Racing threads resolve the same pointers: harmless. */
	dl_iterate_phdr(find_self, (void *)(uintptr_t)odm_real_init);
	odm_nextsym((const void *)(uintptr_t)odm_real_init, names, p, NREAL);
	for (size_t i = 0; i < NREAL; i++) {
		if (!p[i])
			p[i] = dlsym(RTLD_NEXT, names[i]); /* an IFUNC... */
		if (!p[i] || in_self(p[i]))
			p[i] = (void *)(uintptr_t)enosys;
		__atomic_store_n(&((void **)&odm_real)[i], p[i],
				 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&real_ready, 1, __ATOMIC_RELEASE);
	errno = saved;
}
