/* lazy.c: dlopen on first use, for lazy_*.c. */
#include <dlfcn.h>
#include <pthread.h>
#include "lazy.h"
#include "log.h"

static pthread_mutex_t lazy_lock = PTHREAD_MUTEX_INITIALIZER;

/* state: 0 not tried, 1 loaded, -1 cannot be had. */
bool odm_lazy_load(const char *soname, const char *const *names, void **ptrs,
		   unsigned n, int *state)
{
	int s = __atomic_load_n(state, __ATOMIC_ACQUIRE);
	void *h;

	if (s)
		return s > 0;
	pthread_mutex_lock(&lazy_lock);
	if (!(s = *state)) {
		s = -1;
		h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
		if (h) {
			s = 1;
			for (unsigned i = 0; i < n; i++)
				if (!(ptrs[i] = dlsym(h, names[i])))
					s = -1;
		}
		if (s < 0)
			odm_log(ODM_LOG_ERROR, "cannot load %s: %s", soname,
				h ? "a function is missing" : dlerror());
		__atomic_store_n(state, s, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lazy_lock);
	return s > 0;
}

void odm_lazy_fork_prepare(void) { pthread_mutex_lock(&lazy_lock); }
void odm_lazy_fork_parent(void) { pthread_mutex_unlock(&lazy_lock); }
void odm_lazy_fork_child(void) { pthread_mutex_unlock(&lazy_lock); }
