/* parent.h: odmd's privileged parent. It performs, on the worker's request
 * and after checking the arguments, the kernel operations odmd needs
 * (addresses, `from` rules, the default routes of its links), the identity
 * lookups (which program runs behind a client) and the start of the exec
 * backend; and it keeps the policy folder's index current (inotify; the
 * files are compiled in a child). It parses no client input. */
#ifndef ODMD_PARENT_H
#define ODMD_PARENT_H

#include <sys/types.h>
#include "hostconf.h"

/* Serves the worker on channel ch until it ends or a signal stops odmd.
 * Returns the exit status. */
int parent_main(const struct odm_hostconf *hc, int ch, pid_t worker);

#endif
