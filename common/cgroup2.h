/* cgroup2.h: where the cgroup v2 hierarchy is mounted (odmd attaches its
 * guard to its root, odm run makes a program's cgroup under it). */
#ifndef ODM_CGROUP2_H
#define ODM_CGROUP2_H

#include <stddef.h>

/* The mount point of cgroup2 in this mount namespace, from
 * /proc/self/mountinfo (mounted at /run/odm/cgroup2 first when root finds
 * none): 0, or -1. */
int odm_cgroup2_root(char *out, size_t len);

#endif
