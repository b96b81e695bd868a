/* progid.h: who this process is, for matching policy files: the real path
 * of /proc/self/exe, argv[0], and the script an interpreter runs. */
#ifndef ODM_PROGID_H
#define ODM_PROGID_H

#include <limits.h>
#include "policy.h"

struct odm_progid_buf {
	char exe[PATH_MAX];
	char argv0[PATH_MAX];
	char script[PATH_MAX];
};

/* Fills id (pointing into buf) from /proc/self. The script is the first
 * argument after argv[0] that does not start with '-' and names a regular
 * file (python3 -u app.py -> app.py), as a real path. */
void odm_progid_self(struct odm_progid_buf *buf, struct odm_progid *id);

#endif
