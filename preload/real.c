/* real.c: the libc functions behind the hooks, resolved once with
 * dlsym(RTLD_NEXT). A symbol that resolves back into libodm (or not at all)
 * is replaced by a stub failing with ENOSYS, never by a recursive call. */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include "real.h"

struct odm_real odm_real;
static int real_ready;

/* Returns long so that callers expecting ssize_t also read -1. */
static long enosys(void)
{
	errno = ENOSYS;
	return -1;
}

/* Is p inside libodm itself? */
static bool in_self(void *p)
{
	Dl_info self, other;

	return dladdr((void *)(uintptr_t)odm_real_init, &self) &&
	       dladdr(p, &other) && self.dli_fbase == other.dli_fbase;
}

static void *resolve(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p || in_self(p))
		return (void *)(uintptr_t)enosys;
	return p;
}

#define RESOLVE(field) \
	__atomic_store_n((void **)&odm_real.field, resolve(#field), \
			 __ATOMIC_RELAXED)

void odm_real_init(void)
{
	int saved = errno;

	if (__atomic_load_n(&real_ready, __ATOMIC_ACQUIRE))
		return;
	/* Racing threads resolve the same pointers: harmless. */
	RESOLVE(socket);
	RESOLVE(connect);
	RESOLVE(bind);
	RESOLVE(listen);
	RESOLVE(accept);
	RESOLVE(accept4);
	RESOLVE(sendto);
	RESOLVE(sendmsg);
	RESOLVE(sendmmsg);
	RESOLVE(close);
	RESOLVE(close_range);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(fcntl);
	RESOLVE(fcntl64);
	RESOLVE(setsockopt);
	RESOLVE(getsockopt);
	RESOLVE(getsockname);
	__atomic_store_n(&real_ready, 1, __ATOMIC_RELEASE);
	errno = saved;
}
