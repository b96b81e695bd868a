/* lazy.h: libraries the preload shim loads only when it needs them, so a
 * process no policy governs never maps them: libconfuse (a policy file or
 * odm.conf must be parsed) and libmnl (the engine reads the kernel's
 * addresses). lazy_confuse.c and lazy_mnl.c define, with hidden
 * visibility, the functions libodm calls, each forwarding to the library
 * opened on first use; they are linked into the shim only (odm, odmd and
 * the tests link the libraries themselves). */
#ifndef ODM_LAZY_H
#define ODM_LAZY_H

#include <stdbool.h>

/* Opens soname (once) and resolves names[i] into ptrs[i] for every i up
 * to n; true when all are there. Thread-safe; logs one line when the
 * library cannot be had. */
bool odm_lazy_load(const char *soname, const char *const *names, void **ptrs,
		   unsigned n, int *state);

/* The loader's lock around fork() (init.c keeps one order for all). */
void odm_lazy_fork_prepare(void);
void odm_lazy_fork_parent(void);
void odm_lazy_fork_child(void);

#endif
