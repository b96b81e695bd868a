/* nextsym.h: what dlsym(RTLD_NEXT, name) answers for libodm, found for a
 * whole list of names in one walk of the objects loaded after libodm,
 * through their GNU hash tables: a hundred-odd instructions a name instead
 * of dlsym's thousand, which every preloaded process pays at start. */
#ifndef ODM_NEXTSYM_H
#define ODM_NEXTSYM_H

#include <stddef.h>

/* For each names[i], out[i] = the default-version definition in the first
 * object after self's (self: an address inside libodm) that defines it,
 * or NULL when none does or the lookup cannot be made this way (no GNU
 * hash table, an IFUNC): the caller asks dlsym for those. */
void odm_nextsym(const void *self, const char *const *names, void **out,
		 size_t n);

#endif
