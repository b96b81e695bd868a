/* uth.h: uthash for odmd: running out of memory fails the insertion
 * (odmd_hash_oom is set) instead of ending the daemon. Include this, never
 * <uthash.h> directly. */
#ifndef ODMD_UTH_H
#define ODMD_UTH_H

extern int odmd_hash_oom;

#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(elt) (odmd_hash_oom = 1)
#include <uthash.h>

/* Runs an insertion; true when it took (memory was there). */
#define UTH_ADDED(stmt) ({ odmd_hash_oom = 0; stmt; !odmd_hash_oom; })

#endif
