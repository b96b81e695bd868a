/* progid.h: who this process is, for matching policy files, at the cost
 * of one syscall: the executable from /proc/self/exe (the kernel resolves
 * its symlinks), argv[0] and the possible script from the arguments the
 * constructor was given (else /proc/self/cmdline). */
#ifndef ODM_PROGID_H
#define ODM_PROGID_H

#include <limits.h>
#include "policy.h"

struct odm_progid_buf {
	char exe[PATH_MAX];
	char args[4096];    /* only when /proc/self/cmdline had to be read */
};

/* The arguments glibc hands the constructors of shared objects, kept by
 * init.c's constructor; NULL before it ran (a hook in another preload's
 * constructor). */
extern int odm_argc;
extern char **odm_argv;

/* Fills id (pointing into buf). */
void odm_progid_self(struct odm_progid_buf *buf, struct odm_progid *id);

#endif
